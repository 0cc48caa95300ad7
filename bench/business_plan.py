"""The business-plan workload: a year of the mechanism's forecasted requests through pacm's services.

The volumes are the SB's forecast for 2026 and 2027 (A6.4-INFO-GOV-024, Appendix para 4, table 2),
kept with their sources in bench/data/business_plan_2026_2027.yaml. For the chosen year, scaled,
this phase drives through the real services, with the right person for each step and the clock
moved past each timer (as bench/cycle.py does for stand-alone projects):

- activity registrations: a project from draft to registered (`cycle.activity_register`);
- activity issuance requests: monitoring periods of the registered projects, in order and without
  gaps, from submission to issued (`cycle.period_drive`);
- PoA registrations: a two-country PoA, each host approving with its cap, to registered;
- CA inclusions: component projects notified, validated, uploaded and included, spread over the PoAs;
- PoA issuance requests covering CAs: one batch of a PoA's included CPs per request (reading
  business-plan-1), from submission to issued.

Each request's cost is the sum of its steps' service calls (timer passes included): its p50 and
p95 per kind, with the wall time of the whole year, show how much of the forecast one process
carries. Rows the plan lists that pacm has no request for are reported as not modelled.
"""
import datetime
import math
import time
from collections import defaultdict
from pathlib import Path

import time_machine
import yaml
from django.utils import timezone

from methodologies.models import MethodologyVersion
from pacm.parties.models import Organisation, Party
from pacm.registry.models import AccountKind
from pacm.registry.services import account_open
from projects import services
from projects.cycle import ActivityState as A
from projects.models import MonitoringPeriod
from projects.poa import services as poa_services
from projects.poa.cycle import CPState as C
from projects.poa.issuance import poa_period_submit
from projects.poa.models import ComponentProject, PoAHost, Programme

from . import cycle
from .stats import summary

PLAN = Path(__file__).resolve().parent / "data" / "business_plan_2026_2027.yaml"
DRIVES = ("activity_registration", "activity_issuance", "poa_registration", "cp_inclusion", "poa_issuance")
PERIOD_DAYS = 30
SD = {"sd_confirmation": "Fosters SD.", "ndc_relation": "Within the NDC."}


def plan_load(path=PLAN):
    """The plan's rows; each names its source and either a drive pacm runs or why none is modelled."""
    data = yaml.safe_load(path.read_text())
    rows = data["rows"]
    for row in rows:
        if not row.get("source"):
            raise ValueError(f"business plan row {row['output']!r} has no source")
        if bool(row.get("drive")) == bool(row.get("not_modelled")):
            raise ValueError(f"business plan row {row['output']!r} needs a drive or a reason it is not modelled")
        if row.get("drive") and row["drive"] not in DRIVES:
            raise ValueError(f"business plan row {row['output']!r}: unknown drive {row['drive']!r}")
    return data


def volumes(plan, *, year, scale):
    """Requests per drive for `year`, scaled (at least one of each, rounded up)."""
    counts = {}
    for row in plan["rows"]:
        if row.get("drive"):
            counts[row["drive"]] = max(1, math.ceil(row["per_year"][year] * scale))
    return counts


def _hosts(first):
    """The personas' host and a second Party with a DNA and no LDC/SIDS status (its fees are due)."""
    second = (Party.objects.filter(organisations__kind=Organisation.Kind.DNA, statuses__isnull=True)
              .exclude(pk=first.pk).order_by("iso2").first())
    if second is None:
        raise RuntimeError("the world has no second Party with a DNA for a two-country PoA")
    return second


def _dna_user(party, name):
    return cycle._user(name, Organisation.objects.get(kind=Organisation.Kind.DNA, party=party))


def _jump(obj, times, name):
    return cycle._timer_pass(type(obj), obj.pk, times, name)


