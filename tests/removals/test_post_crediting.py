"""Post-crediting monitoring (A6.4-STAN-METH-002 v01.0 paras 26-28, 33).

After the last crediting period of a removals activity, monitoring reports continue; nothing is
issued for them (the issuance request's guard `not_post_crediting`); a storage loss is still a
reversal (an observed event); the participants may ask the SB to let monitoring end, on ground (a)
negligible risk or (b) future reversals remediated; granted, no report is due or taken any more.
"""
import datetime

import pytest
from django.utils import timezone

from pacm.common.errors import Refused, ServiceError
from pacm.engine.offers import available_actions
from pacm.events.models import EventKind
from projects import services
from projects.cycle import PeriodState as P
from projects.models import Activity, IssuanceRequest
from projects.removals import services as rem
from projects.removals.cycle import TerminationState as TS
from projects.removals.models import MonitoringTermination
from projects.reversals import services as rev
from projects.reversals.cycle import EventState as E
from projects.reversals.due_cycle import DueState as D
from projects.reversals.models import ObservedEvent, ReportDue
from projects.timers import timers_run
from tests import factories as f
from tests.issuance.conftest import period_dates
from tests.projects.support import last_sequence, new_events

from .conftest import certify, year


@pytest.fixture
def ended(removals):
    """The crediting period ends with monitoring period 2 (periods 3 and 4 are already over)."""
    Activity.objects.filter(pk=removals.pk).update(crediting_end=period_dates(removals, 2)[1])
    return Activity.objects.get(pk=removals.pk)


def _issue(period, world):
    return services.period_request_issuance(period=period, user=world.dora, units_requested=2_000,
                                            lines=[{"account": world.acct, "percent": "100"}])


def test_a_period_after_the_crediting_period_is_verified_and_issues_nothing(world, ended, report, drive):
    drive(report(ended, 1, {year(ended, 1): 30_000}), P.ISSUED)
    drive(report(ended, 2, {year(ended, 2): 1_000}), P.ISSUED)
    third = report(ended, 3, {year(ended, 3): 2_000}, {year(ended, 3): 2_000})
    assert rem.period_is_post_crediting(third)
    third = certify(world, third)
    assert third.state == P.VERIFIED and third.verified_total == 2_000
    # Para 27: the DOE is offered the issuance request, blocked with the reason; the service refuses.
    offer = available_actions(world.dora, third).get("request_issuance")
    assert offer is not None and "para 27" in str(offer.blocked)
    since = last_sequence(ended)
    with pytest.raises(ServiceError) as error:
        _issue(third, world)
    assert error.value.code == "not_post_crediting"
    assert not IssuanceRequest.objects.filter(period=third).exists() and not third.fees.exists()
    assert new_events(ended, since) == []


def test_a_storage_loss_in_post_crediting_monitoring_is_an_observed_event(world, ended, report, drive):
    drive(report(ended, 1, {year(ended, 1): 30_000}), P.ISSUED)
    certify(world, report(ended, 2, {year(ended, 2): 0}))
    y = year(ended, 3)
    certify(world, report(ended, 3, {y: -800}, {y: -800}))
    event = ObservedEvent.objects.get(activity=ended)
    assert (event.state, event.storage_loss.quantity, event.storage_loss.period.number) == (E.NOTIFIED, 800, 3)


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
    assert error.value.code == "period_after_crediting"


# --- Termination on request (para 28) -------------------------------------------------------------


def _request(world, activity, user=None, ground="remediated", demonstration="Insurance covers every reversal."):
    return rem.termination_request(activity=activity, user=user or world.ama, ground=ground,
                                   demonstration=demonstration, evidence=f.pdf("evidence.pdf"))


