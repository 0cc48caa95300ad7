"""The demo's removals activity (Efate mangroves, Vanuatu) through an observed event, the SB's
suspension, a verified reversal and its remediation from the buffer pool (A6.4-STAN-METH-002 v01.0
paras 43-58), taken there only through the services on a moved clock. Demo only."""
import datetime
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from ._demo_issued import _at, _past_due, _pdf

TITLE = "Efate mangrove restoration"


def _pay_if_due(subject, kind, user, reference):
    from projects import services

    fee = subject.fees.filter(kind=kind).first()
    if fee is not None and fee.status == "due":  # a SIDS host: fees are waived (6/CMA.6 para 20)
        services.fee_record_payment(fee=fee, user=user, reference=reference)


def _registered(*, parties, orgs, users, versions, t0):
    from methodologies.models import SectoralScope
    from projects import services
    from projects.models import Activity
    from projects.timers import timers_run

    dev, doe, dna, sec = users["developer2"], users["doe"], users["dna2"], users["secretariat"]
    start = t0.date() - datetime.timedelta(days=10)
    with _at(t0):
        activity = services.activity_create(
            user=dev, title=TITLE, host_party=parties["VU"], methodology_version=versions["DEMO-REM-001"],
            sectoral_scope=SectoralScope.objects.get(number=14), location="Efate, Shefa Province", start_date=start,
            crediting_type=Activity.CreditingType.RENEWABLE, crediting_start=start,
            crediting_end=start + relativedelta(years=15) - datetime.timedelta(days=1), estimated_annual=8_000,
            description="Mangrove restoration under the demo removals methodology (demo only).",
            # A6.4-STAN-METH-002 paras 38-40: the participants' overall percentage rating, in the PDD.
            risk_rating_percent=Decimal("10"),
        )
        services.activity_notify_prior_consideration(activity=activity, user=dev)
        services.activity_engage_doe(activity=activity, user=dev, doe=orgs["doe"])
        services.activity_accept_engagement(activity=activity, user=doe)
        services.document_upload(activity=activity, user=dev, kind="pdd", title="PDD v1 (demo)", uploaded=_pdf("pdd.pdf"))
        services.document_upload(activity=activity, user=dev, kind="risk_assessment", title="Reversal risk assessment (demo)",
                                 uploaded=_pdf("risk.pdf"))
        services.activity_publish_for_consultation(activity=activity, user=doe)
    with _past_due(activity):
        timers_run()
        services.document_upload(activity=activity, user=doe, kind="validation_report", uploaded=_pdf("vr.pdf"))
        services.activity_validate(activity=activity, user=doe, comment="Positive opinion (demo).",
                                   risk_rating_accepted=True)
        services.host_approval_issue(
            activity=activity, user=dna, sd_confirmation="Restores coastal mangroves (demo).",
            ndc_relation="Forestry measure of Vanuatu's NDC (demo).", authorized_participants=[orgs["dev2"]],
            renewal_approved=True,
        )
        services.authorization_statement_issue(activity=activity, user=dna, uses="ndc", effective_from=start)
        services.activity_request_registration(activity=activity, user=doe)
        _pay_if_due(activity, "registration", sec, "DEMO-WIRE-VU-001")
        services.activity_start_completeness_check(activity=activity, user=sec)
        services.activity_pass_completeness_check(activity=activity, user=sec)
        services.activity_pass_information_check(activity=activity, user=sec)
    with _past_due(activity):
        timers_run()  # the review window closed: approved, the appeal window opens
    with _past_due(activity):
        timers_run()  # the appeal window closed: registered
        services.activity_engage_doe(activity=activity, user=dev, doe=orgs["doe"], stage="verification")
    return Activity.objects.get(pk=activity.pk), start


