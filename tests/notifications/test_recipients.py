"""Every transition of both machines tells the people who act next on its subject (the same
declarations as available_actions: awaited writes, and actions whose `waiting` holds) and the
subject's participants, never the person who acted (pacm.engine.notify)."""
import datetime

import pytest

from pacm.parties.roles import Actor
from projects import services
from projects.cycle import ACTIVITY_TRANSITIONS, PERIOD_TRANSITIONS
from projects.cycle import ActivityState as A
from projects.cycle import PeriodState as P
from projects.machines import ACTIVITY, PERIOD
from projects.models import Activity, MonitoringPeriod
from tests import factories as f

from .conftest import jump

REASON = "Reasons given."

# name: (state reached first, who fires it (None: a timer pass), the usernames told)
ACTIVITY_CASES = {
    # Next: the DNA's host approval (no DOE engaged yet); ama acted.
    "notify_prior_consideration": (A.DRAFT, "ama", {"dina"}),
    "accept_engagement": (A.PRIOR_CONSIDERATION, "dora", {"ama", "dina"}),
    "publish_for_consultation": (A.VALIDATION_CONTRACTED, "dora", {"ama", "dina"}),
    "close_consultation": (A.CONSULTATION, None, {"ama", "dora", "dina"}),
    "validate": (A.UNDER_VALIDATION, "dora", {"ama", "dina"}),
    # The issue's example: the secretariat and the participants, not dora who acted.
    "request_registration": (A.VALIDATED, "dora", {"sam", "ama"}),
    "start_completeness_check": (A.REGISTRATION_REQUESTED, "sam", {"ama"}),
    "pass_completeness_check": (A.COMPLETENESS_CHECK, "sam", {"ama"}),
    "return_incomplete": (A.COMPLETENESS_CHECK, "sam", {"ama", "dora"}),
    "resubmit_registration": (A.REQUEST_INCOMPLETE, "dora", {"ama", "sam"}),
    "pass_information_check": (A.INFORMATION_CHECK, "sam", {"ama", "sofia", "dina"}),  # PROC-AC-002 para 85
    # Under SB review, the secretariat records or opens the Board's decision (projects.board).
    "request_review": (A.REVIEW_WINDOW, "sofia", {"ama", "sam"}),
    "register_by_timer": (A.REVIEW_WINDOW, None, {"ama"}),
    # PROC-AC-002 v03.0 para 89: the appeal window closes with no appeal; the participants are told.
    "register_after_appeal": (A.REGISTRATION_APPROVED, None, {"ama"}),
    "register": (A.UNDER_SB_REVIEW, "board", {"ama"}),
    "reject": (A.UNDER_SB_REVIEW, "board", {"ama"}),
    # Nobody acts on a withdrawn activity; its only participant withdrew it.
    "withdraw": (A.DRAFT, "ama", set()),
    "deregister": (A.REGISTERED, "board", {"ama"}),
}

PERIOD_CASES = {
    "start_verification": (P.SUBMITTED, "dora", {"ama"}),
    "certify": (P.UNDER_VERIFICATION, "dora", {"ama"}),
    "request_issuance": (P.VERIFIED, "dora", {"ama", "sam"}),
    # The fee was paid at the first request; the secretariat waits for the participants' new
    # confirmation (pacm issue 9) and is told once it is given.
    "resubmit_issuance": (P.ISSUANCE_INCOMPLETE, "dora", {"ama"}),
    "start_issuance_checks": (P.ISSUANCE_REQUESTED, "sam", {"ama"}),
    # pacm issue 9 (reading omge-confirm-2): the participants decline; the DOE resubmits next (and
    # the issuance fee, still due here, waits for the secretariat to record it).
    "decline_issuance_request": (P.ISSUANCE_REQUESTED, "ama", {"dora", "sam"}),
    "pass_issuance_checks": (P.ISSUANCE_CHECKS, "sam", {"ama", "sofia", "dina"}),  # para 194
    "return_issuance_incomplete": (P.ISSUANCE_CHECKS, "sam", {"ama", "dora"}),
    "request_issuance_review": (P.ISSUANCE_REVIEW_WINDOW, "sofia", {"ama", "sam"}),
    "approve_by_timer": (P.ISSUANCE_REVIEW_WINDOW, None, {"ama"}),
    "approve_issuance": (P.ISSUANCE_UNDER_SB_REVIEW, "board", {"ama"}),
    "reject_issuance": (P.ISSUANCE_UNDER_SB_REVIEW, "board", {"ama"}),
    "close_appeal_window": (P.APPROVED, None, {"ama"}),
    "mark_issued": (P.APPROVED, None, {"ama"}),  # fired by the issuance task the appeal's close queues
    "withdraw": (P.SUBMITTED, "ama", set()),
    # Issue 6 §5 rule 2: the Board deregisters the activity; its pending period ends, and its
    # participants are told (nothing waits on an ended period).
    "end_with_activity": (P.SUBMITTED, "board", {"ama"}),
}


def test_every_transition_of_both_machines_has_a_case():
    assert set(ACTIVITY_CASES) == {t.name for t in ACTIVITY_TRANSITIONS}
    assert set(PERIOD_CASES) == {t.name for t in PERIOD_TRANSITIONS}


