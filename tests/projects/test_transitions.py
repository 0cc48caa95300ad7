"""Every declared transition of the activity cycle (projects.cycle.ACTIVITY_TRANSITIONS): the one
role allowed to fire it succeeds and records exactly one typed event; every other persona,
and anyone from the wrong state, is refused and nothing changes (rules.md §1, §2.3).

The timer-only transitions are covered in test_timers.py.
"""
import datetime

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from methodologies.models import RuleSet
from pacm.common.errors import Refused, ServiceError
from pacm.events.models import EventKind
from pacm.parties.roles import Actor, Role
from projects import services
from projects.cycle import ACTIVITY_BY_NAME, ACTIVITY_TRANSITIONS
from projects.cycle import ActivityState as A
from projects.models import Activity, DocumentVersion

from .. import factories as f
from .support import PERSONAS, last_sequence, new_events, post_crediting, snapshot, stored_documents

# The persona who holds each role for the activity under test (tests/conftest.py). "board" is the
# Supervisory Body acting as a body (projects.board): no persona holds it; tests/board shows that
# only a Board decision fires as it.
HOLDER = {Role.PARTICIPANT: "ama", Role.DOE: "dora", Role.DNA: "dina", Role.SECRETARIAT: "sam", Role.SB: "sofia",
          Role.BOARD: "board"}
ORG_OF = {"ama": "dev", "dora": "doe", "dina": "dna", "sam": "sec", "sofia": "sb", "board": "sb"}
BOARD_LABEL = "board:test"

NON_TIMER = [t for t in ACTIVITY_TRANSITIONS if Role.TIMER not in t.actors]
# One case per transition, source state and role allowed to fire it.
CASES = [(t.name, source, role) for t in NON_TIMER for source in t.source for role in sorted(t.actors)]


def _who(world, name):
    if name == "board":
        return Actor(user=None, organisation=world.orgs["sb"], role=Role.BOARD, label=BOARD_LABEL)
    return world.people[name]


def _first_holder(world, name):
    return _who(world, HOLDER[sorted(ACTIVITY_BY_NAME[name].actors)[0]])

# Rule-set attribute behind each timer key (policy.md §3).
TIMER_FIELD = {
    "gsc": "gsc_days",
    "completeness_check": "completeness_check_days",
    "information_check": "information_check_days",
    "registration_review": "registration_review_days",
    "missing_information": "missing_information_days",
    "registration_appeal": "registration_appeal_days",
}


def _prepare(world, activity, name):
    """What the guards of `name` need, so that only identity and state decide the outcome."""
    if name == "accept_engagement":
        services.activity_engage_doe(activity=activity, user=world.ama, doe=world.orgs["doe"])
    elif name == "publish_for_consultation":
        services.document_upload(activity=activity, user=world.ama, kind="pdd", uploaded=f.pdf("pdd.pdf"))
    elif name == "validate":
        services.document_upload(
            activity=activity, user=world.dora, kind="validation_report",
            uploaded=f.pdf("vr.pdf", content=f.pdf_bytes("validation report")),
        )
    elif name == "request_registration":
        services.host_approval_issue(
            activity=activity, user=world.dina, sd_confirmation="Fosters SD.", ndc_relation="Within NDC scope.",
            authorized_participants=[world.orgs["dev"]],
        )
        services.authorization_statement_issue(
            activity=activity, user=world.dina, uses="ndc", effective_from=datetime.date(2021, 1, 1)
        )
    elif name == "start_completeness_check":
        fee = activity.fees.get(kind="registration")
        services.fee_record_payment(fee=fee, user=world.sam, reference="WIRE-42")
    elif name == "request_monitoring_termination":
        post_crediting(activity)


def _fire(name, activity, user, comment):
    extra = {"ground": "negligible_risk"} if name == "request_monitoring_termination" else {}
    return getattr(services, f"activity_{name}")(activity=activity, user=user, comment=comment, **extra)


