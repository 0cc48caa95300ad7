"""The Reversal Risk Buffer Pool Account's stress test (A6.4-STAN-METH-002 v01.0 paras 60-61).

Scenarios run against the pool as the ledger stood at a high-water mark (the last
LedgerTransaction id read): every figure is an SQL aggregate of ledger entries up to the mark, so
the same inputs at the same mark give the same figures whenever it is re-run.

- `largest`: the N activities linked to the pool with the most units issued reverse fully;
- `region`: a loss of a share of every unit issued in one UN regional group (the block's host
  Party's `region`, pacm.parties.regions);
- `band`: a share of every unit issued to the activities whose buffer contribution rate (units
  forwarded to the pool over units issued, from the ledger) lies in a band of rates.

Coverage is reported per type of buffer unit (authorized A6.4ERs, mitigation contribution units),
since a reversal is remediated with buffer units of its own type (paras 53, 56-58).
"""
import datetime
from decimal import ROUND_DOWN, Decimal

from django.db import transaction
from django.db.models import F, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from methodologies.models import RuleSet
from pacm.common.errors import Refused, ServiceError
from pacm.engine.run import lock, write_run
from pacm.parties.models import Party
from pacm.parties.roles import Actor, Role, actor_for_role
from pacm.registry.models import (
    Account,
    AccountKind,
    AuthorizationStatus,
    LedgerEntry,
    LedgerTransaction,
    TransactionKind,
)
from pacm.registry.services.reversals import AUTHORIZED, CONTRIBUTION

from . import events
from .cycle import StressTestState
from .machine import STRESS_TEST
from .models import StressTest

GROUPS = (AUTHORIZED, CONTRIBUTION)
BP = 10_000  # shares and rates in basis points: whole numbers, exact arithmetic
LARGEST_MAX = 1_000
_UNITS = Sum(F("serial_end") - F("serial_start") + 1)


def _group(status):
    return CONTRIBUTION if status == AuthorizationStatus.MITIGATION_CONTRIBUTION else AUTHORIZED


def _whole(value, field, maximum, minimum=0):
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise ServiceError(_("Give a whole number."), field=field, code="stress_parameter_invalid") from None
    if not minimum <= value <= maximum:
        params = {"field": field, "min": minimum, "max": maximum}
        raise ServiceError(_("%(field)s must be between %(min)s and %(max)s.") % params, field=field,
                           code="stress_parameter_out_of_range", params=params)
    return value


