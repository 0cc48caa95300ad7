"""DOE findings during validation (policy.md §4): raised by the engaged DOE only while the PDD is
in consultation or under validation, answered by this activity's participants, closed or
reopened by the DOE; each step is an event, and the status rules hold."""
import pytest

from pacm.common.errors import Refused, ServiceError
from pacm.events.models import Event, EventKind
from projects import services
from projects.cycle import ActivityState as A
from projects.models import Finding

from .. import factories as f
from .support import PERSONAS, last_sequence, new_events, snapshot


@pytest.fixture
def validating(activity, advance_to):
    return advance_to(activity, A.UNDER_VALIDATION)


def _raise(world, activity, kind="car", text="The baseline emission factor is not sourced."):
    return services.finding_raise(activity=activity, user=world.dora, kind=kind, text=text)


def _event_matches(event, kind, actor, organisation, role, finding, status, comment):
    assert event.kind == kind
    assert (event.actor, event.organisation, event.role) == (actor, organisation, role)
    assert event.comment == comment
    payload = {k: v for k, v in event.payload.items() if k != "previous_status"}  # tests/events/test_shapes.py
    assert payload == {"finding": finding.number, "finding_kind": finding.kind, "status": status,
                       "monitoring_period": None}


@pytest.mark.parametrize("state", [A.CONSULTATION, A.UNDER_VALIDATION])
def test_engaged_doe_raises_a_finding(world, activity, advance_to, state):
    activity = advance_to(activity, state)
    since = last_sequence(activity)
    finding = _raise(world, activity, kind="cl", text="  Which landfill cells are covered?  ")
    assert (finding.number, finding.kind, finding.status) == (1, "cl", Finding.Status.OPEN)
    assert finding.text == "Which landfill cells are covered?"
    assert finding.raised_by == world.orgs["doe"]
    (event,) = new_events(activity, since)
    _event_matches(event, EventKind.FINDING_RAISED, world.dora, world.orgs["doe"], "doe", finding, "open",
                   "Which landfill cells are covered?")
    assert _raise(world, activity, kind="far").number == 2


def test_only_the_engaged_doe_raises_findings(world, validating):
    before = snapshot(validating)
    for persona in PERSONAS:
        if persona == "dora":
            continue
        with pytest.raises(Refused):
            services.finding_raise(activity=validating, user=world.people[persona], kind="car", text="x")
    assert snapshot(validating) == before


@pytest.mark.parametrize("state", [A.VALIDATION_CONTRACTED, A.VALIDATED, A.REGISTRATION_REQUESTED])
def test_findings_only_during_consultation_or_validation(world, activity, advance_to, state):
    activity = advance_to(activity, state)
    before = snapshot(activity)
    with pytest.raises(Refused, match="only during validation or verification"):
        _raise(world, activity)
    assert snapshot(activity) == before


@pytest.mark.parametrize("kind,text,field", [("xyz", "text", "kind"), ("car", "   ", "text"), ("car", None, "text")])
def test_finding_needs_a_kind_and_a_text(world, validating, kind, text, field):
    before = snapshot(validating)
    with pytest.raises(ServiceError) as error:
        services.finding_raise(activity=validating, user=world.dora, kind=kind, text=text)
    assert error.value.field == field and not isinstance(error.value, Refused)
    assert snapshot(validating) == before


