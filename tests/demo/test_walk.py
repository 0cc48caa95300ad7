"""The newcomer's walk (pacm issue 9, README "Walk the demo"): a new activity from its draft to
units in the developer's account, with the demo clock's button for every wait and no other
clock (no time_machine): the consultation, the review and appeal windows of registration
(A6.4-PROC-AC-002 v03.0 paras 85-89), and those of issuance."""
import datetime

from django.urls import reverse
from django.utils import timezone

from pacm.events.models import Event
from pacm.registry.models import Account, AccountKind, UnitBlock
from projects import services
from projects.cycle import ActivityState as A
from projects.cycle import PeriodState as P
from projects.models import Activity, MonitoringPeriod
from tests import factories as f


def _press(client, activity, capture):
    """The demo clock's button on the activity's page, as the person logged in."""
    with capture(execute=True):
        response = client.post(reverse("activity-demo-advance", args=[activity.reference]), follow=True)
    assert response.status_code == 200
    return Activity.objects.get(pk=activity.pk)


def test_a_new_activity_reaches_units_in_the_account_with_the_demo_clock(
    client, demo, world, django_capture_on_commit_callbacks,
):
    capture = django_capture_on_commit_callbacks
    ama, dora, dina, sam = world.ama, world.dora, world.dina, world.sam
    client.force_login(ama)
    account = Account.objects.create(number="PACM-H-DEV-1", kind=AccountKind.HOLDING, name="Kpone holding",
                                     organisation=world.orgs["dev"])

    a = services.activity_create(user=ama, **f.pdd_data(world.host, world.version, title="Demo walk"))
    services.activity_notify_prior_consideration(activity=a, user=ama)
    services.activity_engage_doe(activity=a, user=ama, doe=world.orgs["doe"])
    services.activity_accept_engagement(activity=a, user=dora)
    services.document_upload(activity=a, user=ama, kind="pdd", uploaded=f.pdf("pdd.pdf"))
    services.activity_publish_for_consultation(activity=a, user=dora)
    a = _press(client, a, capture)  # the consultation closes
    assert a.state == A.UNDER_VALIDATION
    services.document_upload(activity=a, user=dora, kind="validation_report", uploaded=f.pdf("vr.pdf"))
    services.activity_validate(activity=a, user=dora)
    services.host_approval_issue(activity=a, user=dina, sd_confirmation="Fosters SD.",
                                 ndc_relation="Within NDC scope.", authorized_participants=[world.orgs["dev"]])
    services.authorization_statement_issue(activity=a, user=dina, uses="ndc",
                                           effective_from=datetime.date(2021, 1, 1))
    services.activity_request_registration(activity=a, user=dora)
    services.fee_record_payment(fee=a.fees.get(kind="registration"), user=sam, reference="WIRE-001")
    services.activity_start_completeness_check(activity=a, user=sam)
    services.activity_pass_completeness_check(activity=a, user=sam)
    services.activity_pass_information_check(activity=a, user=sam)
    a = _press(client, a, capture)  # the review window closes: approved
    assert a.state == A.REGISTRATION_APPROVED
    a = _press(client, a, capture)  # the appeal window closes: registered
    assert a.state == A.REGISTERED

    services.activity_engage_doe(activity=a, user=ama, doe=world.orgs["doe"], stage="verification")
    # A period already over by the real calendar (RMP 50-51: the report covers what was achieved).
    start, end = a.crediting_start, timezone.localdate() - datetime.timedelta(days=1)
    period = services.period_submit(activity=a, user=ama, start=start, end=end, claims={start.year: 10_000},
                                    report=f.pdf("monitoring.pdf"))
    services.period_start_verification(period=period, user=dora)
    services.document_upload(activity=a, user=dora, kind="verification_report", uploaded=f.pdf("ver.pdf"),
                             period=period)
    services.period_certify(period=period, user=dora, verified={start.year: 10_000})
    services.period_request_issuance(period=period, user=dora, units_requested=10_000,
                                     lines=[{"account": account, "percent": "100"}])
    period = MonitoringPeriod.objects.get(pk=period.pk)
    services.period_confirm_issuance_request(period=period, user=ama)  # pacm issue 9
    services.fee_record_payment(fee=period.fees.get(kind="issuance"), user=sam, reference="WIRE-ISS")
    services.period_start_issuance_checks(period=period, user=sam)
    services.period_pass_issuance_checks(period=period, user=sam)
    _press(client, a, capture)  # the issuance review window closes: approved
    assert MonitoringPeriod.objects.get(pk=period.pk).state == P.APPROVED
    _press(client, a, capture)  # the appeal window closes: issued (the issuing task runs on commit)
    period = MonitoringPeriod.objects.get(pk=period.pk)
    assert period.state == P.ISSUED

    blocks = list(UnitBlock.objects.filter(account=account, activity=a))
    held = sum(b.serial_end - b.serial_start + 1 for b in blocks)
    assert held == period.issuance.net and 0 < held < 10_000
    # Five presses, each recorded by the person who pressed, on the activity.
    presses = Event.objects.filter(stream="demo", kind="demo.clock_advanced").order_by("sequence")
    assert [(e.actor_label, e.activity_id) for e in presses] == [("ama", a.pk)] * 5
    # Every timer fired in demo time, recorded by its timer.
    timers = list(Event.objects.filter(stream=a.stream, role="timer").order_by("sequence")
                  .values_list("actor_label", flat=True))
    # The issuing task (on commit) records, as the timer "issuance", the units issued and mark_issued.
    assert timers == ["timer:close_consultation", "timer:register_by_timer", "timer:register_after_appeal",
                      "timer:approve_by_timer", "timer:close_appeal_window", "timer:issuance", "timer:issuance"]
