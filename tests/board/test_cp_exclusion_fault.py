"""The Board panel's exclusion of an erroneously included CP with its finding on the validating DOE
(A6.4-PROC-AC-003 v03.0 paras 132(b), 137, 139): the SB, deciding as a body (RMP para 22) at a meeting
the secretariat records or by an electronic decision, finds whether the validating DOE failed to assess
the CP; at fault, the DOE owes the units issued for the CP, to be cancelled within the rule set's
`cp_liability_days` of the exclusion (projects.poa.liability). The finding is a declared input of
`exclude_erroneous` (projects.board.subjects.FINDINGS), carried to `cp_exclude_erroneous(doe_at_fault=...)`.

Personas (tests/conftest.py): sam the secretariat, dina Ghana's DNA, otto's Orbis Assurance validated and
included CP0001 (Ghana), which was issued 12,000 units; ama coordinates the PoA.
"""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from pacm.common.errors import ServiceError
from pacm.events.models import Event
from projects.board.models import Decision, Vote
from projects.board.services import board_decision_open_electronic, board_decision_record_meeting
from projects.cycle import PeriodState as P
from projects.poa import services as poa_services
from projects.poa.cycle import CPState as C
from projects.poa.cycle import LiabilityState as L
from projects.poa.models import ComponentProject, InclusionLiability
from tests.api.conftest import bearer  # noqa: F401  (fixture)
from tests.poa.conftest import poa  # noqa: F401  (fixture)
from tests.poa.issuance_world import batch, drive, poa_world  # noqa: F401  (poa_world: the fixture pw)

from .conftest import votes

pytestmark = pytest.mark.django_db

REASONS = "The CP lies outside the PoA's boundary: erroneously included (PROC-AC-003 para 132(b))."


@pytest.fixture
def under_review(world, pw, django_capture_on_commit_callbacks):
    """CP0001 issued 12,000 units, then put under review by Ghana's DNA (para 128)."""
    drive(world, batch(world, pw, {"gh": {pw.y1: 10_000, pw.y2: 2_000}}), P.ISSUED, django_capture_on_commit_callbacks)
    cp = ComponentProject.objects.get(pk=pw.cps["gh"].pk)
    return poa_services.cp_request_inclusion_review(cp=cp, user=world.dina, comment="Outside the boundary?")


def _since(stream):
    return Event.objects.filter(stream=stream).order_by("-sequence").values_list("sequence", flat=True).first()


def _events(stream, since):
    return list(Event.objects.filter(stream=stream, sequence__gt=since).order_by("sequence"))


def _record_url(cp):
    return reverse("board-subject-record", kwargs={"kind": "component", "pk": cp.pk})


def _meeting_post(transition="exclude_erroneous", **extra):
    data = {"board-meeting-transition": transition, "board-meeting-meeting": "SBM021",
            "board-meeting-agenda_item": "3.4", "board-meeting-outcome": "adopted", "board-meeting-by": "consensus",
            "board-meeting-comment": REASONS}
    data.update(extra)
    return data


def _assert_liability(cp, exclusion_event):
    """12,000 units owed by Orbis Assurance, due cp_liability_days (30) after the exclusion (para 139)."""
    liability = InclusionLiability.objects.get(component=cp)
    days = liability.rule_set.cp_liability_days
    assert days == 30
    assert (liability.doe.name, liability.units, liability.state, liability.due_on) == (
        "Orbis Assurance", 12_000, L.OPEN, timezone.localdate(exclusion_event.created_at + datetime.timedelta(days=days)))
    return liability