def test_answer_close_reopen_life(world, validating):
    finding = _raise(world, validating)

    since = last_sequence(validating)
    finding = services.finding_answer(finding=finding, user=world.ama, response="  Source: IPCC 2006, vol. 5. ")
    assert finding.status == Finding.Status.ANSWERED and finding.response == "Source: IPCC 2006, vol. 5."
    (event,) = new_events(validating, since)
    _event_matches(event, EventKind.FINDING_ANSWERED, world.ama, world.orgs["dev"], "participant", finding,
                   "answered", "Source: IPCC 2006, vol. 5.")

    since = last_sequence(validating)
    finding = services.finding_reopen(finding=finding, user=world.dora, comment="Give the table number.")
    assert finding.status == Finding.Status.OPEN and finding.closed_at is None
    (event,) = new_events(validating, since)
    _event_matches(event, EventKind.FINDING_REOPENED, world.dora, world.orgs["doe"], "doe", finding, "open",
                   "Give the table number.")

    services.finding_answer(finding=finding, user=world.ama, response="Table 2.2.")
    since = last_sequence(validating)
    finding = services.finding_close(finding=finding, user=world.dora, comment="Resolved.")
    assert finding.status == Finding.Status.CLOSED and finding.closed_at is not None
    (event,) = new_events(validating, since)
    _event_matches(event, EventKind.FINDING_CLOSED, world.dora, world.orgs["doe"], "doe", finding, "closed",
                   "Resolved.")
    stored = Finding.objects.get(pk=finding.pk)
    assert (stored.status, stored.response) == ("closed", "Table 2.2.")


def test_doe_may_close_an_open_finding_without_an_answer(world, validating):
    finding = services.finding_close(finding=_raise(world, validating), user=world.dora)
    assert finding.status == Finding.Status.CLOSED


def _finding_state(finding):
    f = Finding.objects.get(pk=finding.pk)
    return f.status, f.response, f.closed_at, Event.objects.count()


def test_only_this_activitys_participants_answer(world, validating):
    finding = _raise(world, validating)
    before = _finding_state(finding)
    for persona in PERSONAS:
        if persona == "ama":
            continue
        with pytest.raises(Refused):
            services.finding_answer(finding=finding, user=world.people[persona], response="Answer.")
    assert _finding_state(finding) == before


def test_only_the_engaged_doe_closes_or_reopens(world, validating):
    finding = _raise(world, validating)
    services.finding_answer(finding=finding, user=world.ama, response="Answer.")
    before = _finding_state(finding)
    for persona in PERSONAS:
        if persona == "dora":
            continue
        with pytest.raises(Refused):
            services.finding_close(finding=finding, user=world.people[persona])
        with pytest.raises(Refused):
            services.finding_reopen(finding=finding, user=world.people[persona], comment="No.")
    assert _finding_state(finding) == before


def test_status_rules(world, validating):
    finding = _raise(world, validating)
    with pytest.raises(Refused):  # nothing to reopen: it was never answered
        services.finding_reopen(finding=finding, user=world.dora, comment="No.")
    with pytest.raises(ServiceError, match="Write the answer"):
        services.finding_answer(finding=finding, user=world.ama, response="  ")
    services.finding_answer(finding=finding, user=world.ama, response="Answer.")
    with pytest.raises(Refused):  # already answered: the DOE reopens it first
        services.finding_answer(finding=finding, user=world.ama, response="Second answer.")
    with pytest.raises(ServiceError, match="Say why"):
        services.finding_reopen(finding=finding, user=world.dora, comment="")
    services.finding_close(finding=finding, user=world.dora)
    before = _finding_state(finding)
    for call in (
        lambda: services.finding_answer(finding=finding, user=world.ama, response="Late."),
        lambda: services.finding_close(finding=finding, user=world.dora),
        lambda: services.finding_reopen(finding=finding, user=world.dora, comment="Again."),
    ):
        with pytest.raises(Refused):
            call()
    assert _finding_state(finding) == before


def test_findings_freeze_once_validation_is_over(world, validating):
    far = _raise(world, validating, kind="far", text="Monitor the flare efficiency.")
    services.document_upload(activity=validating, user=world.dora, kind="validation_report",
                             uploaded=f.pdf("vr.pdf"))
    services.activity_validate(activity=validating, user=world.dora)
    before = _finding_state(far)
    with pytest.raises(Refused, match="stage of this finding is over"):
        services.finding_answer(finding=far, user=world.ama, response="Will do.")
    with pytest.raises(Refused, match="stage of this finding is over"):
        services.finding_close(finding=far, user=world.dora)
    assert _finding_state(far) == before