def _prepare_activity(world, activity, name):
    """What the transition's guards need, written before (and untold)."""
    if name == "accept_engagement":
        services.activity_engage_doe(activity=activity, user=world.ama, doe=world.orgs["doe"])
    elif name == "publish_for_consultation":
        services.document_upload(activity=activity, user=world.ama, kind="pdd", uploaded=f.pdf("pdd.pdf"))
    elif name == "validate":
        services.document_upload(activity=activity, user=world.dora, kind="validation_report", uploaded=f.pdf("vr.pdf"))
    elif name == "request_registration":
        services.host_approval_issue(activity=activity, user=world.dina, sd_confirmation="Fosters SD.",
                                     ndc_relation="Within NDC scope.", authorized_participants=[world.orgs["dev"]])
        services.authorization_statement_issue(activity=activity, user=world.dina, uses="ndc",
                                               effective_from=datetime.date(2021, 1, 1))
    elif name == "start_completeness_check":
        services.fee_record_payment(fee=activity.fees.get(kind="registration"), user=world.sam, reference="W-1")


def _fire_activity(world, activity, name, who):
    if who is None:
        return jump(activity)
    spec = ACTIVITY.write(name)
    kw = {"comment": REASON} if spec.needs_reason else {}
    return ACTIVITY.call(name, activity, user=_person(world, who), **kw)


def _person(world, who):
    """A persona, or the Board acting on a recorded decision (projects.board)."""
    return Actor.board("test decision") if who == "board" else world.people[who]


@pytest.mark.parametrize("name", sorted(ACTIVITY_CASES))
def test_an_activity_transition_tells_who_acts_next(world, activity, reach, told, name):
    state, who, expected = ACTIVITY_CASES[name]
    activity = reach(activity, state)
    _prepare_activity(world, activity, name)
    usernames, rows = told(name, lambda: _fire_activity(world, activity, name, who))
    assert Activity.objects.get(pk=activity.pk).state == ACTIVITY.write(name).target
    assert usernames == expected
    for row in rows:
        assert row.machine == "activity" and row.subject_pk == activity.pk
        assert activity.reference in row.subject_line and row.url == f"/activities/{activity.reference}/"


def _period_reach(world, drive, period, state):
    if state == P.ISSUANCE_INCOMPLETE:
        period = drive(period, P.ISSUANCE_CHECKS)
        services.period_return_issuance_incomplete(period=period, user=world.sam, comment=REASON)
    elif state == P.ISSUANCE_UNDER_SB_REVIEW:
        period = drive(period, P.ISSUANCE_REVIEW_WINDOW)
        services.period_request_issuance_review(period=period, user=world.sofia, comment=REASON)
    else:
        period = drive(period, state)
    period = MonitoringPeriod.objects.get(pk=period.pk)
    assert period.state == state
    return period


def _fire_period(world, period, name, who):
    if who is None:
        return jump(period)
    user = _person(world, who)
    if name == "end_with_activity":
        return services.activity_deregister(activity=period.activity, user=user, comment=REASON)
    if name == "certify":
        services.document_upload(activity=period.activity, user=world.dora, kind="verification_report",
                                 uploaded=f.pdf("ver.pdf"), period=period)
        return services.period_certify(period=period, user=user, verified={c.vintage: c.claimed for c in period.claims.all()})
    if name in ("request_issuance", "resubmit_issuance"):
        return PERIOD.call(name, period, user=user, units_requested=period.verified_total,
                           lines=[{"account": world.acct, "percent": "100"}])
    if name == "start_issuance_checks":
        f.issuance_confirm(period, world.ama)  # pacm issue 9
        services.fee_record_payment(fee=period.fees.get(kind="issuance"), user=world.sam, reference="W-2")
    spec = PERIOD.write(name)
    return PERIOD.call(name, period, user=user, **({"comment": REASON} if spec.needs_reason else {}))


@pytest.mark.parametrize("name", sorted(PERIOD_CASES))
def test_a_period_transition_tells_who_acts_next_on_the_period(world, registered, submit, drive, told, name):
    state, who, expected = PERIOD_CASES[name]
    period = _period_reach(world, drive, submit(registered), state)
    usernames, rows = told(name, lambda: _fire_period(world, period, name, who))
    period = MonitoringPeriod.objects.get(pk=period.pk)
    target = PERIOD.write(name).target
    assert period.state == (P.ISSUED if name == "close_appeal_window" else target)
    assert usernames == expected
    for row in rows:
        assert row.machine == "period" and row.subject_pk == period.pk
        assert f"{registered.reference} monitoring period 1" in row.subject_line
        assert row.url == f"/activities/{registered.reference}/periods/1/"


def test_the_participants_confirmation_tells_the_secretariat_the_checks_may_start(world, registered, submit, drive,
                                                                                   told):
    """pacm issue 9: once the participants confirm the election and the lines (the fee paid), the
    secretariat is the one who acts next: it is told; the participants are not (nothing awaits them)."""
    period = _period_reach(world, drive, submit(registered), P.ISSUANCE_REQUESTED)
    services.fee_record_payment(fee=period.fees.get(kind="issuance"), user=world.sam, reference="W-3")
    usernames, _rows = told("confirm_issuance_request",
                            lambda: services.period_confirm_issuance_request(period=period, user=world.ama))
    assert usernames == {"sam"}
