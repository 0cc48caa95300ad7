"""pacm issue 9 ("People"): a button pressed on a page that was out of date gets an answer that says
what changed, who changed it and when, and links back to the object's page; not the generic
"Your account is not allowed" of a real refusal (pacm.common.refusals, templates/stale.html)."""
import re

from django.urls import reverse
from django.utils.formats import date_format

from pacm.events.models import Event
from projects import services
from projects.cycle import ActivityState as A
from projects.cycle import PeriodState as P
from projects.models import Activity, MonitoringPeriod
from tests import factories as f

from .conftest import period_url

GENERIC = "Your account is not allowed"


def text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_a_period_certified_since_the_page_says_so_and_links_back(as_user, world, registered, submit):
    period = submit(registered)
    services.period_start_verification(period=period, user=world.dora)
    services.document_upload(activity=registered, user=world.dora, kind="verification_report",
                             uploaded=f.pdf("ver.pdf"), period=period)
    services.period_certify(period=period, user=world.dora, verified={c.vintage: c.claimed for c in period.claims.all()})
    events = Event.objects.count()
    certified = Event.objects.filter(to_state=P.VERIFIED).get()
    response = as_user(world.ama).post(period_url(period, "period-transition", name="withdraw"),
                                       {"t-withdraw-comment": "Oops", "t-withdraw-expected_state": P.UNDER_VERIFICATION})
    assert response.status_code == 409  # a conflict with the present state, not a denial
    body = text(response)
    assert GENERIC not in body and "This page was out of date" in body
    when = date_format(certified.created_at, "DATETIME_FORMAT")  # pacm/formats/en: "31 Oct 2030 09:00"
    assert f"is now “Verified and certified”: dora changed it on {when} (UTC); the action is no longer available." in body
    assert "The step taken was “Give the verification and certification opinion”." in body
    assert 'id="stale-back"' in response.content.decode()
    assert f'href="{period_url(period)}"' in response.content.decode()
    assert MonitoringPeriod.objects.get(pk=period.pk).state == P.VERIFIED and Event.objects.count() == events


def test_a_step_no_longer_offered_in_the_new_state_says_what_changed(as_user, world, activity, advance_to):
    activity = advance_to(activity, A.COMPLETENESS_CHECK)
    services.activity_pass_completeness_check(activity=activity, user=world.sam)
    client = as_user(world.sam)
    url = reverse("activity-transition", kwargs={"reference": activity.reference, "name": "pass_completeness_check"})
    response = client.post(url, {"t-pass_completeness_check-expected_state": ""})  # wrong_state, no page state
    assert response.status_code == 409
    body = text(response)
    assert GENERIC not in body and "sam changed it on" in body and "the action is no longer available" in body
    assert f'href="{reverse("activity-detail", kwargs={"reference": activity.reference})}"' in response.content.decode()
    assert Activity.objects.get(pk=activity.pk).state == A.INFORMATION_CHECK


def test_a_real_refusal_still_reads_as_one(as_user, world, registered, submit):
    """Not the author's step: the generic refusal, no 'out of date' story."""
    period = submit(registered)
    response = as_user(world.kofi).post(period_url(period, "period-transition", name="withdraw"),
                                        {"t-withdraw-comment": "No", "t-withdraw-expected_state": P.SUBMITTED})
    assert response.status_code in (403, 404)
    assert "This page was out of date" not in text(response)
    assert MonitoringPeriod.objects.get(pk=period.pk).state == P.SUBMITTED


def test_a_stale_page_answers_409_conflict_with_what_changed_and_the_way_back(as_user, world, activity, advance_to):
    """pacm issue 9: a write refused because the page was out of date conflicts with the present state
    (409 Conflict, RFC 9110 §15.5.10); it is no denial (403 stays for who may not act)."""
    activity = advance_to(activity, A.COMPLETENESS_CHECK)
    services.activity_pass_completeness_check(activity=activity, user=world.sam)
    passed = Event.objects.filter(stream=activity.stream, to_state=A.INFORMATION_CHECK).get()
    events = Event.objects.count()
    url = reverse("activity-transition", kwargs={"reference": activity.reference, "name": "return_incomplete"})
    response = as_user(world.sam).post(url, {"t-return_incomplete-expected_state": A.COMPLETENESS_CHECK,
                                             "t-return_incomplete-comment": "Missing annex"})
    assert response.status_code == 409
    body = text(response)
    assert GENERIC not in body and "This page was out of date" in body
    when = date_format(passed.created_at, "DATETIME_FORMAT")
    assert f"is now “Information and reporting check”: sam changed it on {when} (UTC); the action is no longer available." in body
    back = reverse("activity-detail", kwargs={"reference": activity.reference})
    assert f'id="stale-back" href="{back}"' in response.content.decode()
    assert Activity.objects.get(pk=activity.pk).state == A.INFORMATION_CHECK and Event.objects.count() == events
