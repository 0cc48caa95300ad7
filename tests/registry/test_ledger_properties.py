"""Property tests of the ledger (rules.md §5.4; 7/CMA.4 annex I paras 28, 31, 45; policy.md §5).

A hypothesis state machine runs random sequences of issuances, transfers, uses, cancellations,
suspensions and their lifting, remediation of reversals from the buffer pool and its
replenishment (A6.4-STAN-METH-002 v01.0 paras 25, 44, 53-58; valid and invalid) and checks after
EVERY step that:
- units are conserved: each issuance's blocks add up to its gross, and all blocks to all issued;
- serial ranges never overlap and partition 1..next_serial-1 per activity and vintage, so every
  unit issued sits in exactly one block, hence one account;
- nothing ever leaves a cancellation or retirement account;
- a refused operation changes nothing;
- only authorized units are ever first-transferred;
- no unit of a suspended activity moves or is issued, except the remediation cancellation;
- remediation cancels only buffer units of the type asked for (authorization status kept);
- the buffer stress test's pool is the pool's blocks by type, and a test re-run at its ledger mark
  gives the same figures whatever happened since (paras 60-61).
Each example runs in a savepoint that is rolled back, so examples start from the same world.
"""
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from methodologies.arithmetic import distribution_allocate, issuance_split
from methodologies.models import RuleSet
from pacm.common.errors import ServiceError
from pacm.events.models import Event
from pacm.registry.models import (
    TERMINAL_KINDS,
    AccountKind,
    LedgerEntry,
    LedgerTransaction,
    SerialCounter,
    TransactionKind,
    UnitBlock,
)
from pacm.registry.services import (
    buffer_remediate,
    buffer_replenish,
    issuance_execute,
    suspension_lift,
    suspension_start,
    units_transfer,
    units_use,
)
from pacm.registry.services.moves import units_sum
from pacm.registry.services.reversals import UNIT_TYPES

from .conftest import activity_make, mech, request_make

HOLDING_NAMES = ["acct", "acct2", "foreign", "gh_party", "ke_party", "unauth"]
SOURCE_NAMES = HOLDING_NAMES + ["sop", "omge", "ke_retire", "voluntary", "buffer", "pending"]
TARGET_NAMES = SOURCE_NAMES + ["nowhere"]
STATUS = st.sampled_from([("ndc", ""), ("mc", ""), ("oimp", "issuance"), ("oimp", "use"), ("both", "use"),
                          ("both", "authorization")])


def snapshot():
    """What a refused operation must leave as it was (entries need a transaction, and a stray
    serial counter bump would break the partition invariant)."""
    blocks = sorted(UnitBlock.objects.values_list("pk", "account_id", "serial_start", "serial_end",
                                                  "first_transferred"))
    return blocks, LedgerTransaction.objects.count(), Event.objects.count()


def merged(ranges):
    out = []
    for start, end in sorted(ranges):
        if out and start == out[-1][1] + 1:
            out[-1][1] = end
        else:
            out.append([start, end])
    return [tuple(r) for r in out]


