"""Post-crediting monitoring (A6.4-STAN-METH-002 v01.0 paras 26-28, 33).

After the last crediting period of a removals activity, monitoring reports continue; nothing is
issued for them (the period ends at verification; an issuance request is refused with a code);
a storage loss is still a reversal; the participants may ask the SB to let monitoring end, on
ground (a) negligible risk or (b) future reversals remediated.
"""
import datetime

import pytest

from pacm.common.errors import Refused, ServiceError
from pacm.events.models import EventKind
from projects import services
from projects.cycle import ActivityState as A
from projects.cycle import PeriodState as P
from projects.guards import not_post_crediting
from projects.models import Activity, MonitoringPeriod, Reversal
from tests import factories as f
from tests.issuance.conftest import period_dates
from tests.projects.support import last_sequence, new_events

from .conftest import year
from .test_net_removals import certify


@pytest.fixture
def ended(removals):
    """The crediting period ends with monitoring period 2 (periods 3 and 4 are already over)."""
    Activity.objects.filter(pk=removals.pk).update(crediting_end=period_dates(removals, 2)[1])
    return Activity.objects.get(pk=removals.pk)


def test_a_period_after_the_crediting_period_is_post_crediting_and_ends_at_verification(world, ended, report, drive):
    drive(report(ended, 1, {year(ended, 1): 30_000}), P.ISSUED)
    drive(report(ended, 2, {year(ended, 2): 1_000}), P.ISSUED)
    third = report(ended, 3, {year(ended, 3): 2_000}, {year(ended, 3): 2_000})
    assert third.post_crediting
    submitted = new_events(ended, last_sequence(ended) - 2)
    assert submitted[-1].kind == EventKind.MONITORING_SUBMITTED and submitted[-1].payload["post_crediting"] is True
    since = last_sequence(ended)
    third = certify(world, third)
    assert third.state == P.MONITORED
    events = new_events(ended, since)
    assert [(e.kind, e.payload.get("transition")) for e in events][-2:] == [
        (EventKind.MONITORING_TRANSITIONED, "certify"), (EventKind.MONITORING_TRANSITIONED, "end_post_crediting")]
    assert (events[-1].actor, events[-1].from_state, events[-1].to_state) == (world.dora, P.VERIFIED, P.MONITORED)
    # Nothing is offered on the period any more: a terminal state.
    with pytest.raises(Refused):
        services.period_request_issuance(period=third, user=world.dora, units_requested=2_000,
                                         lines=[{"account": world.acct, "percent": "100"}])


def test_an_issuance_request_for_a_post_crediting_period_is_refused_with_a_code(world, ended, report):
    report(ended, 1, {year(ended, 1): 10}), report(ended, 2, {year(ended, 2): 10})
    third = report(ended, 3, {year(ended, 3): 2_000})
    # Were it left verified (a period recorded before this rule), the request is still refused.
    MonitoringPeriod.objects.filter(pk=third.pk).update(state=P.VERIFIED)
    third.claims.update(verified=2_000)
    third = MonitoringPeriod.objects.get(pk=third.pk)
    assert not_post_crediting(third).code == "not_post_crediting"
    with pytest.raises(ServiceError) as error:
        services.period_request_issuance(period=third, user=world.dora, units_requested=2_000,
                                         lines=[{"account": world.acct, "percent": "100"}])
    assert error.value.code == "not_post_crediting"
    assert not third.fees.exists()


def test_a_storage_loss_in_post_crediting_monitoring_is_a_reversal(world, ended, report, drive):
    drive(report(ended, 1, {year(ended, 1): 30_000}), P.ISSUED)
    certify(world, report(ended, 2, {year(ended, 2): 0}))
    y = year(ended, 3)
    third = report(ended, 3, {y: -800}, {y: -800})
    certify(world, third)
    assert Reversal.objects.get().quantity == 800
    assert MonitoringPeriod.objects.get(pk=third.pk).state == P.MONITORED


def test_a_period_across_the_crediting_end_is_refused(world, removals, period_over):
    start, _ = period_dates(removals, 1)
    _, end = period_dates(removals, 2)
    Activity.objects.filter(pk=removals.pk).update(crediting_end=period_dates(removals, 1)[1])
    period_over(end)
    with pytest.raises(ServiceError) as error:
        services.period_submit(activity=Activity.objects.get(pk=removals.pk), user=world.ama, start=start, end=end,
                               claims={start.year: 10}, report=f.pdf("m.pdf"))
    assert error.value.code == "period_straddles_crediting_end"