def test_every_non_timer_transition_is_tested():
    """A transition added to cycle.py without a case here fails this test."""
    assert {name for name, _, _ in CASES} == {t.name for t in ACTIVITY_TRANSITIONS if Role.TIMER not in t.actors}
    assert {(n, s) for n, s, _ in CASES} == {(t.name, s) for t in NON_TIMER for s in t.source}
    assert {(n, r) for n, _, r in CASES} == {(t.name, r) for t in NON_TIMER for r in t.actors}


@pytest.mark.parametrize("name,source,role", CASES, ids=[f"{n}-from-{s}-by-{r}" for n, s, r in CASES])
def test_transition_allowed_actor_and_everyone_else(world, activity, reach, distinct_timers, name, source, role):
    spec = ACTIVITY_BY_NAME[name]
    holder = HOLDER[role]
    activity = reach(activity, source)
    _prepare(world, activity, name)
    activity = Activity.objects.get(pk=activity.pk)
    comment = f"Reasons for {name}."

    before = snapshot(activity)
    # Everyone who holds none of the roles that may fire it (for the Board's: every persona).
    holders = {HOLDER[r] for r in spec.actors}
    outsiders = [p for p in PERSONAS if p not in holders]
    for persona in outsiders:
        with pytest.raises(Refused):
            _fire(name, activity, world.people[persona], comment)
        assert snapshot(activity) == before, f"{persona} changed something"
    with pytest.raises(Refused):
        _fire(name, activity, AnonymousUser(), comment)
    assert snapshot(activity) == before

    since = last_sequence(activity)
    moment = timezone.now().replace(microsecond=0) + datetime.timedelta(hours=1)
    with time_machine.travel(moment, tick=False):
        _fire(name, activity, _who(world, holder), comment)

    after = Activity.objects.get(pk=activity.pk)
    assert after.state == spec.target
    assert after.state_entered_at == moment
    if spec.timer:
        days = getattr(RuleSet.objects.in_force(moment.date()), TIMER_FIELD[spec.timer])
        assert after.due_at == moment + datetime.timedelta(days=days)
    else:
        assert after.due_at is None

    events = new_events(activity, since)
    expected_kinds = [EventKind.ACTIVITY_TRANSITIONED]
    if name == "request_registration":
        expected_kinds = [EventKind.FEE_ASSESSED, EventKind.ACTIVITY_TRANSITIONED]  # RMP 48: fee with the request
    assert [e.kind for e in events] == expected_kinds
    event = events[-1]
    assert event.actor == (None if holder == "board" else world.people[holder])
    assert event.actor_label == (BOARD_LABEL if holder == "board" else holder)
    assert event.organisation == world.orgs[ORG_OF[holder]]
    assert event.role == str(role)
    assert (event.from_state, event.to_state) == (source, spec.target)
    assert event.comment == comment
    assert event.created_at == moment
    expected_payload = {"transition": name, "documents": stored_documents(activity)}
    if name == "request_registration":
        fee = after.fees.get(kind="registration")
        expected_payload.update(fee_usd=str(fee.amount_usd), fee_status=fee.status)
    if name == "request_monitoring_termination":
        expected_payload.update(ground="negligible_risk")  # STAN-METH-002 para 28(a)
    assert {**event.payload, "documents": sorted(event.payload["documents"], key=lambda d: (d["kind"], d["version"]))} \
        == expected_payload


# One state per transition that is off its source, where its holder is still tied to the activity.
WRONG_STATE = {
    "notify_prior_consideration": A.PRIOR_CONSIDERATION,
    "accept_engagement": A.VALIDATION_CONTRACTED,
    "publish_for_consultation": A.CONSULTATION,
    "validate": A.VALIDATED,
    "request_registration": A.REGISTRATION_REQUESTED,
    "resubmit_registration": A.REGISTRATION_REQUESTED,
    "start_completeness_check": A.COMPLETENESS_CHECK,
    "pass_completeness_check": A.INFORMATION_CHECK,
    "return_incomplete": A.REQUEST_INCOMPLETE,
    "pass_information_check": A.REVIEW_WINDOW,
    "request_review": A.UNDER_SB_REVIEW,
    "register": A.REGISTERED,
    "reject": A.REVIEW_WINDOW,
    "withdraw": A.REGISTERED,
    "deregister": A.UNDER_SB_REVIEW,
    "request_monitoring_termination": A.TERMINATION_REQUESTED,
    "terminate_monitoring": A.REGISTERED,
    "refuse_monitoring_termination": A.REGISTERED,
}