def test_the_participants_ask_and_the_sb_grants_and_no_report_is_due_after(world, ended, report):
    version = ended.methodology_version
    version.first_report_max_years, version.report_interval_max_years = 5, 2
    version.save()
    timers_run()  # opens the first due date (para 21(a))
    due = ReportDue.objects.get(activity=ended)
    since = last_sequence(ended)
    for persona in ("kofi", "dora", "dina", "sam", "sofia"):
        with pytest.raises(Refused):
            _request(world, ended, user=getattr(world, persona))
    termination = _request(world, ended)
    assert (termination.number, termination.state, termination.ground) == (1, TS.REQUESTED, "remediated")
    assert termination.evidence is not None
    events = new_events(ended, since)
    assert [e.kind for e in events][-1] == EventKind.TERMINATION_REQUESTED
    assert (events[-1].payload["termination"], events[-1].payload["ground"], events[-1].actor) == (
        1, "remediated", world.ama)
    # One request at a time.
    with pytest.raises(ServiceError) as error:
        _request(world, ended)
    assert error.value.code == "no_termination_pending"
    # Only the SB decides (para 28).
    for persona in ("ama", "dora", "sam"):
        with pytest.raises(Refused):
            rem.termination_grant(termination=termination, user=getattr(world, persona), comment="Granted.")
    since = last_sequence(ended)
    termination = rem.termination_grant(termination=termination, user=world.sofia,
                                        comment="Remediation secured (para 28(b)).")
    assert termination.state == TS.GRANTED
    due.refresh_from_db()
    assert due.state == D.ENDED
    kinds = [(e.kind, e.payload.get("transition")) for e in new_events(ended, since)]
    assert kinds == [(EventKind.REPORT_DUE_TRANSITIONED, "end_with_termination"),
                     (EventKind.TERMINATION_TRANSITIONED, "grant_termination")]
    assert new_events(ended, since)[-1].payload["closed_dues"] == [1]
    # No further report is taken, nor another request.
    with pytest.raises(ServiceError) as error:
        report(Activity.objects.get(pk=ended.pk), 1, {year(ended, 1): 10})
    assert error.value.code == "monitoring_terminated"
    with pytest.raises(ServiceError):
        _request(world, ended)


def test_the_sb_may_refuse_and_monitoring_goes_on(world, ended):
    termination = _request(world, ended, ground="negligible_risk", demonstration="Deep geological storage.")
    termination = rem.termination_refuse(termination=termination, user=world.sofia,
                                         comment="Not demonstrated (para 28(a)).")
    assert termination.state == TS.REFUSED
    assert not rem.monitoring_terminated(ended)
    assert _request(world, ended).number == 2  # they may ask again


@pytest.mark.parametrize("setup, code", [
    ("crediting_running", "crediting_not_ended"),
    ("not_removals", None),
])
def test_termination_is_not_asked_before_post_crediting_monitoring(world, ended, setup, code):
    if setup == "crediting_running":
        Activity.objects.filter(pk=ended.pk).update(
            crediting_end=timezone.localdate() + datetime.timedelta(days=400))
    else:
        methodology = ended.methodology_version.methodology
        methodology.kind = "reductions"
        methodology.save()
    with pytest.raises(ServiceError) as error:
        _request(world, Activity.objects.get(pk=ended.pk))
    if code:
        assert error.value.code == code
    assert not MonitoringTermination.objects.exists()


def test_the_sb_grants_only_once_reports_and_events_are_settled(world, ended, report, drive):
    drive(report(ended, 1, {year(ended, 1): 1_000}), P.ISSUED)
    termination = _request(world, ended)
    pending = report(ended, 2, {year(ended, 2): 10})
    with pytest.raises(ServiceError) as error:
        rem.termination_grant(termination=termination, user=world.sofia, comment="Granted.")
    assert error.value.code == "period_open"
    certify(world, pending)
    rev.observed_event_notify(activity=ended, user=world.ama, description="Fire", location="Plot 2",
                              occurred_from=timezone.localdate() - datetime.timedelta(days=3),
                              aware_on=timezone.localdate() - datetime.timedelta(days=2))
    with pytest.raises(ServiceError) as error:
        rem.termination_grant(termination=termination, user=world.sofia, comment="Granted.")
    assert error.value.code == "observed_event_open"
    assert MonitoringTermination.objects.get().state == TS.REQUESTED


def test_termination_needs_a_ground_of_para_28_and_a_demonstration(world, ended):
    with pytest.raises(ServiceError) as error:
        _request(world, ended, ground="tired")
    assert (error.value.code, error.value.field) == ("termination_ground_required", "ground")
    with pytest.raises(ServiceError) as error:
        _request(world, ended, demonstration="  ")
    assert error.value.field == "demonstration"


def test_the_pages_ask_and_decide(client, world, ended):
    client.force_login(world.ama)
    page = client.get(f"/activities/{ended.reference}/")
    assert 'name="termination-ground"' in page.content.decode()
    response = client.post(f"/activities/{ended.reference}/post-crediting/request/", {
        "termination-ground": "negligible_risk", "termination-demonstration": "Mineralised in basalt.",
        "termination-evidence": f.pdf("e.pdf")})
    assert response.status_code == 302
    termination = MonitoringTermination.objects.get()
    url = f"/activities/{ended.reference}/post-crediting/1/do/grant_termination/"
    assert client.post(url, {"w-grant_termination-comment": "Yes."}).status_code == 403
    client.force_login(world.sofia)
    assert url in client.get(f"/activities/{ended.reference}/").content.decode()
    response = client.post(url, {"w-grant_termination-comment": "Negligible risk shown.",
                                 "w-grant_termination-expected_state": "requested"})
    assert response.status_code == 302
    termination.refresh_from_db()
    assert termination.state == TS.GRANTED