def test_a_meeting_finds_the_doe_at_fault_and_the_liability_is_recorded(world, pw, under_review, as_user):
    """Para 139, through the CP page's Board panel: the secretariat records the meeting's exclusion with
    the finding that the validating DOE is at fault; the exclusion's event carries the liability."""
    cp = under_review
    page = as_user(world.sam).get(reverse("cp-detail", args=[cp.reference])).content.decode()
    assert 'name="board-meeting-doe_at_fault"' in page and 'name="board-open-doe_at_fault"' in page
    since = _since(pw.poa.stream)
    response = as_user(world.sam).post(_record_url(cp), _meeting_post(**{"board-meeting-doe_at_fault": "on"}))
    assert response.status_code == 302, response.content.decode()[:500]
    decision = Decision.objects.get(subject_kind="component", subject_id=cp.pk)
    assert (decision.status, decision.findings) == (Decision.Status.ADOPTED, {"doe_at_fault": True})
    assert ComponentProject.objects.get(pk=cp.pk).state == C.EXCLUDED_ERRONEOUS
    events = _events(pw.poa.stream, since)
    assert [(e.kind, e.actor_label, e.from_state, e.to_state) for e in events] == [
        ("board.decided", "sam", "", ""),
        ("cp.transitioned", f"board:{decision.pk}", C.UNDER_INCLUSION_REVIEW, C.EXCLUDED_ERRONEOUS),
    ]
    decided, excluded = events
    assert {k: decided.payload[k] for k in ("proposed", "component", "doe_at_fault", "meeting", "outcome")} == {
        "proposed": "exclude_erroneous", "component": cp.reference, "doe_at_fault": True, "meeting": "SBM021",
        "outcome": "adopted"}
    liability = _assert_liability(cp, excluded)
    assert {k: excluded.payload[k] for k in ("transition", "doe_at_fault", "liability_units", "liability_due_on",
                                             "liability_doe")} == {
        "transition": "exclude_erroneous", "doe_at_fault": True, "liability_units": 12_000,
        "liability_due_on": str(liability.due_on), "liability_doe": "Orbis Assurance"}
    # The CP page, public once included, shows the finding and the liability.
    page = as_user(world.kofi).get(reverse("cp-detail", args=[cp.reference])).content.decode()
    assert "found the validating DOE at fault" in page and "12,000" in page and 'id="liability"' in page
    panel = as_user(world.sam).get(reverse("cp-detail", args=[cp.reference])).content.decode()
    assert "Found: The validating DOE is at fault." in panel


def test_an_electronic_exclusion_carries_the_proposed_finding(world, pw, under_review, board, as_user):
    """The members vote on the exclusion with its finding (A6.4-SBM017 v01.0 para 36): adopted, the
    finding goes to the exclusion and the liability is recorded (para 139)."""
    cp = under_review
    since = _since(pw.poa.stream)
    decision = board_decision_open_electronic(subject=cp, transition="exclude_erroneous", user=world.sam,
                                              comment=REASONS, findings={"doe_at_fault": True})
    assert InclusionLiability.objects.count() == 0
    page = as_user(world.sofia).get(reverse("cp-detail", args=[cp.reference])).content.decode()
    assert "Finding proposed with it: The validating DOE is at fault." in page
    votes(decision, board.members, Vote.Choice.YES)
    decision = Decision.objects.get(pk=decision.pk)
    assert decision.status == Decision.Status.ADOPTED
    events = _events(pw.poa.stream, since)
    label = f"board:{decision.pk}"
    assert [(e.kind, e.actor_label) for e in events] == [
        ("board.decision_opened", "sam"), ("board.decided", label), ("cp.transitioned", label)]
    assert [e.payload["doe_at_fault"] for e in events] == [True, True, True]
    assert events[2].payload["liability_units"] == 12_000
    _assert_liability(cp, events[2])


def test_without_the_finding_no_liability_is_recorded(world, pw, under_review, as_user):
    """Para 139 applies only where the SB determines the DOE at fault: the box left empty, the CP is
    excluded and the DOE owes nothing; the events and the CP page say the DOE was not found at fault."""
    cp = under_review
    since = _since(pw.poa.stream)
    assert as_user(world.sam).post(_record_url(cp), _meeting_post()).status_code == 302
    decision = Decision.objects.get(subject_kind="component", subject_id=cp.pk)
    assert decision.findings == {"doe_at_fault": False}
    assert ComponentProject.objects.get(pk=cp.pk).state == C.EXCLUDED_ERRONEOUS
    assert not InclusionLiability.objects.exists()
    events = _events(pw.poa.stream, since)
    assert [(e.kind, e.payload.get("doe_at_fault")) for e in events] == [
        ("board.decided", False), ("cp.transitioned", False)]
    assert "liability_units" not in events[1].payload
    page = as_user(world.kofi).get(reverse("cp-detail", args=[cp.reference])).content.decode()
    assert "did not find the validating DOE at fault" in page and 'id="liability"' not in page