def test_every_transition_has_a_wrong_state_case():
    assert set(WRONG_STATE) == {t.name for t in NON_TIMER}
    for name, state in WRONG_STATE.items():
        assert state not in ACTIVITY_BY_NAME[name].source


@pytest.mark.parametrize("name", sorted(WRONG_STATE))
def test_transition_refused_from_a_wrong_state(world, activity, reach, name):
    activity = reach(activity, WRONG_STATE[name])
    before = snapshot(activity)
    with pytest.raises(Refused, match="is not possible while"):
        _fire(name, activity, _first_holder(world, name), "Reasons.")
    assert snapshot(activity) == before


NEEDS_REASON = [(t.name, t.source[0]) for t in NON_TIMER if t.needs_reason]


@pytest.mark.parametrize("name,source", NEEDS_REASON, ids=[n for n, _ in NEEDS_REASON])
def test_decisions_need_reasons(world, activity, reach, name, source):
    """Returns, reviews, decisions and withdrawals carry their reasons in the event log."""
    activity = reach(activity, source)
    before = snapshot(activity)
    for blank in ("", "   "):
        with pytest.raises(ServiceError) as error:
            _fire(name, activity, _first_holder(world, name), blank)
        assert not isinstance(error.value, Refused)
        assert error.value.field == "comment"
        assert snapshot(activity) == before


def test_inactive_member_is_refused(world, activity):
    """Deny by default: a deactivated account no longer acts for its organisation."""
    world.ama.is_active = False
    world.ama.save()
    before = snapshot(activity)
    with pytest.raises(Refused):
        services.activity_notify_prior_consideration(activity=activity, user=world.ama)
    assert snapshot(activity) == before


def test_participant_of_both_organisations_acts_through_the_one_on_the_activity(world, activity):
    """A user in two participant organisations is recorded under the one tied to the activity."""
    from pacm.parties.models import Membership

    Membership.objects.create(user=world.kofi, organisation=world.orgs["dev"])
    services.activity_notify_prior_consideration(activity=activity, user=world.kofi)
    event = Activity.objects.get(pk=activity.pk).events.order_by("-sequence").first()
    assert event.organisation == world.orgs["dev"]
    assert event.actor == world.kofi


def test_unknown_activity_is_a_clear_error(world, activity):
    ghost = Activity(pk=activity.pk + 1000)
    with pytest.raises(ServiceError, match="No such activity"):
        services.activity_notify_prior_consideration(activity=ghost, user=world.ama)


def test_the_event_names_the_latest_version_of_each_document(world, activity, advance_to):
    """The decision is taken on the latest versions: the event pins them by SHA-256."""
    import hashlib

    activity = advance_to(activity, A.VALIDATION_CONTRACTED)
    v1 = f.pdf_bytes("PDD first")
    v2 = f.pdf_bytes("PDD second")
    sd = f.pdf_bytes("SD tool report")
    for content in (v1, v2):
        services.document_upload(activity=activity, user=world.ama, kind="pdd", uploaded=f.pdf("pdd.pdf", content))
    services.document_upload(activity=activity, user=world.ama, kind="sd_report", uploaded=f.pdf("sd.pdf", sd))
    services.activity_publish_for_consultation(activity=activity, user=world.dora)
    event = Activity.objects.get(pk=activity.pk).events.order_by("-sequence").first()
    pdd2 = DocumentVersion.objects.get(document__activity=activity, document__kind="pdd", number=2)
    sd1 = DocumentVersion.objects.get(document__activity=activity, document__kind="sd_report", number=1)
    # Issue 6 §3: the event refers to the versions the decision rests on, by id and hash.
    assert sorted(event.payload["documents"], key=lambda d: d["kind"]) == [
        {"id": pdd2.pk, "kind": "pdd", "version": 2, "sha256": hashlib.sha256(v2).hexdigest()},
        {"id": sd1.pk, "kind": "sd_report", "version": 1, "sha256": hashlib.sha256(sd).hexdigest()},
    ]