def test_an_activity_that_is_not_removals_is_not_monitored_after_its_crediting_period(world, registered, period_over):
    Activity.objects.filter(pk=registered.pk).update(crediting_end=period_dates(registered, 2)[1])
    start, end = period_dates(registered, 3)
    period_over(end)
    with pytest.raises(ServiceError) as error:
        services.period_submit(activity=Activity.objects.get(pk=registered.pk), user=world.ama, start=start,
                               end=end, claims={start.year: 10}, report=f.pdf("m.pdf"))
    assert error.value.code == "period_outside_crediting"


# --- Termination on request (para 28) -------------------------------------------------------------


def _request(world, activity, user=None, ground="reversals_remediated", comment="Insurance covers every reversal."):
    return services.activity_request_monitoring_termination(activity=activity, user=user or world.ama,
                                                            ground=ground, comment=comment)


def test_termination_is_requested_by_the_participants_and_decided_by_the_board(world, ended):
    since = last_sequence(ended)
    for persona in ("kofi", "dora", "dina", "sam", "sofia"):
        with pytest.raises(Refused):
            _request(world, ended, user=getattr(world, persona))
    activity = _request(world, ended)
    assert activity.state == A.TERMINATION_REQUESTED
    [event] = new_events(ended, since)
    assert (event.kind, event.payload["transition"], event.payload["ground"], event.actor) == (
        EventKind.ACTIVITY_TRANSITIONED, "request_monitoring_termination", "reversals_remediated", world.ama)
    # No persona decides alone: the Board does (projects.board), as recorded by the secretariat.
    for persona in ("ama", "sam", "sofia"):
        with pytest.raises(Refused):
            services.activity_terminate_monitoring(activity=activity, user=getattr(world, persona), comment="No.")
    f.board_decide(world, activity, "terminate_monitoring", comment="Remediation secured (para 28(b)).")
    activity = Activity.objects.get(pk=ended.pk)
    assert activity.state == A.MONITORING_TERMINATED
    last = new_events(ended, since)[-1]
    assert (last.payload["transition"], last.role, last.to_state) == ("terminate_monitoring", "board",
                                                                     A.MONITORING_TERMINATED)
    # Terminal: no report is taken any more.
    with pytest.raises(Refused):
        _request(world, activity)


def test_the_board_may_refuse_and_monitoring_goes_on(world, ended):
    activity = _request(world, ended, ground="negligible_risk", comment="Deep geological storage.")
    f.board_decide(world, activity, "refuse_monitoring_termination", comment="Not demonstrated (para 28(a)).")
    assert Activity.objects.get(pk=ended.pk).state == A.REGISTERED


@pytest.mark.parametrize("setup, code", [
    ("crediting_running", "crediting_ended"),
    ("not_removals", "removals_activity"),
    ("period_pending", "no_period_pending"),
    ("reversal_open", "no_reversal_open"),
])
def test_termination_is_refused_until_its_conditions_hold(world, ended, report, drive, setup, code):
    if setup == "crediting_running":
        Activity.objects.filter(pk=ended.pk).update(crediting_end=datetime.date.today() + datetime.timedelta(days=400))
    elif setup == "not_removals":
        methodology = ended.methodology_version.methodology
        methodology.kind, methodology.reversal_risk = "reductions", True
        methodology.save()
    elif setup == "period_pending":
        report(ended, 1, {year(ended, 1): 10})
    elif setup == "reversal_open":
        drive(report(ended, 1, {year(ended, 1): 1_000}), P.ISSUED)
        services.reversal_report(activity=ended, user=world.ama, quantity=10, kind="unavoidable", description="Fire")
    activity = Activity.objects.get(pk=ended.pk)
    with pytest.raises(ServiceError) as error:
        _request(world, activity)
    assert error.value.code == code
    assert Activity.objects.get(pk=ended.pk).state == A.REGISTERED


def test_termination_needs_a_ground_of_para_28(world, ended):
    with pytest.raises(ServiceError) as error:
        _request(world, ended, ground="tired")
    assert (error.value.code, error.value.field) == ("termination_ground_required", "ground")


def test_the_button_carries_the_ground(client, world, ended):
    client.force_login(world.ama)
    page = client.get(f"/activities/{ended.reference}/")
    assert 'name="t-request_monitoring_termination-ground"' in page.content.decode()
    response = client.post(f"/activities/{ended.reference}/do/request_monitoring_termination/", {
        "t-request_monitoring_termination-comment": "Negligible risk: mineralised.",
        "t-request_monitoring_termination-ground": "negligible_risk",
        "t-request_monitoring_termination-expected_state": "registered"})
    assert response.status_code == 302
    assert Activity.objects.get(pk=ended.pk).state == A.TERMINATION_REQUESTED