@pytest.mark.parametrize("post, field, message", [
    ({"board-meeting-transition": "confirm_inclusion", "board-meeting-doe_at_fault": "on"}, "doe_at_fault",
     "is found only with: Exclude the CP (erroneous inclusion)"),
    ({"board-meeting-doe_at_fault": "maybe"}, "doe_at_fault", "Tick the box or leave it"),
    ({"board-meeting-doe_at_fault": "on", "board-meeting-outcome": "not_adopted", "board-meeting-by": "vote",
      "board-meeting-yes": "3", "board-meeting-no": "9", "board-meeting-abstain": "0"}, "doe_at_fault",
     "A finding is made only with an adopted decision."),
])
def test_the_form_refuses_bad_findings_and_changes_nothing(world, pw, under_review, as_user, post, field, message):
    """Bad input shows the page again with the message on the field: no decision, no event, no liability."""
    cp = under_review
    since = _since(pw.poa.stream)
    response = as_user(world.sam).post(_record_url(cp), _meeting_post(**post))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Decision.objects.filter(subject_kind="component").exists()
    assert ComponentProject.objects.get(pk=cp.pk).state == C.UNDER_INCLUSION_REVIEW
    assert _events(pw.poa.stream, since) == [] and not InclusionLiability.objects.exists()


def test_the_services_refuse_findings_the_transition_does_not_take(world, pw, under_review):
    """The services are the authority: an unknown finding, a finding with the confirmation, not yes or no."""
    cp = under_review
    cases = [({"doe_at_fault": True}, "confirm_inclusion", "board_finding_not_taken"),
             ({"validator_negligent": True}, "exclude_erroneous", "board_finding_unknown"),
             ({"doe_at_fault": "yes"}, "exclude_erroneous", "board_finding_yes_no")]
    for findings, transition, code in cases:
        with pytest.raises(ServiceError) as error:
            board_decision_record_meeting(subject=cp, transition=transition, user=world.sam, meeting="SBM021",
                                          agenda_item="3.4", outcome="adopted", comment=REASONS, findings=findings)
        assert error.value.code == code
        with pytest.raises(ServiceError) as error:
            board_decision_open_electronic(subject=cp, transition=transition, user=world.sam, comment=REASONS,
                                           findings=findings)
        assert error.value.code == code
    assert not Decision.objects.exists() and ComponentProject.objects.get(pk=cp.pk).state == C.UNDER_INCLUSION_REVIEW


def test_the_api_takes_the_finding_with_the_meeting_decision(world, pw, under_review, bearer):  # noqa: F811
    """The API's decide_as_board reads the panel's own form (projects.api_writes), finding included."""
    cp = under_review
    url = f"/api/v1/cps/{cp.reference}/actions/decide_as_board"
    inputs = {"mode": "meeting", "transition": "exclude_erroneous", "meeting": "SBM021", "agenda_item": "3.4",
              "outcome": "adopted", "by": "consensus"}
    bad = bearer(world.sam).post(url, {"inputs": {**inputs, "doe_at_fault": "perhaps"}, "comment": REASONS},
                                 content_type="application/json")
    assert bad.status_code == 400 and ComponentProject.objects.get(pk=cp.pk).state == C.UNDER_INCLUSION_REVIEW
    done = bearer(world.sam).post(url, {"inputs": {**inputs, "doe_at_fault": True}, "comment": REASONS},
                                  content_type="application/json")
    assert done.status_code == 200, done.content
    assert [e["kind"] for e in done.json()["events"]] == ["board.decided", "cp.transitioned"]
    assert InclusionLiability.objects.get(component=cp).units == 12_000