def poa_register(*, p, hosts, version, scope, index, timed, times):
    """One two-country PoA from draft to registered through every service (PROC-AC-003 v03.0 paras
    16-61), each host's DNA approving for itself with its maximum annual amount (paras 25(d), 26)."""
    start = datetime.date(timezone.localdate().year, 1, 1)
    poa = timed("poa_create", lambda: poa_services.poa_create(
        user=p["ap"], organisation=p["developer"], title=f"Bench business-plan PoA {index}",
        hosts=[h for h, _ in hosts], methodology_version=version, sectoral_scope=scope, location="Bench",
        period_start=start, period_end=start.replace(year=start.year + 20) - datetime.timedelta(days=1),
        estimated_annual=80_000, description="Business-plan workload.", typical_cps="A district programme.",
        criteria=["The technology is the PoA-DD's.", "The CP lies within the host's boundary."]))
    timed("poa_notify_prior_consideration", lambda: poa_services.poa_notify_prior_consideration(poa=poa, user=p["ap"]))
    timed("poa_engage_doe", lambda: poa_services.poa_engage_doe(poa=poa, user=p["ap"], doe=p["doe_org"]))
    timed("poa_accept_engagement", lambda: poa_services.poa_accept_engagement(poa=poa, user=p["doe"]))
    for kind in ("pdd", "generic_cp_dd"):
        timed("document_upload", lambda kind=kind: services.document_upload(
            activity=poa, user=p["ap"], kind=kind, uploaded=cycle._pdf(f"{kind}-{index}.pdf")))
    timed("poa_publish_for_consultation", lambda: poa_services.poa_publish_for_consultation(poa=poa, user=p["doe"]))
    _jump(poa, times, "timer pass: close_consultation")
    timed("document_upload", lambda: services.document_upload(
        activity=poa, user=p["doe"], kind="validation_report", uploaded=cycle._pdf(f"vr-{index}.pdf")))
    timed("poa_validate", lambda: poa_services.poa_validate(poa=poa, user=p["doe"]))
    for party, dna in hosts:
        host = PoAHost.objects.get(poa=poa, party=party)
        timed("poa_host_approve", lambda host=host, dna=dna: poa_services.poa_host_approve(
            poa=poa, user=dna, host=host, max_annual=100_000, **SD))
    timed("authorization_statement_issue", lambda: services.authorization_statement_issue(
        activity=poa, user=hosts[0][1], uses="ndc", effective_from=datetime.date(2021, 1, 1)))
    timed("poa_request_registration", lambda: poa_services.poa_request_registration(poa=poa, user=p["doe"]))
    cycle._pay(poa.fees.filter(kind="registration"), p["sec"], times)
    for name in ("poa_start_completeness_check", "poa_pass_completeness_check", "poa_pass_information_check"):
        timed(name, lambda name=name: getattr(poa_services, name)(poa=poa, user=p["sec"]))
    _jump(poa, times, "timer pass: register_by_timer")
    _jump(poa, times, "timer pass: register_after_appeal")
    poa = Programme.objects.get(pk=poa.pk)
    if poa.state != A.REGISTERED:
        raise RuntimeError(f"{poa.reference} stopped at {poa.state}")
    return poa


def cp_include(*, p, poa, host, index, crediting_start, timed):
    """One CP notified, validated by its DOE against the PoA's criteria, uploaded and included
    (PROC-AC-003 v03.0 paras 91-125)."""
    today = timezone.localdate()
    cp = timed("poa_notify_inclusion", lambda: poa_services.poa_notify_inclusion(
        poa=poa, user=p["ap"], title=f"Bench CP {index}", host=PoAHost.objects.get(poa=poa, party=host),
        participants=[p["developer"]], doe=p["doe_org"], location="Bench district", technologies="Cookstoves.",
        start_date=today + datetime.timedelta(days=1), crediting_type="renewable", crediting_start=crediting_start,
        crediting_end=crediting_start + datetime.timedelta(days=5 * 365 - 2), estimated_annual=2_000))
    timed("cp_start_validation", lambda: poa_services.cp_start_validation(cp=cp, user=p["doe"]))
    for kind, who in (("cp_dd", p["ap"]), ("cp_validation_report", p["doe"]), ("cp_inclusion_form", p["doe"])):
        timed("cp_document_upload", lambda kind=kind, who=who: poa_services.cp_document_upload(
            cp=cp, user=who, kind=kind, uploaded=cycle._pdf(f"{kind}-{index}.pdf")))
    timed("cp_validate", lambda: poa_services.cp_validate(
        cp=cp, user=p["doe"], criteria=list(poa.eligibility_criteria.all())))
    timed("cp_upload_inclusion", lambda: poa_services.cp_upload_inclusion(
        cp=cp, user=p["doe"], crediting_start=crediting_start,
        crediting_end=crediting_start + datetime.timedelta(days=5 * 365 - 2)))
    timed("cp_include", lambda: poa_services.cp_include(cp=cp, user=p["sec"], reference=f"BENCH-CP-{index}"))
    cp = ComponentProject.objects.get(pk=cp.pk)
    if cp.state != C.INCLUDED:
        raise RuntimeError(f"{cp.reference} stopped at {cp.state}")
    return cp


