"""Phase 1: a small full-cycle sample through the real services, each call timed.

`activities` activities go from draft to registered and one monitoring period of each from
submitted to issued, the way tests/conftest.py `advance` and tests/issuance/conftest.py `drive`
do it: the right person for each step, and the clock moved past each timer with time-machine.
These are the write paths the users hit, so their figures are measured, not modelled.
"""
import datetime
import time
from collections import defaultdict

import time_machine
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from methodologies.models import MethodologyVersion
from pacm.common.uploads import sample_pdf
from pacm.parties.models import Membership, Organisation, Party
from pacm.registry.models import AccountKind
from pacm.registry.services import account_open
from projects import services
from projects.cycle import ActivityState, PeriodState
from projects.models import Activity, MonitoringPeriod
from projects.timers import timers_run

from .stats import summary

K = Organisation.Kind
PDF = sample_pdf("bench")  # uploads are checked by their structure
HOST = "GH"
WAIT_SECONDS = 120


def _pdf(name):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _user(username, organisation):
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"email": f"{username}@bench.invalid", "password": "!bench-unusable"})
    Membership.objects.get_or_create(user=user, organisation=organisation)
    return user


def _personas():
    """One person per role, in organisations of the snapshot where it has them."""
    host = Party.objects.filter(iso2=HOST).first() or Party.objects.filter(organisations__kind=K.DNA).first()
    developer, _ = Organisation.objects.get_or_create(
        name="Bench cycle developer", defaults={"kind": K.PARTICIPANT, "party": host, "authorized_by_party": True})
    return {
        "host": host,
        "developer": developer,
        "doe_org": Organisation.objects.filter(kind=K.DOE).order_by("pk").first(),
        "ap": _user("bench-cycle-ap", developer),
        "doe": _user("bench-cycle-doe", Organisation.objects.filter(kind=K.DOE).order_by("pk").first()),
        "dna": _user("bench-cycle-dna", Organisation.objects.get(kind=K.DNA, party=host)),
        "sec": _user("bench-cycle-sec", Organisation.objects.filter(kind=K.SECRETARIAT).order_by("pk").first()),
    }


def _timer_pass(model, pk, times, name):
    """Move the clock just past the row's due date and run one timer pass there (timed)."""
    obj = model.objects.get(pk=pk)
    with time_machine.travel(obj.due_at + datetime.timedelta(seconds=1), tick=False):
        t0 = time.perf_counter()
        fired = timers_run()
        times[name].append(time.perf_counter() - t0)
    return fired


def _pay(fees, user, times):
    fee = fees.order_by("-assessed_at").first()
    if fee.status == "due":
        t0 = time.perf_counter()
        services.fee_record_payment(fee=fee, user=user, reference="BENCH-WIRE")
        times["fee_record_payment"].append(time.perf_counter() - t0)


def activity_register(*, p, version, scope, start, title, size, timed, times):
    """One activity from draft to registered through every service, the clock moved past each timer."""
    a = timed("activity_create", lambda: services.activity_create(
        user=p["ap"], title=title, host_party=p["host"],
        methodology_version=version, sectoral_scope=scope, location="Bench", start_date=start,
        crediting_type="renewable", crediting_start=start,
        crediting_end=start - datetime.timedelta(days=1) + datetime.timedelta(days=5 * 365),
        estimated_annual=size, description="Full-cycle benchmark sample."))
    timed("activity_notify_prior_consideration",
          lambda: services.activity_notify_prior_consideration(activity=a, user=p["ap"]))
    timed("activity_engage_doe", lambda: services.activity_engage_doe(activity=a, user=p["ap"], doe=p["doe_org"]))
    timed("activity_accept_engagement", lambda: services.activity_accept_engagement(activity=a, user=p["doe"]))
    timed("document_upload", lambda: services.document_upload(
        activity=a, user=p["ap"], kind="pdd", uploaded=_pdf("pdd.pdf")))
    timed("activity_publish_for_consultation",
          lambda: services.activity_publish_for_consultation(activity=a, user=p["doe"]))
    _timer_pass(Activity, a.pk, times, "timer pass: close_consultation")
    timed("document_upload", lambda: services.document_upload(
        activity=a, user=p["doe"], kind="validation_report", uploaded=_pdf("validation.pdf")))
    timed("activity_validate", lambda: services.activity_validate(activity=a, user=p["doe"]))
    timed("host_approval_issue", lambda: services.host_approval_issue(
        activity=a, user=p["dna"], sd_confirmation="Fosters SD.", ndc_relation="Within the NDC.",
        authorized_participants=[p["developer"]]))
    timed("authorization_statement_issue", lambda: services.authorization_statement_issue(
        activity=a, user=p["dna"], uses="ndc", effective_from=datetime.date(2021, 1, 1)))
    timed("activity_request_registration",
          lambda: services.activity_request_registration(activity=a, user=p["doe"]))
    _pay(a.fees.filter(kind="registration"), p["sec"], times)
    timed("activity_start_completeness_check",
          lambda: services.activity_start_completeness_check(activity=a, user=p["sec"]))
    timed("activity_pass_completeness_check",
          lambda: services.activity_pass_completeness_check(activity=a, user=p["sec"]))
    timed("activity_pass_information_check",
          lambda: services.activity_pass_information_check(activity=a, user=p["sec"]))
    _timer_pass(Activity, a.pk, times, "timer pass: register_by_timer")
    _timer_pass(Activity, a.pk, times, "timer pass: register_after_appeal")
    a = Activity.objects.get(pk=a.pk)
    if a.state != ActivityState.REGISTERED:
        raise RuntimeError(f"{a.reference} stopped at {a.state}")
    return a


