"""Monitoring reports through the web (RMP 50): the form, its bad inputs, the period page, withdrawal."""

import datetime

import pytest
from django.urls import reverse

from pacm.events.models import Event, EventKind
from projects import services
from projects.cycle import ActivityState as A
from projects.cycle import PeriodState as P
from projects.models import DocumentVersion, MonitoringPeriod

from .. import factories as f
from .conftest import claims_post, period_dates, period_url


def submit_url(activity):
    return reverse("period-submit", kwargs={"reference": activity.reference})


def activity_url(activity):
    return reverse("activity-detail", kwargs={"reference": activity.reference})


def test_participant_submits_a_report_with_claims_per_vintage(as_user, world, registered):
    start, end = period_dates(registered)
    client = as_user(world.ama)
    assert submit_url(registered) in client.get(activity_url(registered)).content.decode()
    form_html = client.get(submit_url(registered)).content.decode()
    assert f'value="{start.isoformat()}"' in form_html  # the start the service expects, suggested
    rows = [(start.year, 12_000), (end.year, 8_000)] if start.year != end.year else [(start.year, 20_000)]
    response = client.post(submit_url(registered), claims_post(start, end, rows, comment="First year"))
    period = MonitoringPeriod.objects.get(activity=registered)
    assert response.status_code == 302 and response.url == period_url(period)
    assert (period.number, period.start, period.end, period.state) == (1, start, end, P.SUBMITTED)
    assert {c.vintage: c.claimed for c in period.claims.all()} == dict(rows)
    event = Event.objects.get(stream=registered.stream, kind=EventKind.MONITORING_SUBMITTED)
    assert (event.actor, event.comment, event.payload["monitoring_period"]) == (world.ama, "First year", 1)
    report = DocumentVersion.objects.get(document__monitoring_period=period)
    html = client.get(period_url(period)).content.decode()
    assert report.sha256 in html and "Monitoring report submitted" in html
    assert "20,000" in html  # the claimed total
    # The activity page lists the period with its state and a link to it.
    html = client.get(activity_url(registered)).content.decode()
    assert period_url(period) in html and "MP1" in html


def test_overlapping_period_is_refused_and_nothing_is_saved(as_user, world, registered, submit):
    first = submit(registered)
    client = as_user(world.ama)
    response = client.post(submit_url(registered), claims_post(first.start, first.end, [(first.start.year, 5_000)]))
    html = response.content.decode()
    assert response.status_code == 200
    assert f"The period overlaps monitoring period 1 (ends {first.end})." in html
    assert "Nothing was saved" in html
    assert MonitoringPeriod.objects.filter(activity=registered).count() == 1
    assert not Event.objects.filter(stream=registered.stream, kind=EventKind.MONITORING_SUBMITTED,
                                    payload__monitoring_period=2).exists()


@pytest.mark.parametrize(
    "rows, report, message",
    [
        ([], True, "Claim the reductions or removals for at least one vintage year."),
        ([(1999, 100)], True, "Vintage 1999 is outside the monitoring period."),
        ([("START", 100), ("START", 200)], True, "is given twice."),
        ([("START", None)], True, "Give both the vintage and the quantity, or leave the row empty."),
        ([("START", "12.5")], True, "Enter a whole number."),
        ([("START", 100)], False, "This field is required."),
    ],
)
def test_bad_monitoring_reports_change_nothing(as_user, world, registered, rows, report, message):
    start, end = period_dates(registered)
    rows = [(start.year if v == "START" else v, q) for v, q in rows]
    response = as_user(world.ama).post(submit_url(registered), claims_post(start, end, rows, report=report))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not MonitoringPeriod.objects.exists()
    assert not DocumentVersion.objects.filter(document__kind="monitoring_report").exists()


def test_period_must_start_where_the_last_one_ended(as_user, world, registered):
    start, end = period_dates(registered)
    late = start + datetime.timedelta(days=10)
    response = as_user(world.ama).post(submit_url(registered), claims_post(late, end, [(late.year, 100)]))
    assert f"Monitoring periods leave no gap: this one must start on {start}." in response.content.decode()
    assert not MonitoringPeriod.objects.exists()


def test_only_participants_of_a_registered_activity_may_submit(as_user, world, activity, advance_to):
    # Before registration: not offered, and refused.
    assert submit_url(activity) not in as_user(world.ama).get(activity_url(activity)).content.decode()
    assert as_user(world.ama).get(submit_url(activity)).status_code == 403
    registered = advance_to(activity, A.REGISTERED)
    start, end = period_dates(registered)
    for who in (world.kofi, world.dora, world.dina, world.sam, world.sofia):
        client = as_user(who)
        assert submit_url(registered) not in client.get(activity_url(registered)).content.decode()
        response = client.post(submit_url(registered), claims_post(start, end, [(start.year, 100)]))
        assert response.status_code == 403, who
    anonymous = as_user(None).post(submit_url(registered), claims_post(start, end, [(start.year, 100)]))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.url
    assert not MonitoringPeriod.objects.exists()