def _issued(activity, start, *, users, account):
    from projects import services
    from projects.timers import timers_run

    dev, doe, sec = users["developer2"], users["doe"], users["secretariat"]
    period_end = start + relativedelta(months=6) - datetime.timedelta(days=1)
    with _at(timezone.make_aware(datetime.datetime.combine(period_end, datetime.time(12))) + datetime.timedelta(days=20)):
        claims = {start.year: 4_000} if start.year == period_end.year else {start.year: 1_500, start.year + 1: 2_500}
        period = services.period_submit(activity=activity, user=dev, start=start, end=period_end, claims=claims,
                                        report=_pdf("monitoring-report.pdf"))
        services.period_start_verification(period=period, user=doe)
        services.document_upload(activity=activity, user=doe, kind="verification_report", uploaded=_pdf("ver.pdf"),
                                 period=period)
        services.period_certify(period=period, user=doe, verified=claims, comment="Verified (demo).")
        services.period_request_issuance(period=period, user=doe, units_requested=sum(claims.values()),
                                         lines=[{"account": account, "percent": "100"}])
        services.period_confirm_issuance_request(period=period, user=dev)  # pacm issue 9
        _pay_if_due(period, "issuance", sec, "DEMO-WIRE-VU-002")
        services.period_start_issuance_checks(period=period, user=sec)
        services.period_pass_issuance_checks(period=period, user=sec)
    with _past_due(period):
        timers_run()  # review window closed: approved, the appeal window opens
    with _past_due(period):
        timers_run()  # appeal window closed: the issuance task runs (eagerly) on commit
        services.issuance_process(period_id=period.pk)
    period.refresh_from_db()
    return period


def demo_reversal_activity(*, parties, orgs, users, versions, account):
    """Registered about a year ago, 4,000 t issued (400 to the buffer pool at a low risk rating),
    then a cyclone: notified, suspended, assessed, a reversal of 300 t determined unavoidable,
    remediated from the pool, and the suspension lifted."""
    from projects.models import Activity
    from projects.reversals import services as rev

    existing = Activity.objects.filter(title=TITLE).first()
    if existing is not None:
        return existing
    t0 = timezone.now() - datetime.timedelta(days=370)
    activity, start = _registered(parties=parties, orgs=orgs, users=users, versions=versions, t0=t0)
    period = _issued(activity, start, users=users, account=account)
    dev, doe, sb, sec = users["developer2"], users["doe"], users["sb1"], users["secretariat"]
    cyclone = period.end + relativedelta(months=2)
    with _at(timezone.make_aware(datetime.datetime.combine(cyclone + datetime.timedelta(days=5), datetime.time(9)))):
        # Para 43: within 30 days of becoming aware; the storm lasted two days.
        event = rev.observed_event_notify(
            activity=activity, user=dev, description="Cyclone surge uprooted mangroves along the northern shore (demo).",
            location="Northern shore, Efate", occurred_from=cyclone, occurred_to=cyclone + datetime.timedelta(days=1),
            aware_on=cyclone + datetime.timedelta(days=2),
        )
        event = rev.event_suspend_units(event=event, user=sb, comment="Para 44: suspend pending the assessment (demo).")
    with _at(timezone.make_aware(datetime.datetime.combine(cyclone + datetime.timedelta(days=40), datetime.time(9)))):
        event = rev.event_conclude_reversal(event=event, user=dev,
                                            comment="The preliminary survey finds biomass lost: a reversal (demo).")
        event = rev.event_submit_full_report(event=event, user=dev, report=_pdf("cyclone-monitoring-report.pdf"))
        event = rev.event_verify_full_report(event=event, user=doe, comment="Verified on site (demo).")
        event = rev.event_determine_reversal(event=event, user=sb, authorized=300, contribution=0, avoidable=False,
                                             comment="Paras 48, 56: 300 t reversed by a natural event (demo).")
        event = rev.event_cancel_from_buffer(event=event, user=sec)
        rev.event_lift_suspension(event=event, user=sb, comment="Remediated from the buffer pool (demo).")
    return Activity.objects.get(pk=activity.pk)
