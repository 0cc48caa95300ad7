"""A newcomer's activity that starts today (pacm issue 9; docs/rules-coverage.md demo-1): its
crediting period starts on the real date, so no monitoring period of it has ended by the real
calendar (RMP 50-51). In a demo database the date checks read the demo clock
(pacm.common.clock.today()), so once the clock has moved, a period that ended before the demo
date is taken; outside demo mode the same period is refused."""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from pacm.common import clock
from pacm.common.errors import ServiceError
from pacm.events.models import Event
from pacm.registry.models import Account, AccountKind, UnitBlock
from projects import services
from projects.cycle import ActivityState as A
from projects.cycle import PeriodState as P
from projects.models import Activity, MonitoringPeriod
from tests import factories as f


def _press(client, activity, capture, **data):
    with capture(execute=True):
        response = client.post(reverse("activity-demo-advance", args=[activity.reference]), data, follow=True)
    assert response.status_code == 200
    return Activity.objects.get(pk=activity.pk), response


def _registered_from_today(client, world, capture):
    ama, dora, dina, sam = world.ama, world.dora, world.dina, world.sam
    today = timezone.localdate()
    a = services.activity_create(user=ama, **f.pdd_data(
        world.host, world.version, title="Started today", start_date=today, crediting_start=today,
        crediting_end=today + datetime.timedelta(days=5 * 365)))
    services.activity_notify_prior_consideration(activity=a, user=ama)
    services.activity_engage_doe(activity=a, user=ama, doe=world.orgs["doe"])
    services.activity_accept_engagement(activity=a, user=dora)
    services.document_upload(activity=a, user=ama, kind="pdd", uploaded=f.pdf("pdd.pdf"))
    services.activity_publish_for_consultation(activity=a, user=dora)
    a, _page = _press(client, a, capture)
    services.document_upload(activity=a, user=dora, kind="validation_report", uploaded=f.pdf("vr.pdf"))
    services.activity_validate(activity=a, user=dora)
    services.host_approval_issue(activity=a, user=dina, sd_confirmation="Fosters SD.",
                                 ndc_relation="Within NDC scope.", authorized_participants=[world.orgs["dev"]])
    services.authorization_statement_issue(activity=a, user=dina, uses="ndc", effective_from=today)
    services.activity_request_registration(activity=a, user=dora)
    services.fee_record_payment(fee=a.fees.get(kind="registration"), user=sam, reference="WIRE-001")
    services.activity_start_completeness_check(activity=a, user=sam)
    services.activity_pass_completeness_check(activity=a, user=sam)
    services.activity_pass_information_check(activity=a, user=sam)
    a, _page = _press(client, a, capture)
    a, _page = _press(client, a, capture)
    assert a.state == A.REGISTERED
    return a


def test_an_activity_started_today_reaches_units_on_the_demo_clock(client, demo, world,
                                                                    django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    ama, dora, sam = world.ama, world.dora, world.sam
    client.force_login(ama)
    account = Account.objects.create(number="PACM-H-DEV-1", kind=AccountKind.HOLDING, name="Kpone holding",
                                     organisation=world.orgs["dev"])
    a = _registered_from_today(client, world, capture)
    # Nothing waits for a date now; the period to report on has to end first: move by 60 days.
    a, page = _press(client, a, capture, days="60", expected_state=a.state)
    assert b"Demo clock moved to" in page.content
    assert Event.objects.filter(stream="demo").order_by("-sequence").first().payload["by_seconds"] == 60 * 86400
    demo_today = clock.today()
    assert demo_today > timezone.localdate() + datetime.timedelta(days=60)
    services.activity_engage_doe(activity=a, user=ama, doe=world.orgs["doe"], stage="verification")
    start, end = a.crediting_start, demo_today - datetime.timedelta(days=1)
    assert end >= timezone.localdate()  # not over by the real calendar
    period = services.period_submit(activity=a, user=ama, start=start, end=end, claims={start.year: 1_000},
                                    report=f.pdf("monitoring.pdf"))
    services.period_start_verification(period=period, user=dora)
    services.document_upload(activity=a, user=dora, kind="verification_report", uploaded=f.pdf("ver.pdf"),
                             period=period)
    services.period_certify(period=period, user=dora, verified={start.year: 1_000})
    services.period_request_issuance(period=period, user=dora, units_requested=1_000,
                                     lines=[{"account": account, "percent": "100"}])
    period = MonitoringPeriod.objects.get(pk=period.pk)
    services.period_confirm_issuance_request(period=period, user=ama)  # pacm issue 9
    services.fee_record_payment(fee=period.fees.get(kind="issuance"), user=sam, reference="WIRE-ISS")
    services.period_start_issuance_checks(period=period, user=sam)
    services.period_pass_issuance_checks(period=period, user=sam)
    _press(client, a, capture)
    _press(client, a, capture)
    period = MonitoringPeriod.objects.get(pk=period.pk)
    assert period.state == P.ISSUED
    held = sum(b.serial_end - b.serial_start + 1 for b in UnitBlock.objects.filter(account=account, activity=a))
    assert held == period.issuance.net and 0 < held < 1_000
    presses = Event.objects.filter(stream="demo", kind="demo.clock_advanced").order_by("sequence")
    assert [(e.actor_label, e.activity_id) for e in presses] == [("ama", a.pk)] * 6


def test_outside_demo_mode_the_period_must_end_before_the_real_date(world, activity, settings):
    """The same rule, RMP 50-51, on the real calendar: a database marked demo with its clock moved
    but the setting off (production) still refuses a period that has not ended by the real date."""
    from pacm.demo.models import DemoClock
    from pacm.demo.services import demo_mark
    from tests.conftest import advance

    settings.PACM_DEMO_CLOCK = False
    demo_mark()
    DemoClock.objects.update(offset=datetime.timedelta(days=100))
    clock.forget()
    assert clock.today() == timezone.localdate()
    advance(world, activity, A.REGISTERED)
    services.activity_engage_doe(activity=activity, user=world.ama, doe=world.orgs["doe"], stage="verification")
    today = timezone.localdate()
    with pytest.raises(ServiceError) as refused:
        services.period_submit(activity=activity, user=world.ama, start=activity.crediting_start,
                               end=today + datetime.timedelta(days=50), claims={today.year: 10},
                               report=f.pdf("monitoring.pdf"))
    assert refused.value.code == "period_not_ended"
    assert not MonitoringPeriod.objects.filter(activity=activity).exists()


def test_the_days_form_is_bounded(client, demo, world, activity):
    client.force_login(world.ama)
    for bad in ("0", "-3", "abc", "100000"):
        response = client.post(reverse("activity-demo-advance", args=[activity.reference]), {"days": bad},
                               follow=True)
        assert response.status_code == 200 and b"demo clock" in response.content.lower()
    assert not Event.objects.filter(stream="demo").exists()
