"""The benchmark's starting world, loaded as a SNAPSHOT with bulk inserts (like restoring a dump).

Driving 5,000 activities and 20,000 monitoring periods through every service would take hours,
and how the world came to be is not what the benchmark measures. So this module writes, in a
few bulk inserts, the rows the services would have left behind: parties and their DNAs, DOEs,
developers and investors with a user and a holding account each, activities in state
`registered` with a host approval and an authorization statement, and monitoring periods in
state `issuing` with verified claims per vintage and an issuance request with 1-3 forwarding
lines. Everything measured afterwards (issuances, transfers, the full-cycle sample) runs the
product's own services on top of it.

Modelled on real projects (bench/vrod.py): each activity replays one VROD project with
issuances (host Party from its country, removals -> a removals methodology with a risk rating,
its estimated annual volume), and each period's size is one of that project's real yearly
issued volumes, so sizes span 1 unit to millions.

Left out on purpose, because nothing measured reads them: the event history, fees and
documents of the snapshot rows (their event streams start with the first measured change).
A request the services would refuse (deductions larger than the issuance) is not written: its
size is scaled up by 10 until the split works, and the count of such rows is reported.
"""
import datetime
import math
import random
import time
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from methodologies.arithmetic import distribution_allocate, issuance_split
from methodologies.models import Methodology, MethodologyVersion, RuleSet, SectoralScope
from pacm.common.errors import ServiceError
from pacm.parties.models import DOEAccreditation, Membership, Organisation, Party, PartyStatus
from pacm.registry.models import Account, AccountKind
from projects.cycle import ActivityState, PeriodState
from projects.models import (
    Activity,
    AuthorizationStatement,
    DistributionLine,
    HostApproval,
    IssuanceRequest,
    MonitoringPeriod,
    VintageClaim,
)

from . import vrod

K = Organisation.Kind
BATCH = 2000
CREDITING_EARLIEST = datetime.date(2021, 1, 1)
LAST_PERIOD_END = datetime.date(2026, 9, 30)  # reports are filed after the period ends
INVESTOR_PARTIES = {"SE": "Sweden", "JP": "Japan", "NO": "Norway", "CH": "Switzerland", "SG": "Singapore",
                    "KR": "Republic of Korea"}
INVESTORS_PER_PARTY = 10
DOES = 15
# Authorization statement mix (RMP 42): NDC use, OIMP with first transfer at issuance, none.
AUTHORIZATION_MIX = ((AuthorizationStatement.Uses.NDC, 0.4), (AuthorizationStatement.Uses.OIMP, 0.3),
                     (AuthorizationStatement.Uses.MITIGATION_CONTRIBUTION, 0.3))
# A6.4-STAN-METH-002 paras 38, 55 (pacm issue 10): percentage ratings; the categories are superseded.
RISK_MIX = ((Decimal("10"), 0.5), (Decimal("20"), 0.35), (Decimal("30"), 0.15))
LINE_SPLITS = {1: ("100",), 2: ("60", "40"), 3: ("50", "30", "20")}


def _pick(rng, weighted):
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


class _Ids:
    """Explicit primary keys for the snapshot rows, after whatever the migrations seeded."""

    def __init__(self):
        self.next = {}

    def take(self, model):
        if model not in self.next:
            last = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            self.next[model] = last + 1
        pk = self.next[model]
        self.next[model] += 1
        return pk


def _bulk(model, rows):
    model.objects.bulk_create(rows, batch_size=BATCH)
    return rows


def _methodologies():
    """One bench methodology per kind and sectoral scope, approved from 2021 (RMP 32)."""
    versions = {}

    def version(code, title, kind, scope, reversal_risk=False):
        m, _ = Methodology.objects.get_or_create(
            code=code, defaults={"title": title, "kind": kind, "reversal_risk": reversal_risk})
        m.sectoral_scopes.add(SectoralScope.objects.get(number=scope))
        v, _ = MethodologyVersion.objects.get_or_create(
            methodology=m, version="1.0", defaults={"status": "approved", "valid_from": CREDITING_EARLIEST})
        return v

    for number in sorted(set(vrod.SCOPE.values())):
        versions[("Reduction", number)] = version(f"BENCH-R-{number:02d}", f"Bench reductions, scope {number}",
                                                  Methodology.Kind.REDUCTIONS, number)
    removals = version("BENCH-REM-14", "Bench removals", Methodology.Kind.REMOVALS, 14)
    mixed = version("BENCH-RR-14", "Bench reductions with reversal risk", Methodology.Kind.REDUCTIONS, 14,
                    reversal_risk=True)
    for number in set(vrod.SCOPE.values()):
        versions[("Impermanent Removal", number)] = removals
        versions[("Long-Duration Removal", number)] = removals
        versions[("Mixed", number)] = mixed
    return versions


