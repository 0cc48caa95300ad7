"""The demo's registered activity with issued units, taken there only through the services.

The clock is moved (time-machine) so that the timers of the cycle (consultation, review and
appeal windows) pass as they would in real life, starting about a year ago (after A6.4-AMM-001
was approved), and every date in the demo lies in the past. Demo only.
"""
import datetime

import time_machine
from dateutil.relativedelta import relativedelta
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from pacm.common.uploads import sample_pdf

TITLE = "Kumasi landfill gas to power"
PDF = sample_pdf("pacm demo document")


def _pdf(name):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _at(moment):
    return time_machine.travel(moment, tick=False)


def _past_due(obj):
    obj.refresh_from_db()
    return _at(obj.due_at + datetime.timedelta(minutes=1))


def demo_issued_activity(*, parties, orgs, users, versions, accounts):
    """Registered about ten months ago, six months monitored, verified and issued, then units moved."""
    from methodologies.models import SectoralScope
    from pacm.registry.services import units_cancel_voluntarily, units_transfer
    from projects import services
    from projects.models import Activity
    from projects.timers import timers_run

    existing = Activity.objects.filter(title=TITLE).first()
    if existing is not None:
        return existing
    dev, doe, dna, sec = users["developer"], users["doe"], users["dna"], users["secretariat"]
    t0 = timezone.now() - datetime.timedelta(days=380)
    start = t0.date() - datetime.timedelta(days=10)
    with _at(t0):
        activity = services.activity_create(
            user=dev, title=TITLE, host_party=parties["GH"], methodology_version=versions["A6.4-AMM-001"],
            sectoral_scope=SectoralScope.objects.get(number=13), location="Oti landfill, Kumasi, Ashanti Region",
            start_date=start, crediting_type=Activity.CreditingType.RENEWABLE, crediting_start=start,
            crediting_end=start + relativedelta(years=5) - datetime.timedelta(days=1), estimated_annual=36_000,
            description="Landfill gas captured at the Oti landfill and burnt in gas engines (demo).",
        )
        services.activity_notify_prior_consideration(activity=activity, user=dev)
        services.activity_engage_doe(activity=activity, user=dev, doe=orgs["doe"])
        services.activity_accept_engagement(activity=activity, user=doe)
        services.document_upload(activity=activity, user=dev, kind="pdd", title="PDD v1 (demo)", uploaded=_pdf("pdd.pdf"))
        services.activity_publish_for_consultation(activity=activity, user=doe)
    with _past_due(activity):
        timers_run()
        services.document_upload(activity=activity, user=doe, kind="validation_report", uploaded=_pdf("vr.pdf"))
        services.activity_validate(activity=activity, user=doe, comment="Positive opinion (demo).")
        services.host_approval_issue(
            activity=activity, user=dna, sd_confirmation="Reduces methane and supplies power to the grid (demo).",
            ndc_relation="Waste sector measure of Ghana's NDC (demo).", authorized_participants=[orgs["dev"]],
            renewal_approved=True,
        )
        services.authorization_statement_issue(activity=activity, user=dna, uses="ndc", effective_from=start)
        services.activity_request_registration(activity=activity, user=doe)
        fee = activity.fees.get(kind="registration")
        services.fee_record_payment(fee=fee, user=sec, reference="DEMO-WIRE-001")
        services.activity_start_completeness_check(activity=activity, user=sec)
        services.activity_pass_completeness_check(activity=activity, user=sec)
        services.activity_pass_information_check(activity=activity, user=sec)
    with _past_due(activity):
        timers_run()  # the review window closed with no review: approved, the appeal window opens
    with _past_due(activity):
        timers_run()  # the appeal window closed with no appeal: registered (PROC-AC-002 v03.0 para 89)
        services.activity_engage_doe(activity=activity, user=dev, doe=orgs["doe"], stage="verification")
    period_end = start + relativedelta(months=6) - datetime.timedelta(days=1)
    with _at(timezone.make_aware(datetime.datetime.combine(period_end, datetime.time(12))) + datetime.timedelta(days=20)):
        claims = {start.year: 9_000, start.year + 1: 25_000} if start.year != period_end.year else {start.year: 34_000}
        period = services.period_submit(activity=activity, user=dev, start=start, end=period_end, claims=claims,
                                        report=_pdf("monitoring-report.pdf"))
        services.period_start_verification(period=period, user=doe)
        services.document_upload(activity=activity, user=doe, kind="verification_report", uploaded=_pdf("ver.pdf"),
                                 period=period)
        last = max(claims)
        verified = {v: q - 500 if v == last else q for v, q in claims.items()}  # 500 t not verified
        services.period_certify(period=period, user=doe, verified=verified, comment="Verified (demo).")
        services.period_request_issuance(period=period, user=doe, units_requested=sum(verified.values()),
                                         lines=[{"account": accounts["dev"], "percent": "100"}], omge_rate="0.03")
        services.period_confirm_issuance_request(period=period, user=dev)  # pacm issue 9
        services.fee_record_payment(fee=period.fees.get(kind="issuance"), user=sec, reference="DEMO-WIRE-002")
        services.period_start_issuance_checks(period=period, user=sec)
        services.period_pass_issuance_checks(period=period, user=sec)
    with _past_due(period):
        timers_run()  # review window closed: approved, the appeal window opens
    with _past_due(period):
        timers_run()  # appeal window closed: the issuance task runs (eagerly) on commit
        # Inside an outer transaction (a test) on-commit work waits: run the idempotent task body.
        services.issuance_process(period_id=period.pk)
        units_transfer(user=dev, from_account=accounts["dev"], to_account=accounts["dev2"], quantity=2_000)
        units_cancel_voluntarily(user=dev, from_account=accounts["dev"], quantity=500,
                                 purpose="Voluntary claim (demo)", beneficiary="Kumasi Metropolitan Assembly")
    return Activity.objects.get(pk=activity.pk)