def period_drive(*, p, a, account, start, end, size, timed, times, worker, until=PeriodState.ISSUED):
    """One monitoring period of `a` from submitted to `until` (verified or issued) through every service."""
    period = timed("period_submit", lambda: services.period_submit(
        activity=a, user=p["ap"], start=start, end=end, claims={start.year: size}, report=_pdf("monitoring.pdf")))
    timed("period_start_verification", lambda: services.period_start_verification(period=period, user=p["doe"]))
    timed("document_upload", lambda: services.document_upload(
        activity=a, user=p["doe"], kind="verification_report", uploaded=_pdf("verification.pdf"), period=period))
    timed("period_certify", lambda: services.period_certify(
        period=period, user=p["doe"], verified={c.vintage: c.claimed for c in period.claims.all()}))
    period = MonitoringPeriod.objects.get(pk=period.pk)
    if until == PeriodState.VERIFIED:
        return period
    timed("period_request_issuance", lambda: services.period_request_issuance(
        period=period, user=p["doe"], units_requested=period.verified_total,
        lines=[{"account": account, "percent": "100"}]))
    timed("period_confirm_issuance_request",  # pacm issue 9: the participants confirm first
          lambda: services.period_confirm_issuance_request(period=period, user=p["ap"]))
    _pay(period.fees.filter(kind="issuance"), p["sec"], times)
    timed("period_start_issuance_checks",
          lambda: services.period_start_issuance_checks(period=period, user=p["sec"]))
    timed("period_pass_issuance_checks",
          lambda: services.period_pass_issuance_checks(period=period, user=p["sec"]))
    return issued_after_review(period=period, times=times, worker=worker)


def issued_after_review(*, period, times, worker):
    """The review window and the appeal window pass (timers); the issuance runs eagerly in the
    timer pass, or in the real worker, which is waited for. The period is issued, or this raises."""
    issue_label = ("appeal window closed -> issued (worker)" if worker
                   else "timer pass: close_appeal_window + issuance (eager)")
    _timer_pass(MonitoringPeriod, period.pk, times, "timer pass: approve_by_timer")
    if worker:
        _timer_pass(MonitoringPeriod, period.pk, times, "timer pass: close_appeal_window")
        t0 = time.perf_counter()
        while MonitoringPeriod.objects.get(pk=period.pk).state != PeriodState.ISSUED:
            if time.perf_counter() - t0 > WAIT_SECONDS:
                raise RuntimeError(f"{period} was not issued within {WAIT_SECONDS} s: is the worker running?")
            time.sleep(0.01)
        times[issue_label].append(time.perf_counter() - t0)
    else:
        _timer_pass(MonitoringPeriod, period.pk, times, issue_label)
    state = MonitoringPeriod.objects.get(pk=period.pk).state
    if state != PeriodState.ISSUED:
        raise RuntimeError(f"{period} stopped at {state}")
    return period


def timer(times):
    """`timed(name, call)`: run the call, append its duration to times[name], return its result."""

    def timed(name, call):
        t0 = time.perf_counter()
        result = call()
        times[name].append(time.perf_counter() - t0)
        return result

    return timed


def cycle_run(*, activities, sizes, worker):
    """Drive the sample; `worker` says issuances run in a real worker (wait for them)."""
    p = _personas()
    version = MethodologyVersion.objects.get(methodology__code="A6.4-AMM-001", version="1.0")
    scope = version.methodology.sectoral_scopes.order_by("number").first()
    times = defaultdict(list)
    timed = timer(times)
    started = time.perf_counter()
    today = timezone.localdate()
    registered = [
        activity_register(p=p, version=version, scope=scope, start=today - datetime.timedelta(days=30),
                          title=f"Bench cycle landfill gas {i + 1}", size=sizes[i % len(sizes)], timed=timed,
                          times=times)
        for i in range(activities)
    ]
    account = timed("account_open", lambda: account_open(
        kind=AccountKind.HOLDING, name="Bench cycle developer holding", organisation=p["developer"], user=p["sec"]))
    for i, a in enumerate(registered):
        timed("activity_engage_doe", lambda: services.activity_engage_doe(
            activity=a, user=p["ap"], doe=p["doe_org"], stage="verification"))
        # The period ends yesterday: a report covers reductions already achieved (RMP 50-51).
        period_drive(p=p, a=a, account=account, start=a.crediting_start, end=today - datetime.timedelta(days=1),
                     size=sizes[(i * 7) % len(sizes)], timed=timed, times=times, worker=worker)
    return {
        "activities": activities,
        "periods": len(registered),
        "wall_s": round(time.perf_counter() - started, 1),
        "steps": {name: summary(values) for name, values in times.items()},
    }
