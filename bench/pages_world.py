"""The world `make bench-pages` serves (bench/pages.py), built once per set of parameters and kept.

On top of the snapshot of bench/world.py (registered activities, issuing periods), the real write
path runs: every issuance through `issuance_process`, transfers through `units_transfer`; then
one activity is driven through every service for `long_periods` monitoring periods (its event
history grows with each; the last period stays verified, for the issuance preview), a share of
the snapshot's activities get a period waiting for their DOE or the secretariat (so the queues
and the fees due are not empty), and the holding account of the long activity's developer is
fragmented into `big_account_blocks` serial blocks (what many partial transfers leave behind:
the same serials, units per account, totals and ledger, cut into more blocks).

The parameters are written, with the hash that names the database, in the table
`bench_pages_world`; a later run with the same parameters finds it and reuses the world.
"""
import contextlib
import datetime
import hashlib
import json
import multiprocessing
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor

FULL = {"activities": 5000, "issuances": 20000, "transfers": 10000, "long_periods": 100,
        "big_account_blocks": 100_000, "waiting": 100}
MARKER_TABLE = "bench_pages_world"
# Bump when the builder changes what it writes: older worlds are then rebuilt, not reused.
BUILDER_VERSION = 1
LONG_TITLE = "Bench long history"
LONG_PERIOD_DAYS = 14
LONG_PERIOD_UNITS = 50_000
ISSUING_CALLERS = 2


def world_parameters(*, scale, seed=64):
    """The counts of a world `scale` times the full one (at least 1 of each), with the seed."""
    params = {name: max(1, round(value * scale)) for name, value in FULL.items()}
    params["long_periods"] = max(2, params["long_periods"])  # one issued, the last left verified
    params["seed"] = seed
    params["builder"] = BUILDER_VERSION
    return params