def _period_windows(*, rng, start, crediting_end, count):
    """`count` consecutive monitoring periods from `start`, 6-18 months each, ending by the cut-off."""
    limit = min(crediting_end, LAST_PERIOD_END)
    available = (limit.year - start.year) * 12 + (limit.month - start.month)
    months = [rng.choice((12, 12, 12, 6, 18)) for _ in range(count)]
    if sum(months) > available:
        months = [max(1, available // count)] * count
    windows, cursor = [], start
    for m in months:
        end = cursor + relativedelta(months=m) - datetime.timedelta(days=1)
        windows.append((cursor, end))
        cursor = end + datetime.timedelta(days=1)
    return windows


def _vintages(start, end, volume):
    """The period's volume split over the calendar years it covers, by days; zero shares dropped."""
    years = list(range(start.year, end.year + 1))
    days = [(min(end, datetime.date(y, 12, 31)) - max(start, datetime.date(y, 1, 1))).days + 1 for y in years]
    total = sum(days)
    shares = [volume * d // total for d in days]
    shares[-1] += volume - sum(shares)
    return [(y, q) for y, q in zip(years, shares, strict=True) if q > 0]


def world_build(*, activities, issuances, seed=64):
    """Write the snapshot; return what it holds. Runs in one transaction, in minutes at most."""
    started = time.perf_counter()
    rng = random.Random(seed)
    projects = vrod.projects_load()
    rng.shuffle(projects)
    chosen = [projects[i % len(projects)] for i in range(activities)]
    rule_set = RuleSet.objects.in_force(timezone.localdate())
    now = timezone.now()
    ids = _Ids()
    adjusted = 0
    with transaction.atomic():
        versions = _methodologies()
        scope_of = {v.pk: v.methodology.sectoral_scopes.order_by("number").first() for v in versions.values()}
        # Parties (RMP 26: all participate), their DNAs, dated LDC/SIDS statuses.
        names = {p.iso2: p.country for p in chosen}
        for iso2, name in INVESTOR_PARTIES.items():
            names.setdefault(iso2, name)
        parties = {}
        for iso2, name in sorted(names.items()):
            parties[iso2] = Party(pk=ids.take(Party), iso2=iso2, name=name, dna_designated=True, has_ndc=True,
                                  sd_contribution_published=True, activity_types_published=True)
        _bulk(Party, list(parties.values()))
        statuses = [PartyStatus(party=parties[c], kind=kind, valid_from=datetime.date(1990, 1, 1))
                    for codes, kind in ((vrod.LDC, PartyStatus.Kind.LDC), (vrod.SIDS, PartyStatus.Kind.SIDS))
                    for c in sorted(codes) if c in parties]
        _bulk(PartyStatus, statuses)
        orgs = []

        def org(name, kind, party=None, authorized=False):
            o = Organisation(pk=ids.take(Organisation), name=name, kind=kind, party=party,
                             authorized_by_party=authorized)
            orgs.append(o)
            return o

        dna = {iso2: org(f"DNA of {p.name} ({iso2})", K.DNA, p) for iso2, p in parties.items()}
        for name, kind in (("UNFCCC secretariat", K.SECRETARIAT), ("Supervisory Body", K.SB),
                           ("Adaptation Fund", K.ADAPTATION_FUND)):
            org(name, kind)
        does = [org(f"Bench DOE {i:02d}", K.DOE) for i in range(1, DOES + 1)]
        # Developers: about one per three activities of a host; investors from a few buyer Parties.
        per_host = {}
        for p in chosen:
            per_host[p.iso2] = per_host.get(p.iso2, 0) + 1
        developers = {iso2: [org(f"Developer {iso2}-{k:03d}", K.PARTICIPANT, parties[iso2], True)
                             for k in range(1, math.ceil(n / 3) + 1)] for iso2, n in sorted(per_host.items())}
        investors = [org(f"Investor {iso2}-{k:02d}", K.PARTICIPANT, parties[iso2], True)
                     for iso2 in sorted(INVESTOR_PARTIES) for k in range(1, INVESTORS_PER_PARTY + 1)]
        _bulk(Organisation, orgs)
        scopes = list(SectoralScope.objects.all())
        _bulk(DOEAccreditation, [DOEAccreditation(organisation=d, sectoral_scope=s, valid_from=datetime.date(2020, 1, 1))
                                 for d in does for s in scopes])
        # One user and one holding account per participant (7/CMA.4 annex I para 33).
        participants = [o for o in orgs if o.kind == K.PARTICIPANT]
        User = get_user_model()
        users = [User(pk=ids.take(User), username=f"bench-ap-{o.pk}", email=f"ap{o.pk}@bench.invalid",
                      password="!bench-unusable") for o in participants]
        _bulk(User, users)
        _bulk(Membership, [Membership(user=u, organisation=o) for u, o in zip(users, participants, strict=True)])
        accounts = {}
        for o in participants:
            pk = ids.take(Account)
            accounts[o.pk] = Account(pk=pk, number=f"PACM-H-{pk:06d}", kind=AccountKind.HOLDING,
                                     name=f"{o.name} holding", organisation=o)
        _bulk(Account, list(accounts.values()))

        # Activities, registered, with their participants, host approval and statement.
        rows, links, approvals, approved_links, statements, plans = [], [], [], [], [], []
        Through = Activity.participants.through
        ApprovedThrough = HostApproval.authorized_participants.through
        for p in chosen:
            version = versions[(p.kind, p.scope)]
            removals = version.methodology.kind == Methodology.Kind.REMOVALS
            crediting_type = "renewable" if removals or rng.random() < 0.8 else "fixed"
            years = (rule_set.removals_renewable_years if removals else
                     rule_set.reductions_renewable_years if crediting_type == "renewable"
                     else rule_set.reductions_fixed_years)
            start = CREDITING_EARLIEST + datetime.timedelta(days=rng.randrange(365))
            pk = ids.take(Activity)
            doe = rng.choice(does)
            annual = p.estimated_annual or sorted(p.issued)[len(p.issued) // 2]
            activity = Activity(
                pk=pk, reference=f"A64-{pk:06d}", title=f"Replay of VROD {p.project_id}",
                host_party=parties[p.iso2], methodology_version=version,
                sectoral_scope=scope_of[version.pk], location=p.country,
                start_date=start - datetime.timedelta(days=rng.randrange(90)), crediting_type=crediting_type,
                crediting_start=start, crediting_end=start + relativedelta(years=years) - datetime.timedelta(days=1),
                estimated_annual=min(annual, 2**31 - 1), description=f"Benchmark snapshot of VROD project {p.project_id}.",
                validation_doe=doe, verification_doe=doe,
                risk_rating_percent=_pick(rng, RISK_MIX) if version.methodology.needs_buffer else None,
                state=ActivityState.REGISTERED, state_entered_at=now - datetime.timedelta(days=rng.randrange(30, 900)),
            )
            rows.append(activity)
            members = [rng.choice(developers[p.iso2])]
            others = [d for d in developers[p.iso2] if d is not members[0]]
            if others and rng.random() < 0.3:
                members.append(rng.choice(others))
            if rng.random() < 0.15:
                members.append(rng.choice(investors))
            links += [Through(activity_id=pk, organisation_id=m.pk) for m in members]
            approval = HostApproval(
                pk=ids.take(HostApproval), activity=activity, version=1, dna=dna[p.iso2],
                sd_confirmation="Fosters sustainable development (snapshot).", ndc_relation="Within the NDC (snapshot).",
                renewal_approved=True, issued_at=now - datetime.timedelta(days=900),
            )
            approvals.append(approval)
            approved_links += [ApprovedThrough(hostapproval_id=approval.pk, organisation_id=m.pk) for m in members]
            uses = _pick(rng, AUTHORIZATION_MIX)
            first_transfer = {"ndc": "international", "oimp": "issuance"}.get(uses, "")
            statements.append(AuthorizationStatement(
                activity=activity, version=1, dna=dna[p.iso2], uses=uses, first_transfer=first_transfer,
                effective_from=CREDITING_EARLIEST, issued_at=now - datetime.timedelta(days=900),
            ))
            plans.append((activity, p, members))
        _bulk(Activity, rows)
        _bulk(Through, links)
        _bulk(HostApproval, approvals)
        _bulk(ApprovedThrough, approved_links)
        _bulk(AuthorizationStatement, statements)

        # Monitoring periods, issuing: verified claims per vintage and the request to issue them.
        counts = [issuances // activities + (1 if i < issuances % activities else 0) for i in range(activities)]
        periods, claims, requests, lines, sizes = [], [], [], [], []
        for (activity, p, members), count in zip(plans, counts, strict=True):
            host = activity.host_party
            sop_exempt = host.iso2 in vrod.LDC or host.iso2 in vrod.SIDS
            risk = activity.risk_rating_percent
            windows = _period_windows(rng=rng, start=activity.crediting_start, crediting_end=activity.crediting_end,
                                      count=count)
            for number, (start, end) in enumerate(windows, start=1):
                volume = p.issued[(number - 1) % len(p.issued)]
                omge_rate = rule_set.omge_min_rate + (Decimal("0.01") if rng.random() < 0.05 else 0)
                while True:  # a request the services would refuse is not in the snapshot
                    vintages = _vintages(start, end, volume)
                    try:
                        split = issuance_split(gross=sum(q for _, q in vintages), rule_set=rule_set,
                                               omge_rate=omge_rate, sop_exempt=sop_exempt, risk_rating=risk)
                        break
                    except ServiceError:
                        volume, adjusted = volume * 10, adjusted + 1
                period = MonitoringPeriod(
                    pk=ids.take(MonitoringPeriod), activity=activity, number=number, start=start, end=end,
                    state=PeriodState.ISSUING, state_entered_at=now,
                )
                periods.append(period)
                claims += [VintageClaim(period=period, vintage=y, claimed=q, verified=q) for y, q in vintages]
                request = IssuanceRequest(pk=ids.take(IssuanceRequest), period=period, units_requested=split.gross,
                                          omge_rate=omge_rate, split=IssuanceRequest.Split.PERCENT)
                requests.append(request)
                receiving = [accounts[m.pk] for m in members]
                n_lines = min(len(receiving), _pick(rng, ((1, 0.6), (2, 0.3), (3, 0.1))))
                percents = LINE_SPLITS[n_lines]
                distribution_allocate(net=split.net, lines=[{"percent": Decimal(x)} for x in percents])
                lines += [DistributionLine(request=request, position=i, account=a, percent=Decimal(x))
                          for i, (a, x) in enumerate(zip(receiving, percents, strict=False), start=1)]
                sizes.append(split.gross)
        _bulk(MonitoringPeriod, periods)
        _bulk(VintageClaim, claims)
        _bulk(IssuanceRequest, requests)
        _bulk(DistributionLine, lines)
        _sequences_reset([Party, Organisation, get_user_model(), Account, Activity, HostApproval,
                          MonitoringPeriod, IssuanceRequest])
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "parties": len(parties),
        "organisations": len(orgs),
        "participants": len(participants),
        "holding_accounts": len(accounts),
        "activities": len(rows),
        "activities_by_methodology_kind": _count(r.methodology_version.methodology.kind for r in rows),
        "authorization_statements": _count(s.uses for s in statements),
        "periods": len(periods),
        "vintage_claims": len(claims),
        "distribution_lines": len(lines),
        "units_requested": sum(sizes),
        "requests_scaled_up_to_be_valid": adjusted,
        "size_buckets": _count(size_bucket(s) for s in sizes),
        "vrod_projects_used": len({p.project_id for p in chosen}),
    }


def _count(values):
    result = {}
    for v in values:
        result[str(v)] = result.get(str(v), 0) + 1
    return dict(sorted(result.items()))


BUCKETS = (("1-999", 1, 999), ("1k-99,999", 1000, 99_999), ("100k+", 100_000, None))


def size_bucket(units):
    for name, low, high in BUCKETS:
        if units >= low and (high is None or units <= high):
            return name
    return "0"


def _sequences_reset(models):
    """After explicit keys, the next row the services create gets the next free id (PostgreSQL)."""
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