def stress_parameters_clean(raw):
    """The scenario inputs, checked and normalised (shares and rates in basis points)."""
    raw = raw or {}
    region = (raw.get("region") or "").strip()
    if region and region not in Party.Region.values:
        raise ServiceError(_("Unknown region."), field="region", code="stress_region_unknown")
    params = {
        "largest": _whole(raw.get("largest", 3), "largest", LARGEST_MAX),
        "region": region,
        "region_share_bp": _whole(raw.get("region_share_bp", BP), "region_share_bp", BP),
        "band_low_bp": _whole(raw.get("band_low_bp", 0), "band_low_bp", BP),
        "band_high_bp": _whole(raw.get("band_high_bp", BP), "band_high_bp", BP),
        "band_share_bp": _whole(raw.get("band_share_bp", BP // 2), "band_share_bp", BP),
    }
    if params["band_low_bp"] > params["band_high_bp"]:
        raise ServiceError(_("The band's lower rate is above its upper rate."), field="band_low_bp",
                           code="stress_band_inverted")
    return params


def ledger_mark_now():
    return LedgerTransaction.objects.aggregate(m=Max("id"))["m"] or 0


def _share(quantity, share_bp):
    """A share of a loss, rounded up: a stress test never understates a loss."""
    return -(-quantity * share_bp // BP)


def _percent(pool, loss):
    if not loss:
        return None
    return str((Decimal(pool) * 100 / Decimal(loss)).quantize(Decimal("0.01"), rounding=ROUND_DOWN))


def _scenario(key, affected, losses, pool):
    loss = {g: sum(losses.get(a, {}).get(g, 0) for a in affected) for g in GROUPS}
    covered = {g: min(pool[g], loss[g]) for g in GROUPS}
    return {
        "key": key, "activities": len(affected), "activity_ids": sorted(affected)[:LARGEST_MAX],
        "loss": loss, "covered": covered, "shortfall": {g: loss[g] - covered[g] for g in GROUPS},
        "coverage_percent": {g: _percent(pool[g], loss[g]) for g in GROUPS},
    }


def stress_figures(*, parameters, mark):
    """The scenarios' figures at ledger mark `mark`: a handful of grouped aggregates, no loop over
    units or blocks (bounded by the number of activities linked to the pool)."""
    buffer = Account.objects.get(kind=AccountKind.BUFFER)
    upto = LedgerEntry.objects.filter(transaction_id__lte=mark)
    pool = dict.fromkeys(GROUPS, 0)
    for row in upto.filter(Q(transaction__to_account=buffer) | Q(transaction__from_account=buffer)).values(
            "block__authorization_status").annotate(
            n_in=Sum(F("serial_end") - F("serial_start") + 1, filter=Q(transaction__to_account=buffer)),
            n_out=Sum(F("serial_end") - F("serial_start") + 1, filter=Q(transaction__from_account=buffer))):
        pool[_group(row["block__authorization_status"])] += (row["n_in"] or 0) - (row["n_out"] or 0)
    # Activities linked to the pool: those that forwarded units to it up to the mark.
    deposits = {row["block__activity_id"]: row["n"] for row in upto.filter(
        transaction__kind=TransactionKind.BUFFER_DEPOSIT).values("block__activity_id").annotate(n=_UNITS)}
    exposure, regional, issued = {}, {}, {}
    for row in upto.filter(transaction__kind=TransactionKind.ISSUANCE, block__activity_id__in=list(deposits)).values(
            "block__activity_id", "block__authorization_status", "block__host_party__region").annotate(n=_UNITS):
        activity, group = row["block__activity_id"], _group(row["block__authorization_status"])
        exposure.setdefault(activity, dict.fromkeys(GROUPS, 0))[group] += row["n"]
        issued[activity] = issued.get(activity, 0) + row["n"]
        if parameters["region"] and row["block__host_party__region"] == parameters["region"]:
            regional.setdefault(activity, dict.fromkeys(GROUPS, 0))[group] += row["n"]
    scenarios = []
    largest = sorted(exposure, key=lambda a: (-issued[a], a))[:parameters["largest"]]
    scenarios.append(_scenario("largest", largest, exposure, pool))
    if parameters["region"]:
        share = parameters["region_share_bp"]
        scenarios.append(_scenario("region", list(regional), {
            a: {g: _share(regional[a][g], share) for g in GROUPS} for a in regional}, pool))
    low, high, share = parameters["band_low_bp"], parameters["band_high_bp"], parameters["band_share_bp"]
    band = [a for a in exposure if low * issued[a] <= deposits[a] * BP <= high * issued[a]]
    scenarios.append(_scenario("band", band, {a: {g: _share(exposure[a][g], share) for g in GROUPS} for a in band},
                               pool))
    return {"ledger_mark": mark, "pool": pool, "activities_linked": len(exposure), "scenarios": scenarios}


def _actor(user):
    if isinstance(user, Actor):
        return user
    actor = actor_for_role(user, Role.SECRETARIAT) or actor_for_role(user, Role.SB)
    if actor is None:
        raise Refused(_("Only the secretariat or a member of the Supervisory Body runs the buffer stress test."),
                      code="not_permitted", params={"what": "run_stress_test"})
    return actor


@STRESS_TEST.serves("supersede")
def stress_test_supersede(*, stress_test, user, comment=""):
    return write_run(machine=STRESS_TEST, pk=stress_test.pk, name="supersede", user=user, comment=comment)


@STRESS_TEST.serves("fall_due")
def stress_test_fall_due(*, stress_test, user=None, actor=None, comment="", expected_state=None):
    """Para 61: the interval since the last test has run out; the secretariat and the SB are told."""
    return write_run(machine=STRESS_TEST, pk=stress_test.pk, name="fall_due", user=actor or user, comment=comment,
                     expected_state=expected_state)


@STRESS_TEST.serves("loss_event")
def stress_test_loss_event(*, stress_test, user, cause):
    return write_run(machine=STRESS_TEST, pk=stress_test.pk, name="loss_event", user=user,
                     payload={"cause": cause})


def stress_test_after_loss(*, actor, cause):
    """Para 61: a significant loss event makes the current stress test due now (inside the
    remediation's transaction); the secretariat and the SB are told. Nothing before a first test."""
    current = StressTest.objects.filter(state=StressTestState.CURRENT).order_by("-id").first()
    if current is None:
        return None
    return stress_test_loss_event(stress_test=current, user=actor, cause=cause)


def stress_test_run(*, user, parameters, mark=None):
    """Run the stress test and record it; the previous test is superseded; the next falls due after
    the rule set's interval (para 61: at least every three years). `mark`: re-run at an earlier
    ledger mark (reproduction); by default the ledger as it stands."""
    from ..services.base import action_run

    parameters = stress_parameters_clean(parameters)
    now_mark = ledger_mark_now()
    mark = now_mark if mark in (None, "") else _whole(mark, "mark", now_mark)
    with transaction.atomic():
        # One run at a time: the pool's account row orders them.
        lock(Account, Account.objects.only("pk").get(kind=AccountKind.BUFFER).pk)
        previous = StressTest.objects.exclude(state=StressTestState.SUPERSEDED).order_by("-id").first()

        def create(actor):
            rule_set = RuleSet.objects.in_force(timezone.localdate())
            test = StressTest.objects.create(
                parameters=parameters, ledger_mark=mark, results=stress_figures(parameters=parameters, mark=mark),
                rule_set=rule_set, run_by=actor.name, state_entered_at=timezone.now(),
                due_at=timezone.now() + datetime.timedelta(days=rule_set.stress_test_interval_days),
            )
            events.stress_test_run(test=test, actor=actor)
            return test

        if previous is None:
            return create(_actor(user))

        def apply(obj, actor):
            test = create(actor)
            stress_test_supersede(stress_test=obj, user=actor)
            return test

        return action_run(subject=previous, name="run_stress_test", user=user, apply=apply)