def world_key(params):
    """A short stable hash of the parameters: it names the database and marks the built world."""
    text = json.dumps(params, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def database_name(params):
    return f"pacm_bench_pages_{world_key(params)}"


# --- The marker: what world a database holds ----------------------------------------------------


def marker_read():
    """The manifest stored with the world, or None if this database holds no finished world."""
    from django.db import connection

    with connection.cursor() as cursor:
        if MARKER_TABLE not in connection.introspection.table_names(cursor):
            return None
        cursor.execute(f"SELECT key, manifest FROM {MARKER_TABLE}")
        row = cursor.fetchone()
    return None if row is None else {"key": row[0], **json.loads(row[1])}


def marker_write(key, manifest):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (key varchar(40) PRIMARY KEY, manifest text)")
        cursor.execute(f"DELETE FROM {MARKER_TABLE}")
        cursor.execute(f"INSERT INTO {MARKER_TABLE} (key, manifest) VALUES (%s, %s)", [key, json.dumps(manifest)])


# --- Building -------------------------------------------------------------------------------------


def _log(message):
    import sys

    print(f"[bench-pages {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def issue_share(period_ids):
    """One process's share of the snapshot's issuances, through the product's issuance_process."""
    import django

    django.setup()
    from django.db import connection

    from projects.services.issuance import issuance_process

    failures = 0
    try:
        for pk in period_ids:
            for attempt in range(3):  # a lock timeout or deadlock with the other process: try again
                try:
                    issuance_process(period_id=pk)
                    break
                except Exception:
                    if attempt == 2:
                        failures += 1
        return failures
    finally:
        connection.close()


def issuances_all(seed):
    """Every issuing period of the snapshot, issued by ISSUING_CALLERS processes at once."""
    import random

    from django.db import connection

    from projects.cycle import PeriodState
    from projects.models import IssuanceRequest, MonitoringPeriod

    ids = list(MonitoringPeriod.objects.filter(state=PeriodState.ISSUING).order_by("pk").values_list("pk", flat=True))
    random.Random(seed).shuffle(ids)
    from django.utils import timezone

    IssuanceRequest.objects.filter(period_id__in=ids).update(dispatched_at=timezone.now())
    connection.close()
    shares = [ids[i::ISSUING_CALLERS] for i in range(ISSUING_CALLERS)]
    with ProcessPoolExecutor(max_workers=ISSUING_CALLERS, mp_context=multiprocessing.get_context("spawn")) as pool:
        failures = sum(pool.map(issue_share, shares))
    left = MonitoringPeriod.objects.filter(state=PeriodState.ISSUING).count()
    return {"issued": len(ids) - left, "failures": failures, "left_issuing": left}


def long_history(*, periods):
    """One activity registered in 2021, then `periods` monitoring periods of 14 days through every
    service; all but the last issued to its developer's account, the last left verified."""
    import time_machine

    from methodologies.models import MethodologyVersion
    from pacm.registry.models import AccountKind
    from pacm.registry.services import account_open
    from projects import services
    from projects.cycle import PeriodState

    from . import cycle

    p = cycle._personas()
    # A bench methodology approved from 2021 (bench/world.py), not A6.4-AMM-001 (approved in 2025).
    version = MethodologyVersion.objects.filter(methodology__code__startswith="BENCH-R-").order_by("pk").first()
    scope = version.methodology.sectoral_scopes.order_by("number").first()
    times = defaultdict(list)
    timed = cycle.timer(times)
    start = datetime.date(2021, 1, 4)
    # Registered in 2021 (the clock moved back), so that its periods have all ended by today.
    with time_machine.travel(datetime.datetime(2021, 1, 15, 9, tzinfo=datetime.UTC), tick=True):
        activity = cycle.activity_register(p=p, version=version, scope=scope, start=start, title=LONG_TITLE,
                                           size=LONG_PERIOD_UNITS * 26, timed=timed, times=times)
        account = account_open(kind=AccountKind.HOLDING, name="Bench long history developer holding",
                               organisation=p["developer"], user=p["sec"])
        services.activity_engage_doe(activity=activity, user=p["ap"], doe=p["doe_org"], stage="verification")
    last = None
    for n in range(periods):
        begin = start + datetime.timedelta(days=n * LONG_PERIOD_DAYS)
        last = cycle.period_drive(
            p=p, a=activity, account=account, start=begin, end=begin + datetime.timedelta(days=LONG_PERIOD_DAYS - 1),
            size=LONG_PERIOD_UNITS, timed=timed, times=times, worker=False,
            until=PeriodState.VERIFIED if n == periods - 1 else PeriodState.ISSUED)
    return {"activity": activity.reference, "account": account.number, "last_period": last.number,
            "users": {"participant": p["ap"].username, "doe": p["doe"].username, "dna": p["dna"].username,
                      "secretariat": p["sec"].username}}


def waiting_periods(*, count, seed):
    """`count` snapshot activities get one more period: half wait for their DOE to verify it, half
    wait for the secretariat (issuance fee due, checks to start). Those the rules refuse are skipped."""
    import random

    from django.contrib.auth import get_user_model

    from pacm.common.errors import ServiceError
    from pacm.parties.models import Membership
    from projects import services
    from projects.models import Activity
    from projects.selectors import period_next_start

    from . import cycle

    User = get_user_model()
    rng = random.Random(seed)
    today = datetime.date.today()
    candidates = list(Activity.objects.filter(title__startswith="Replay of VROD", crediting_end__gte=today)
                      .select_related("verification_doe").order_by("pk"))
    rng.shuffle(candidates)
    done = {"waiting_doe": 0, "waiting_secretariat": 0, "refused": 0}
    times = defaultdict(list)
    for n, activity in enumerate(candidates[: count * 2]):
        if done["waiting_doe"] + done["waiting_secretariat"] >= count:
            break
        participant = activity.participants.order_by("pk").first()
        ap = User.objects.filter(username=f"bench-ap-{participant.pk}").first()
        doe, _ = User.objects.get_or_create(username=f"bench-doe-{activity.verification_doe_id}",
                                            defaults={"password": "!bench-unusable"})
        Membership.objects.get_or_create(user=doe, organisation=activity.verification_doe)
        start = period_next_start(activity)
        end = today - datetime.timedelta(days=1)
        try:
            period = services.period_submit(activity=activity, user=ap, start=start, end=end,
                                            claims={start.year: 10_000}, report=cycle._pdf("monitoring.pdf"))
            if n % 2:
                done["waiting_doe"] += 1
                continue
            services.period_start_verification(period=period, user=doe)
            services.document_upload(activity=activity, user=doe, kind="verification_report",
                                     uploaded=cycle._pdf("verification.pdf"), period=period)
            services.period_certify(period=period, user=doe, verified={c.vintage: c.claimed for c in period.claims.all()})
            period.refresh_from_db()
            account = activity.participants.order_by("pk").first().accounts.order_by("pk").first()
            services.period_request_issuance(period=period, user=doe, units_requested=period.verified_total,
                                             lines=[{"account": account, "percent": "100"}])
            # pacm issue 9: confirmed by the participants, the request waits for the secretariat.
            services.period_confirm_issuance_request(period=period, user=ap)
            done["waiting_secretariat"] += 1
        except ServiceError as error:
            done["refused"] += 1
            times[error.code].append(0)
    done["refusals"] = {code: len(v) for code, v in times.items()}
    return done


def fragment(*, account_number, blocks):
    """Cut the account's blocks into `blocks` blocks in all, each piece a child of the block it came
    from (as a partial move leaves them): same serials, same units, same totals and ledger."""
    from django.db import transaction
    from django.db.models import F

    from pacm.registry.models import UnitBlock

    with transaction.atomic():
        rows = list(UnitBlock.objects.select_for_update().filter(account__number=account_number)
                    .annotate(q=F("serial_end") - F("serial_start") + 1).order_by("pk"))
        need = blocks - len(rows)
        units = sum(r.q for r in rows)
        if need <= 0:
            return len(rows)
        if units < blocks:
            raise RuntimeError(f"{account_number} holds {units:,} units: too few for {blocks:,} blocks")
        pieces, cut = [], []
        for i, row in enumerate(rows):
            share = need // len(rows) + (1 if i < need % len(rows) else 0)
            share = min(share, row.q - 1)
            if share <= 0:
                continue
            size = row.q // (share + 1)
            serial = row.serial_start + size
            for _ in range(share):
                pieces.append(UnitBlock(
                    activity_id=row.activity_id, host_party_id=row.host_party_id, vintage=row.vintage,
                    issuance_id=row.issuance_id, serial_start=serial, serial_end=serial + size - 1,
                    account_id=row.account_id, authorization_status=row.authorization_status,
                    first_transfer_definition=row.first_transfer_definition, first_transferred=row.first_transferred,
                    first_transferred_at=row.first_transferred_at, parent_id=row.pk))
                serial += size
            pieces[-1].serial_end = row.serial_end
            row.serial_end = row.serial_start + size - 1
            cut.append(row)
        UnitBlock.objects.bulk_update(cut, ["serial_end"], batch_size=2000)
        UnitBlock.objects.bulk_create(pieces, batch_size=5000)
    return UnitBlock.objects.filter(account__number=account_number).count()


def users_for_roles(long):
    """One user per role whose dashboard the bench opens; the participant, DOE and DNA with the most
    activities of the snapshot, the mechanism's own organisations."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from pacm.parties.models import Membership, Organisation
    from projects.models import Activity

    K = Organisation.Kind
    User = get_user_model()

    def member(username, organisation):
        user, _ = User.objects.get_or_create(username=username, defaults={"password": "!bench-unusable"})
        Membership.objects.get_or_create(user=user, organisation=organisation)
        return user.username

    top_participant = (Organisation.objects.filter(kind=K.PARTICIPANT, name__startswith="Developer ")
                       .annotate(n=Count("activities")).order_by("-n", "pk").first())
    top_doe = (Activity.objects.values("verification_doe").annotate(n=Count("pk")).order_by("-n").first())
    top_host = Activity.objects.values("host_party").annotate(n=Count("pk")).order_by("-n").first()
    return {
        "participant": member(f"bench-ap-{top_participant.pk}", top_participant),
        "doe": member(f"bench-doe-{top_doe['verification_doe']}", Organisation.objects.get(pk=top_doe["verification_doe"])),
        "dna": member("bench-pages-dna", Organisation.objects.get(kind=K.DNA, party_id=top_host["host_party"])),
        "secretariat": member("bench-pages-sec", Organisation.objects.filter(kind=K.SECRETARIAT).order_by("pk").first()),
        "sb": member("bench-pages-sb", Organisation.objects.filter(kind=K.SB).order_by("pk").first()),
        "af": member("bench-pages-af", Organisation.objects.filter(kind=K.ADAPTATION_FUND).order_by("pk").first()),
        # The long activity's own people: its developer holds the fragmented account.
        "long_participant": long["users"]["participant"],
        "long_doe": long["users"]["doe"],
    }


def world_build_all(params):
    """Build the whole world in the current (empty, migrated) database; returns its manifest."""
    from django.db import connection

    from bench import transfers, vrod, world

    phases = {}

    @contextlib.contextmanager
    def phase(name):
        _log(f"{name} ...")
        t0 = time.perf_counter()
        yield
        phases[name] = round(time.perf_counter() - t0, 1)
        _log(f"{name} done in {phases[name]} s")

    with phase("snapshot"):
        built = world.world_build(activities=params["activities"], issuances=params["issuances"], seed=params["seed"])
    with phase("issuances"):
        issued = issuances_all(params["seed"])
    with phase("transfers"):
        moved = transfers.transfers_run(count=params["transfers"], callers=2, seed=params["seed"],
                                        sizes=vrod.retired_volumes(vrod.projects_load()))
    connection.close()
    with phase("long history"):
        long = long_history(periods=params["long_periods"])
    with phase("waiting periods"):
        waiting = waiting_periods(count=params["waiting"], seed=params["seed"])
    with phase("fragment"):
        blocks = fragment(account_number=long["account"], blocks=params["big_account_blocks"])
    users = users_for_roles(long)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "params": params, "phases": phases, "snapshot": {k: built[k] for k in ("activities", "periods", "holding_accounts")},
        "issued": issued, "transfers": {"count": moved["all"]["count"], "errors": moved["errors"]},
        "long": long, "waiting": waiting, "big_account_blocks": blocks, "users": users,
    }