def poa_batch_issue(*, p, poa, cps, start, end, account, timed, times, worker):
    """One PoA issuance request covering a batch of included CPs for one period (PROC-AC-003 v03.0
    paras 201, 217-220; reading business-plan-1), from the submission to issued."""
    period = timed("poa_period_submit", lambda: poa_period_submit(
        poa=poa, user=p["ap"], start=start, end=end, report=cycle._pdf("poa-monitoring.pdf"),
        claims={cp.reference: {start.year: 1_000} for cp in cps}))
    timed("period_start_verification", lambda: services.period_start_verification(period=period, user=p["doe"]))
    timed("document_upload", lambda: services.document_upload(
        activity=poa, user=p["doe"], kind="verification_report", uploaded=cycle._pdf("ver.pdf"), period=period))
    by_cp = {}
    for claim in period.cp_claims.select_related("component"):
        by_cp.setdefault(claim.component.reference, {})[claim.vintage] = claim.claimed
    timed("period_certify", lambda: services.period_certify(
        period=period, user=p["doe"], verified=None, verified_by_cp=by_cp))
    period = MonitoringPeriod.objects.get(pk=period.pk)
    timed("period_request_issuance", lambda: services.period_request_issuance(
        period=period, user=p["doe"], units_requested=period.verified_total,
        lines=[{"account": account, "percent": "100"}]))
    timed("period_confirm_issuance_request",
          lambda: services.period_confirm_issuance_request(period=period, user=p["ap"]))
    cycle._pay(period.fees.filter(kind="issuance"), p["sec"], times)
    timed("period_start_issuance_checks", lambda: services.period_start_issuance_checks(period=period, user=p["sec"]))
    timed("period_pass_issuance_checks", lambda: services.period_pass_issuance_checks(period=period, user=p["sec"]))
    return cycle.issued_after_review(period=period, times=times, worker=worker)


class _Requests:
    """Per request kind: the seconds of every service call made for one request, summed."""

    def __init__(self):
        self.seconds = defaultdict(list)
        self.steps = defaultdict(list)

    def run(self, kind, call):
        before = {name: sum(values) for name, values in self.steps.items()}
        result = call()
        spent = sum(sum(values) - before.get(name, 0) for name, values in self.steps.items())
        self.seconds[kind].append(spent)
        return result


