"""Observed events through the pages (A6.4-STAN-METH-002 v01.0 paras 43-58): the notice on the
activity page, the event page's buttons from `available_actions`, the suspension on the activity,
account and public pages. Replaces the policy.md §2 placeholder page tests (report a reversal,
draw on the buffer, compensate from the participants' own units)."""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from pacm.events.models import Event, EventKind
from pacm.registry.models import UnitBlock
from projects.cycle import PeriodState as P
from projects.reversals import services as rev
from projects.reversals.models import ObservedEvent

from .. import factories as f
from .conftest import form_actions


def held(account):
    return sum(b.quantity for b in UnitBlock.objects.filter(account=account))


def page(activity):
    return reverse("activity-detail", kwargs={"reference": activity.reference})


def notify_url(activity):
    return reverse("observed-event-notify", kwargs={"reference": activity.reference})


def event_url(event, name=None):
    kw = {"reference": event.activity.reference, "number": event.number}
    return reverse("observed-event-write", kwargs={**kw, "name": name}) if name else reverse(
        "observed-event-detail", kwargs=kw)


def notice(**overrides):
    today = timezone.localdate()
    data = {"observed-description": "Wildfire in compartment 4", "observed-location": "Compartment 4",
            "observed-occurred_from": (today - datetime.timedelta(days=3)).isoformat(),
            "observed-occurred_to": (today - datetime.timedelta(days=2)).isoformat(),
            "observed-aware_on": (today - datetime.timedelta(days=2)).isoformat()}
    data.update(overrides)
    return data


@pytest.fixture
def issued(world, removals, submit, drive):
    """30,000 issued for the low-risk removals activity: buffer 10% = 3,000 (rule set 2025-08)."""
    drive(submit(removals), P.ISSUED)
    return removals


def test_no_notice_form_for_a_reductions_activity(as_user, world, registered):
    html = as_user(world.ama).get(page(registered)).content.decode()
    assert notify_url(registered) not in form_actions(html)
    assert as_user(world.ama).post(notify_url(registered), notice()).status_code == 403
    assert not ObservedEvent.objects.exists()