def test_participant_engages_the_verification_doe(as_user, world, activity, advance_to):
    registered = advance_to(activity, A.REGISTERED)
    client = as_user(world.ama)
    assert "Engage this DOE for verification" in client.get(activity_url(registered)).content.decode()
    response = client.post(reverse("activity-engage-doe", kwargs={"reference": registered.reference}),
                           {"engage-doe": world.orgs["doe2"].pk})
    assert response.status_code == 302
    registered.refresh_from_db()
    assert registered.verification_doe == world.orgs["doe2"]
    assert registered.validation_doe == world.orgs["doe"]
    event = Event.objects.filter(stream=registered.stream, kind=EventKind.DOE_ENGAGED).order_by("sequence").last()
    assert event.payload["stage"] == "verification"


def test_engaging_a_non_doe_for_verification_changes_nothing(as_user, world, activity, advance_to):
    registered = advance_to(activity, A.REGISTERED)
    response = as_user(world.ama).post(reverse("activity-engage-doe", kwargs={"reference": registered.reference}),
                                       {"engage-doe": world.orgs["dna"].pk})
    assert response.status_code == 200 and "Select a valid choice." in response.content.decode()
    registered.refresh_from_db()
    assert registered.verification_doe is None


def test_participant_withdraws_a_period_with_reasons(as_user, world, registered, submit):
    period = submit(registered)
    client = as_user(world.ama)
    withdraw = period_url(period, "period-transition", name="withdraw")
    assert withdraw in client.get(period_url(period)).content.decode()
    # Reasons are required: without them nothing changes.
    response = client.post(withdraw, {"t-withdraw-comment": ""})
    assert response.status_code == 302
    period.refresh_from_db()
    assert period.state == P.SUBMITTED
    assert "This field is required." in client.get(response.url).content.decode()
    response = client.post(withdraw, {"t-withdraw-comment": "Wrong meter readings"})
    assert response.status_code == 302
    period.refresh_from_db()
    assert period.state == P.WITHDRAWN
    event = Event.objects.filter(stream=registered.stream, kind=EventKind.MONITORING_TRANSITIONED).last()
    assert (event.from_state, event.to_state, event.comment) == (P.SUBMITTED, P.WITHDRAWN, "Wrong meter readings")
    # A withdrawn report frees its dates: the next report may take them again.
    start, end = period_dates(registered)
    response = client.post(submit_url(registered), claims_post(start, end, [(start.year, 100)]))
    assert response.status_code == 302
    assert MonitoringPeriod.objects.get(activity=registered, number=2).start == start


def test_a_stale_page_does_not_withdraw_a_period_that_moved_on(as_user, world, registered, submit):
    """The button carries the period state the page showed; the service refuses once it has changed."""
    period = submit(registered)
    html = as_user(world.ama).get(period_url(period)).content.decode()
    assert 'name="t-withdraw-expected_state" value="submitted"' in html
    services.period_start_verification(period=period, user=world.dora)
    response = as_user(world.ama).post(period_url(period, "period-transition", name="withdraw"),
                                       {"t-withdraw-comment": "Oops", "t-withdraw-expected_state": "submitted"})
    assert response.status_code == 409
    assert "changed while you were looking" in response.content.decode()
    period.refresh_from_db()
    assert period.state == P.UNDER_VERIFICATION


def test_others_cannot_withdraw_a_period(as_user, world, registered, submit):
    period = submit(registered)
    for who in (world.kofi, world.dora, world.sam):
        response = as_user(who).post(period_url(period, "period-transition", name="withdraw"),
                                     {"t-withdraw-comment": "No"})
        assert response.status_code == 403, who
    period.refresh_from_db()
    assert period.state == P.SUBMITTED


def test_period_page_follows_activity_visibility(as_user, world, registered, submit):
    period = submit(registered)
    # A registered activity is public: everyone sees its periods, nobody unrelated gets a button.
    for who in (None, world.kofi, world.otto, world.nils):
        response = as_user(who).get(period_url(period))
        assert response.status_code == 200
        assert 'id="actions"' not in response.content.decode()
    missing = reverse("period-detail", kwargs={"reference": registered.reference, "number": 9})
    assert as_user(world.ama).get(missing).status_code == 404


def test_period_of_a_hidden_activity_is_404(as_user, world, activity):
    """Same visibility as the activity page: a draft's period (built directly) stays hidden."""
    period = MonitoringPeriod.objects.create(activity=activity, number=1, start=activity.crediting_start,
                                             end=activity.crediting_start + datetime.timedelta(days=30))
    for who in (None, world.kofi, world.dora, world.dina, world.sam):
        assert as_user(who).get(period_url(period)).status_code == 404, who
    assert as_user(world.ama).get(period_url(period)).status_code == 200


def test_participant_uploads_a_revised_report_to_the_period(as_user, world, registered, submit):
    period = submit(registered)
    client = as_user(world.ama)
    response = client.post(period_url(period, "period-document-upload"), {
        "upload-kind": "monitoring_report", "upload-title": "",
        "upload-file": f.pdf("monitoring-v2.pdf", f.PDF_BYTES + b"% v2\n"),
    })
    assert response.status_code == 302
    versions = DocumentVersion.objects.filter(document__monitoring_period=period, document__kind="monitoring_report")
    assert sorted(v.number for v in versions) == [1, 2]
    # A participant cannot slip in the DOE's verification report.
    response = client.post(period_url(period, "period-document-upload"), {
        "upload-kind": "verification_report", "upload-file": f.pdf("ver.pdf"),
    })
    assert response.status_code == 200 and "Select a valid choice." in response.content.decode()
    assert not DocumentVersion.objects.filter(document__kind="verification_report").exists()