def business_plan_run(*, year=2026, scale=1.0, worker=False, plan=None):
    """Drive `scale` of the plan's `year` through the services; the figures per request kind.
    `worker`: issuances run in a real Celery worker (waited for), else eagerly in the timer pass."""
    plan = plan or plan_load()
    counts = volumes(plan, year=year, scale=scale)
    p = cycle._personas()
    first, second = p["host"], _hosts(p["host"])
    hosts = [(first, p["dna"]), (second, _dna_user(second, "bench-plan-dna-2"))]
    version = MethodologyVersion.objects.get(methodology__code="A6.4-AMM-001", version="1.0")
    scope = version.methodology.sectoral_scopes.order_by("number").first()
    requests = _Requests()
    timed = cycle.timer(requests.steps)
    times = requests.steps
    started = time.perf_counter()
    today = timezone.localdate()

    # Projects start 180 days back (prior consideration is in time: RuleSet.prior_consideration_days)
    # and report 30-day periods in order, without gaps, each ended before it is submitted.
    start = today - datetime.timedelta(days=170)
    projects = [requests.run("activity_registration", lambda i=i: cycle.activity_register(
        p=p, version=version, scope=scope, start=start, title=f"Bench business-plan project {i + 1}",
        size=5_000, timed=timed, times=times)) for i in range(counts["activity_registration"])]
    # Opened once the host has authorized the developer (its host approval names it: PROC-REGS-001 para 27).
    account = account_open(kind=AccountKind.HOLDING, name="Bench business-plan holding",
                           organisation=p["developer"], user=p["sec"])
    for a in projects:
        timed("activity_engage_doe", lambda a=a: services.activity_engage_doe(
            activity=a, user=p["ap"], doe=p["doe_org"], stage="verification"))
    periods_each = math.ceil(counts["activity_issuance"] / len(projects))
    if start + datetime.timedelta(days=periods_each * PERIOD_DAYS) >= today:
        raise ValueError(f"{periods_each} periods of {PERIOD_DAYS} days per project do not fit before today")
    made = 0
    for n in range(periods_each):
        for a in projects:
            if made == counts["activity_issuance"]:
                break
            p_start = start + datetime.timedelta(days=n * PERIOD_DAYS)
            requests.run("activity_issuance", lambda a=a, s=p_start: cycle.period_drive(
                p=p, a=a, account=account, start=s, end=s + datetime.timedelta(days=PERIOD_DAYS - 1), size=1_000,
                timed=timed, times=times, worker=worker))
            made += 1

    programmes = [requests.run("poa_registration", lambda i=i: poa_register(
        p=p, hosts=hosts, version=version, scope=scope, index=i + 1, timed=timed, times=times))
        for i in range(counts["poa_registration"])]
    crediting_start = today + datetime.timedelta(days=1)  # not before the inclusion (STAN-AC-004 v03.0 para 127)
    included = defaultdict(list)
    for i in range(counts["cp_inclusion"]):
        poa = programmes[i % len(programmes)]
        party = hosts[i % 2][0]
        included[poa.pk].append(requests.run("cp_inclusion", lambda i=i, poa=poa, party=party: cp_include(
            p=p, poa=poa, host=party, index=i + 1, crediting_start=crediting_start, timed=timed)))
    for poa in programmes:
        timed("poa_engage_verification_doe", lambda poa=poa: poa_services.poa_engage_verification_doe(
            poa=poa, user=p["ap"], doe=p["doe_org"]))

    # The batches report 30-day periods from the CPs' crediting start, each PoA's in order (para 217);
    # the clock stands after the last period's end while they are submitted.
    batches = counts["poa_issuance"]
    per_poa = math.ceil(batches / len(programmes))
    with time_machine.travel(crediting_start + datetime.timedelta(days=per_poa * PERIOD_DAYS + 1), tick=True):
        made = 0
        for n in range(per_poa):
            for poa in programmes:
                if made == batches or not included[poa.pk]:
                    continue
                b_start = crediting_start + datetime.timedelta(days=n * PERIOD_DAYS)
                requests.run("poa_issuance", lambda poa=poa, s=b_start: poa_batch_issue(
                    p=p, poa=poa, cps=included[poa.pk], start=s, end=s + datetime.timedelta(days=PERIOD_DAYS - 1),
                    account=account, timed=timed, times=times, worker=worker))
                made += 1
    wall = time.perf_counter() - started
    return {
        "year": year,
        "scale": scale,
        "source": plan["source"],
        "requests": {kind: {"planned_per_year": _planned(plan, kind, year), **summary(seconds)}
                     for kind, seconds in requests.seconds.items()},
        "not_modelled": [{"output": row["output"], "per_year": row["per_year"][year], "why": row["not_modelled"]}
                         for row in plan["rows"] if row.get("not_modelled")],
        "wall_s": round(wall, 1),
        "steps": {name: summary(values) for name, values in requests.steps.items()},
    }


def _planned(plan, kind, year):
    return next(row["per_year"][year] for row in plan["rows"] if row.get("drive") == kind)