def test_participants_notify_and_the_sb_suspends_through_the_pages(as_user, client, world, issued):
    ama = as_user(world.ama)
    assert notify_url(issued) in form_actions(ama.get(page(issued)).content.decode())
    for who in (world.kofi, world.dora, world.sam, world.sofia, world.dina):
        assert as_user(who).post(notify_url(issued), notice()).status_code == 403, who
    ama = as_user(world.ama)  # one client: each as_user logs it in again
    response = ama.post(notify_url(issued), notice())
    assert response.status_code == 302
    event = ObservedEvent.objects.get(activity=issued)
    assert (event.state, event.late, event.notified_by) == ("notified", False, world.orgs["dev"])
    html = ama.get(event_url(event)).content.decode()
    assert "Wildfire in compartment 4" in html and event_url(event, "suspend_units") not in form_actions(html)
    # The SB's page offers the instruction (para 44); the participants' does not.
    sofia = as_user(world.sofia)
    assert event_url(event, "suspend_units") in form_actions(sofia.get(event_url(event)).content.decode())
    assert as_user(world.ama).post(event_url(event, "suspend_units"),
                                   {"w-suspend_units-comment": "x"}).status_code == 403
    response = as_user(world.sofia).post(event_url(event, "suspend_units"),
                          {"w-suspend_units-comment": "Para 44", "w-suspend_units-expected_state": "notified"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.state == "assessment"
    # The suspension shows on the activity page, the account page and the public registry.
    ama = as_user(world.ama)
    assert f'id="suspension-{event.suspension_id}"' in ama.get(page(issued)).content.decode()
    account_html = ama.get(reverse("registry-account", kwargs={"number": world.acct.number})).content.decode()
    assert f'id="suspended-{issued.reference}"' in account_html and "suspended" in account_html
    assert "suspended" in as_user(None).get(reverse("registry-units")).content.decode()
    ama = as_user(world.ama)
    # A transfer from the account page is refused with the reason; nothing moves.
    before = held(world.acct)
    response = ama.post(reverse("registry-transfer", kwargs={"number": world.acct.number}),
                        {"transfer-to_account": world.acct2.number, "transfer-quantity": "10"})
    assert response.status_code == 200 and "are suspended since" in response.content.decode()
    assert held(world.acct) == before


def test_a_late_notice_is_taken_and_marked_late(as_user, world, issued):
    today = timezone.localdate()
    old = (today - datetime.timedelta(days=40)).isoformat()
    response = as_user(world.ama).post(notify_url(issued), notice(**{
        "observed-occurred_from": old, "observed-occurred_to": old, "observed-aware_on": old}))
    assert response.status_code == 302
    event = ObservedEvent.objects.get(activity=issued)
    assert event.late and 'id="event-late"' in as_user(world.ama).get(event_url(event)).content.decode()
    assert Event.objects.get(stream=issued.stream, kind=EventKind.OBSERVED_EVENT_NOTIFIED).payload["late"] is True


@pytest.mark.parametrize("overrides, message", [
    ({"observed-description": ""}, "This field is required."),
    ({"observed-occurred_from": "2199-01-01", "observed-occurred_to": "", "observed-aware_on": "2199-01-02"},
     "cannot be in the future"),
    ({"observed-aware_on": "2001-01-01"}, "before it began"),
    ({"observed-occurred_to": "2001-01-01"}, "cannot end before it began"),
])
def test_bad_notices_change_nothing(as_user, world, issued, overrides, message):
    response = as_user(world.ama).post(notify_url(issued), notice(**overrides))
    assert response.status_code == 200 and message in response.content.decode()
    assert not ObservedEvent.objects.exists()


def test_the_event_page_carries_the_steps_to_remediation(as_user, world, issued):
    event = rev.observed_event_notify(
        activity=issued, user=world.ama, description="Storm", location="Plot 3",
        occurred_from=timezone.localdate() - datetime.timedelta(days=2), aware_on=timezone.localdate())
    event = rev.event_suspend_units(event=event, user=world.sofia, comment="Para 44")
    ama = as_user(world.ama)
    response = ama.post(event_url(event, "conclude_reversal"),
                        {"w-conclude_reversal-comment": "x", "w-conclude_reversal-expected_state": "assessment"})
    assert response.status_code == 200 and "Record the end of the event first" in response.content.decode()
    assert ama.post(event_url(event, "record_event_end"),
                    {"w-record_event_end-occurred_to": timezone.localdate().isoformat()}).status_code == 302
    assert ama.post(event_url(event, "conclude_reversal"),
                    {"w-conclude_reversal-comment": "Biomass lost",
                     "w-conclude_reversal-expected_state": "assessment"}).status_code == 302
    assert ama.post(event_url(event, "submit_full_report"),
                    {"w-submit_full_report-report": f.pdf("report.pdf"),
                     "w-submit_full_report-expected_state": "full_report"}).status_code == 302
    assert as_user(world.dora).post(event_url(event, "verify_full_report"), {
        "w-verify_full_report-comment": "Verified", "w-verify_full_report-expected_state": "full_submitted"},
    ).status_code == 302
    sofia = as_user(world.sofia)
    response = sofia.post(event_url(event, "determine_reversal"), {
        "w-determine_reversal-authorized": "40000", "w-determine_reversal-contribution": "0",
        "w-determine_reversal-avoidable": "no", "w-determine_reversal-comment": "Para 48",
        "w-determine_reversal-expected_state": "full_verified"})
    assert response.status_code == 200 and "At most 30,000 t CO2e" in response.content.decode()
    event.refresh_from_db()
    status = "mc" if set(UnitBlock.objects.filter(activity=issued).values_list(
        "authorization_status", flat=True)) == {"mc"} else "authorized"
    assert sofia.post(event_url(event, "determine_reversal"), {
        "w-determine_reversal-authorized": "1200" if status == "authorized" else "0",
        "w-determine_reversal-contribution": "1200" if status == "mc" else "0",
        "w-determine_reversal-avoidable": "no", "w-determine_reversal-comment": "Para 48",
        "w-determine_reversal-expected_state": "full_verified"}).status_code == 302
    sam = as_user(world.sam)
    assert event_url(event, "cancel_from_buffer") in form_actions(sam.get(event_url(event)).content.decode())
    assert sam.post(event_url(event, "cancel_from_buffer"),
                    {"w-cancel_from_buffer-expected_state": "remediation"}).status_code == 302
    html = sam.get(event_url(event)).content.decode()
    assert "Remediation of reversals" in html and 'id="remediation"' in html
    event.refresh_from_db()
    assert event.state == "remediated" and event.cancelled == 1_200


def test_event_page_queries_stay_bounded(as_user, world, issued, django_assert_max_num_queries):
    event = rev.event_suspend_units(event=rev.observed_event_notify(
        activity=issued, user=world.ama, description="Storm", location="Plot 3",
        occurred_from=timezone.localdate(), aware_on=timezone.localdate()), user=world.sofia, comment="x")
    client = as_user(world.sofia)
    with django_assert_max_num_queries(40):
        assert client.get(event_url(event)).status_code == 200


def test_dashboards_list_the_events_that_wait(as_user, world, issued):
    """The SB's queue holds the notified event (para 44: its instruction); then the participants'."""
    event = rev.observed_event_notify(
        activity=issued, user=world.ama, description="Storm", location="Plot 3",
        occurred_from=timezone.localdate(), aware_on=timezone.localdate())
    link = event_url(event)
    assert link in as_user(world.sofia).get(reverse("dashboard")).content.decode()
    assert link not in as_user(world.kofi).get(reverse("dashboard")).content.decode()
    rev.event_suspend_units(event=event, user=world.sofia, comment="Para 44")
    assert link in as_user(world.ama).get(reverse("dashboard")).content.decode()  # record the end (para 45)