class LedgerMachine(RuleBasedStateMachine):
    world = None  # set by the test: the `reg` world plus a second activity

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        w = self.world
        self.accounts = {
            "acct": w.acct, "acct2": w.acct2, "foreign": w.foreign, "gh_party": w.gh_party, "ke_party": w.ke_party,
            "unauth": w.unauth, "ke_retire": w.ke_retire, "sop": mech(AccountKind.SOP_ADAPTATION),
            "omge": mech(AccountKind.OMGE_MANDATORY), "voluntary": mech(AccountKind.VOLUNTARY_CANCELLATION),
            "buffer": mech(AccountKind.BUFFER), "pending": mech(AccountKind.PENDING),
        }
        self.owners = {"acct": w.ama, "acct2": w.ama, "foreign": w.kofi, "gh_party": w.dina, "ke_party": w.nils,
                       "sop": w.af}
        self.parties = {"acct": w.host, "acct2": w.host, "gh_party": w.host, "foreign": w.other, "ke_party": w.other}
        self.activities = [w.activity, w.activity2]
        self.gross = {}  # issuance pk -> gross
        self.terminal = {}  # account pk -> merged ranges per (activity, vintage) seen in it
        self.rule_set = RuleSet.objects.in_force()
        self.suspensions = {}  # activity index -> its open Suspension
        self.stress_runs = []  # (parameters, ledger mark, figures) of the stress tests run

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def attempt(self, operation):
        """Run `operation`; if it is refused, nothing may have changed. A move that went through
        took no unit of a suspended activity (paras 25, 44)."""
        before = snapshot()
        last = LedgerTransaction.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        try:
            result = operation()
        except ServiceError:  # includes Refused
            assert snapshot() == before
            return None
        suspended = {self.activities[i].pk for i in self.suspensions}
        moved = set(LedgerEntry.objects.filter(transaction_id__gt=last).exclude(
            transaction__kind=TransactionKind.REVERSAL_REMEDIATION).values_list("block__activity_id", flat=True))
        assert not moved & suspended, f"units of suspended activities {moved & suspended} moved"
        return result

    # --- operations ---------------------------------------------------------------------------

    @rule(activity=st.integers(0, 1), gross=st.integers(1, 3_000), first=STATUS, second=STATUS,
          cut=st.integers(0, 100), vintages=st.sampled_from([(2023, 2024), (2024, 2024), (2025, 2023)]),
          risk=st.sampled_from([None, None, 10, Decimal("12.5"), 30]), exempt=st.booleans(),
          receivers=st.lists(st.sampled_from(HOLDING_NAMES), min_size=1, max_size=3, unique=True),
          weights=st.lists(st.integers(1, 9), min_size=3, max_size=3))
    def issue(self, activity, gross, first, second, cut, vintages, risk, exempt, receivers, weights):
        activity = self.activities[activity]
        request = request_make(activity, gross)
        try:
            split = issuance_split(gross=gross, rule_set=self.rule_set, sop_exempt=exempt, risk_rating=risk)
        except ServiceError:
            return
        total = sum(weights[: len(receivers)])
        percents = [Decimal(w * 100) / total for w in weights[: len(receivers)]]
        percents = [p.quantize(Decimal("0.0001")) for p in percents]
        percents[0] += Decimal(100) - sum(percents)
        amounts = distribution_allocate(net=split.net, lines=[(None, p) for p in percents])
        size = gross * cut // 100
        tranches = [(vintages[0], size, *first), (vintages[1], gross - size, *second)]

        def run():
            with transaction.atomic():
                issuance_execute(issuance=request, tranches=tranches, split=split, actor_label="timer:issuance",
                                 distribution=[(self.accounts[n], a) for n, a in zip(receivers, amounts, strict=True)])
            return True

        if self.attempt(run):
            assert self.activities.index(activity) not in self.suspensions, "a suspended activity was issued"
            self.gross[request.pk] = gross

    @precondition(lambda self: self.gross)
    @rule(source=st.sampled_from(HOLDING_NAMES + ["sop"]), destination=st.sampled_from(HOLDING_NAMES),
          quantity=st.integers(1, 400), vintage=st.sampled_from([None, None, None, 2023, 2024]))
    def transfer(self, source, destination, quantity, vintage):
        self.attempt(lambda: units_transfer(user=self.owners.get(source, self.world.sam),
                                            from_account=self.accounts[source],
                                            to_account=self.accounts[destination], quantity=quantity, vintage=vintage))

    @precondition(lambda self: self.gross)
    @rule(source=st.sampled_from(SOURCE_NAMES), destination=st.sampled_from(TARGET_NAMES),
          quantity=st.integers(-1, 5_000), owner=st.booleans())
    def misdirected_transfer(self, source, destination, quantity, owner):
        """Anything goes: terminal sources, unknown targets, strangers, too many units."""
        user = self.owners.get(source, self.world.sam) if owner else self.world.kofi
        to = self.accounts.get(destination, "PACM-H-000000")
        self.attempt(lambda: units_transfer(user=user, from_account=self.accounts[source], to_account=to,
                                            quantity=quantity))

    @precondition(lambda self: self.gross)
    @rule(source=st.sampled_from(SOURCE_NAMES), use=st.sampled_from(["retirement", "oimp", "voluntary",
                                                                       "omge_voluntary"]),
          quantity=st.integers(0, 600), right_party=st.sampled_from([True, True, False]))
    def use(self, source, use, quantity, right_party):
        user = self.owners.get(source, self.world.sam)
        party = self.parties.get(source) if right_party else self.world.other
        self.attempt(lambda: units_use(user=user, from_account=self.accounts[source], quantity=quantity,
                                       purpose="Property test", beneficiary="", use=use, party=party))

    @rule(activity=st.integers(0, 1))
    def suspend(self, activity):
        if activity not in self.suspensions:
            self.suspensions[activity] = suspension_start(
                activity=self.activities[activity], reason="observed_event", detail="Property test",
                actor_label="sofia")

    @precondition(lambda self: self.suspensions)
    @rule(data=st.data())
    def lift(self, data):
        activity = data.draw(st.sampled_from(sorted(self.suspensions)))
        assert suspension_lift(suspension=self.suspensions.pop(activity), actor_label="sofia") is not None

    @precondition(lambda self: self.gross)
    @rule(authorized=st.integers(0, 800), contribution=st.integers(0, 800))
    def remediate(self, authorized, contribution):
        """Paras 53, 57: buffer units of each type, up to what the pool holds; statuses kept."""
        buffer = self.accounts["buffer"]
        pooled = {t: units_sum(UnitBlock.objects.filter(account=buffer, authorization_status__in=list(s)))
                  for t, s in UNIT_TYPES.items()}
        last = LedgerTransaction.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        cancelled = self.attempt(lambda: buffer_remediate(quantities={"authorized": authorized, "mc": contribution},
                                                          reference="A64-PROP observed event 1", actor_label="sam"))
        assert cancelled == {"authorized": min(authorized, pooled["authorized"]), "mc": min(contribution, pooled["mc"])}
        for unit_type, statuses in UNIT_TYPES.items():
            assert units_sum(UnitBlock.objects.filter(account=buffer, authorization_status__in=list(statuses))) == (
                pooled[unit_type] - cancelled[unit_type])
        for row in LedgerTransaction.objects.filter(pk__gt=last):
            assert row.kind == TransactionKind.REVERSAL_REMEDIATION and row.purpose.startswith("Remediation of reversals")
            statuses = set(row.entries.values_list("block__authorization_status", flat=True))
            assert statuses <= set(UNIT_TYPES["authorized"]) or statuses <= set(UNIT_TYPES["mc"])

    @precondition(lambda self: self.gross)
    @rule(source=st.sampled_from(["acct", "acct2", "foreign", "gh_party"]), activity=st.integers(0, 1),
          unit_type=st.sampled_from(sorted(UNIT_TYPES)), quantity=st.integers(1, 600))
    def replenish(self, source, activity, unit_type, quantity):
        """Para 58: a participant forwards units of one type from its holding account to the pool."""
        user = self.owners[source]
        participants = list(self.activities[activity].participants.values_list("pk", flat=True))
        buffer = self.accounts["buffer"]
        pooled = units_sum(UnitBlock.objects.filter(account=buffer))
        row = self.attempt(lambda: buffer_replenish(user=user, from_account=self.accounts[source], unit_type=unit_type,
                                                   quantity=quantity, participant_ids=participants,
                                                   reference="A64-PROP observed event 1"))
        if row is not None:
            assert units_sum(UnitBlock.objects.filter(account=buffer)) == pooled + quantity
            assert set(row.entries.values_list("block__authorization_status", flat=True)) <= set(UNIT_TYPES[unit_type])

    @rule(largest=st.integers(0, 3), share=st.integers(0, 10_000))
    def stress(self, largest, share):
        """A6.4-STAN-METH-002 v01.0 paras 60-61: the stress test's pool is the buffer's blocks by type
        now; the figures at this mark are kept and must come out the same after any later step."""
        from projects.removals.stress import ledger_mark_now, stress_figures

        params = {"largest": largest, "region": "africa", "region_share_bp": share, "band_low_bp": 0,
                  "band_high_bp": 10_000, "band_share_bp": share}
        mark = ledger_mark_now()
        figures = stress_figures(parameters=params, mark=mark)
        buffer = self.accounts["buffer"]
        assert figures["pool"] == {t: units_sum(UnitBlock.objects.filter(account=buffer, authorization_status__in=list(s)))
                                   for t, s in UNIT_TYPES.items()}
        for scenario in figures["scenarios"]:
            for group in UNIT_TYPES:
                assert scenario["covered"][group] + scenario["shortfall"][group] == scenario["loss"][group]
                assert scenario["covered"][group] <= figures["pool"][group]
        self.stress_runs.append((params, mark, figures))

    @invariant()
    def stress_tests_are_reproducible(self):
        from projects.removals.stress import stress_figures

        for params, mark, figures in self.stress_runs[-2:]:
            assert stress_figures(parameters=params, mark=mark) == figures

    # --- invariants, checked after EVERY step (one read of the blocks) --------------------------

    @invariant()
    def ledger_is_consistent(self):
        blocks = list(UnitBlock.objects.values_list("issuance_id", "activity_id", "vintage", "serial_start",
                                                    "serial_end", "account_id", "authorization_status",
                                                    "first_transferred"))
        # Units are conserved: each issuance's blocks add up to its gross, all blocks to all issued.
        per_issuance = {}
        for issuance_id, _, _, start, end, _, _, _ in blocks:
            per_issuance[issuance_id] = per_issuance.get(issuance_id, 0) + end - start + 1
        assert per_issuance == self.gross
        issued = LedgerTransaction.objects.filter(kind=TransactionKind.ISSUANCE).aggregate(n=Sum("quantity"))["n"]
        assert sum(per_issuance.values()) == (issued or 0) == sum(self.gross.values())

        # Ranges never overlap and partition 1..next_serial-1: every unit in exactly one block/account.
        ranges = {}
        for _, activity, vintage, start, end, _, _, _ in blocks:
            ranges.setdefault((activity, vintage), []).append((start, end))
        counters = dict(((a, v), n) for a, v, n in SerialCounter.objects.values_list("activity_id", "vintage",
                                                                                   "next_serial"))
        assert set(ranges) <= set(counters)
        for key, next_serial in counters.items():
            expected = 1
            for start, end in sorted(ranges.get(key, [])):
                assert start == expected, f"{key}: gap or overlap at {start} (expected {expected})"
                assert end >= start
                expected = end + 1
            assert expected == next_serial, f"{key}: blocks end at {expected - 1}, counter at {next_serial}"

        # Nothing ever leaves a cancellation or retirement account (7/CMA.4 annex I para 45).
        terminal_ids = {a.pk for a in self.accounts.values() if a.kind in TERMINAL_KINDS}
        assert not LedgerTransaction.objects.filter(from_account_id__in=terminal_ids).exists()
        now = {}
        for _, activity, vintage, start, end, account_id, _, _ in blocks:
            if account_id in terminal_ids:
                now.setdefault((account_id, activity, vintage), []).append((start, end))
        now = {key: merged(spans) for key, spans in now.items()}
        for key, spans in self.terminal.items():
            for start, end in spans:
                assert any(s <= start and end <= e for s, e in now.get(key, [])), f"{key}: {start}-{end} left"
        self.terminal = now

        # Only authorized units are ever first-transferred (4/CMA.6 para 11).
        assert not any(status == "mc" and flagged for *_, status, flagged in blocks)

        # pacm issue 8: the maintained totals, balances and holding groups moved with every unit; none is negative.
        from pacm.registry.services.totals import (
            balances_differences,
            holdings_differences,
            holdings_stored,
            totals_differences,
            totals_stored,
        )

        assert totals_differences() == []
        assert all(value >= 0 for values in totals_stored().values() for value in values)
        assert balances_differences() == []
        assert holdings_differences() == []
        assert all(units >= 0 for units in holdings_stored().values())


@pytest.mark.django_db
def test_ledger_invariants_hold_under_random_operations(reg):
    reg.activity2 = activity_make(reg, host=reg.other, participants=[reg.orgs["dev2"]])
    LedgerMachine.world = reg
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(max_examples=50, stateful_step_count=40, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]),
    )
