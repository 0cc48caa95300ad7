"""The mechanism registry: accounts, serial blocks of A6.4ERs, and the ledger (rules.md §5).

Units live in serial blocks. A move of a whole block changes its account; a partial move
shrinks the block and creates a new one for the moved range (its `parent` is the block it came
from). Every move is one LedgerTransaction with one LedgerEntry per serial range it moved, so
the history of every unit can be read back, and a move touches only the blocks it splits.
"""
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from pacm.common.models import AppendOnlyModel


class AccountKind(models.TextChoices):
    PENDING = "pending", _("Pending")
    HOLDING = "holding", _("Holding")
    SOP_ADAPTATION = "sop_adaptation", _("Adaptation Fund share of proceeds")
    OMGE_MANDATORY = "omge_mandatory", _("Mandatory OMGE cancellation")
    OMGE_VOLUNTARY = "omge_voluntary", _("Voluntary OMGE cancellation")
    RETIREMENT = "retirement", _("Retirement (NDC use)")
    CANCELLATION_OIMP = "cancellation_oimp", _("Cancellation for other international mitigation purposes")
    VOLUNTARY_CANCELLATION = "voluntary_cancellation", _("Voluntary cancellation")
    ADMIN_CANCELLATION = "admin_cancellation", _("Administrative cancellation")
    BUFFER = "buffer", _("Reversal Risk Buffer Pool")


# 7/CMA.4 annex I para 45: units in a cancellation or retirement account never move again.
TERMINAL_KINDS = frozenset(
    {
        AccountKind.OMGE_MANDATORY,
        AccountKind.OMGE_VOLUNTARY,
        AccountKind.RETIREMENT,
        AccountKind.CANCELLATION_OIMP,
        AccountKind.VOLUNTARY_CANCELLATION,
        AccountKind.ADMIN_CANCELLATION,
    }
)
# Kinds of which the mechanism has exactly one account.
SINGLETON_KINDS = frozenset(
    {
        AccountKind.PENDING,
        AccountKind.SOP_ADAPTATION,
        AccountKind.OMGE_MANDATORY,
        AccountKind.OMGE_VOLUNTARY,
        AccountKind.CANCELLATION_OIMP,
        AccountKind.VOLUNTARY_CANCELLATION,
        AccountKind.ADMIN_CANCELLATION,
        AccountKind.BUFFER,
    }
)


class AuthorizationBasis(models.TextChoices):
    """What a Party or entity account rests on (RMP 63; 7/CMA.4 annex I para 33; PROC-REGS-001 v02.1
    paras 24-32)."""

    PARTY = "party", _("The Party's own account (RMP 63)")
    HOST_APPROVAL = "host_approval", _("Participant authorized in the host approval (RMP 41; REGS-001 para 27)")
    PARTY_AUTHORIZATION = "party_authorization", _("The Party's authorization of the entity (REGS-001 paras 27-31)")


class Account(models.Model):
    number = models.CharField(max_length=40, unique=True)
    kind = models.CharField(max_length=24, choices=AccountKind.choices)
    name = models.CharField(max_length=200)
    organisation = models.ForeignKey(
        "parties.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="accounts"
    )
    party = models.ForeignKey("parties.Party", null=True, blank=True, on_delete=models.PROTECT, related_name="accounts")
    opened_at = models.DateTimeField(auto_now_add=True)
    # The authorization the account rests on (pacm issue 6 §5 rule 4; RMP 63; 7/CMA.4 annex I para 33;
    # PROC-REGS-001 v02.1 para 32: each holding account is authorized by exactly one Party). Blank on
    # the mechanism's own accounts, and on accounts opened before pacm recorded it.
    authorized_by = models.ForeignKey(
        "parties.Party", null=True, blank=True, on_delete=models.PROTECT, related_name="authorized_accounts"
    )
    authorization_basis = models.CharField(max_length=20, choices=AuthorizationBasis.choices, blank=True)
    authorization_document = models.CharField(
        max_length=200, blank=True, help_text=_("Which approval or document: the host approval, or the Party's letter")
    )
    authorization_date = models.DateField(null=True, blank=True)
    host_approval = models.ForeignKey(
        "projects.HostApproval", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(kind__in=sorted(SINGLETON_KINDS)),
                name="account_singleton_kind",
            ),
            # 7/CMA.4 annex I para 32: one retirement account per participating Party.
            models.UniqueConstraint(
                fields=["party"], condition=Q(kind=AccountKind.RETIREMENT), name="account_retirement_one_per_party"
            ),
            # Holding accounts belong to an entity or a Party (para 33), retirement accounts to a
            # Party (para 44); the mechanism's own accounts to no one.
            models.CheckConstraint(
                condition=(
                    Q(kind=AccountKind.HOLDING, organisation__isnull=False)
                    | Q(kind=AccountKind.HOLDING, organisation__isnull=True, party__isnull=False)
                    | Q(kind=AccountKind.RETIREMENT, organisation__isnull=True, party__isnull=False)
                    | Q(kind__in=sorted(SINGLETON_KINDS), organisation__isnull=True, party__isnull=True)
                ),
                name="account_owner_fits_kind",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.name}"

    @property
    def is_terminal(self):
        return self.kind in TERMINAL_KINDS

    @property
    def state(self):
        """What may be done with it (pacm.registry.machine): holders move units out of a holding
        or the SOP account; nothing leaves a terminal one; the rest move by the registry's services."""
        if self.kind in (AccountKind.HOLDING, AccountKind.SOP_ADAPTATION):
            return "movable"
        if self.kind == AccountKind.BUFFER:
            return "pool"  # STAN-METH-002 paras 54-55
        return "terminal" if self.kind in TERMINAL_KINDS else "system"

    def get_state_display(self):
        from .machine import AccountState

        return AccountState(self.state).label

    @property
    def is_party_account(self):
        return self.organisation_id is None and self.party_id is not None

    @property
    def owner_party_id(self):
        """The Party the account is tied to (7/CMA.4 annex I para 33): its own, the Party that authorized
        it (PROC-REGS-001 v02.1 paras 32, 51(b)(i)), or else its entity's."""
        if self.party_id is not None:
            return self.party_id
        if self.authorized_by_id is not None:
            return self.authorized_by_id
        return self.organisation.party_id if self.organisation_id is not None else None


class AuthorizationStatus(models.TextChoices):
    NDC = "ndc", _("Authorized for NDC use")
    OIMP = "oimp", _("Authorized for OIMP")
    BOTH = "both", _("Authorized for NDC use and OIMP")
    MITIGATION_CONTRIBUTION = "mc", _("Mitigation contribution")


class FirstTransferDefinition(models.TextChoices):
    """Copied at issuance from the authorization statement (RMP 42; 2/CMA.3 annex para 2)."""

    INTERNATIONAL = "international", _("First international transfer (NDC use)")
    ISSUANCE = "issuance", _("Issuance")
    AUTHORIZATION = "authorization", _("Authorization")
    USE = "use", _("Use or cancellation")


class UnitBlock(models.Model):
    """A range of consecutive serial numbers of one activity and vintage, in one account."""

    activity = models.ForeignKey("projects.Activity", on_delete=models.PROTECT, related_name="unit_blocks")
    host_party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    vintage = models.PositiveSmallIntegerField()
    issuance = models.ForeignKey("projects.IssuanceRequest", on_delete=models.PROTECT, related_name="blocks")
    serial_start = models.PositiveBigIntegerField()
    serial_end = models.PositiveBigIntegerField()
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="blocks")
    authorization_status = models.CharField(max_length=4, choices=AuthorizationStatus.choices)
    first_transfer_definition = models.CharField(max_length=14, choices=FirstTransferDefinition.choices, blank=True)
    first_transferred = models.BooleanField(default=False)
    first_transferred_at = models.DateTimeField(null=True, blank=True)
    # A6.4-STAN-METH-002 para 39(b): units with a negligible risk of reversal are tagged; set at issuance.
    negligible_risk = models.BooleanField(default=False)
    # PROC-AC-003 v03.0 para 220: a PoA's units carry the component project they were issued for
    # (`activity` is then the PoA); null for a project's. Copied to every block a move splits off.
    component = models.ForeignKey("poa.ComponentProject", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="unit_blocks")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["activity", "vintage", "serial_start"]
        indexes = [
            models.Index(fields=["activity", "vintage", "serial_start"]),
            models.Index(fields=["account", "activity", "vintage", "serial_start"]),
            # pacm issue 8: an account's blocks are paged by key, through this index.
            models.Index(fields=["account", "id"], name="block_account_id"),
            # pacm issue 9: the public list of blocks filtered by one of these, paged by key.
            models.Index(fields=["host_party", "id"], name="block_host_id"),
            models.Index(fields=["vintage", "id"], name="block_vintage_id"),
            models.Index(fields=["authorization_status", "id"], name="block_status_id"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(serial_start__gte=1), name="block_serial_positive"),
            models.CheckConstraint(condition=Q(serial_end__gte=F("serial_start")), name="block_range_ordered"),
        ]

    def __str__(self):
        return f"{self.activity_id}/{self.vintage} {self.serial_start}-{self.serial_end}"

    @property
    def quantity(self):
        return self.serial_end - self.serial_start + 1

    @property
    def is_authorized(self):
        return self.authorization_status != AuthorizationStatus.MITIGATION_CONTRIBUTION


class SerialCounter(models.Model):
    """The next free serial per activity and vintage: serial numbers are never reused."""

    activity = models.ForeignKey("projects.Activity", on_delete=models.PROTECT, related_name="+")
    vintage = models.PositiveSmallIntegerField()
    next_serial = models.PositiveBigIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["activity", "vintage"], name="serial_counter_unique")]


class TransactionKind(models.TextChoices):
    # 7/CMA.4 annex I para 35, plus the internal kinds of rules.md §5.2.
    ISSUANCE = "issuance", _("Issuance")
    SHARE_OF_PROCEEDS = "share_of_proceeds", _("Share of proceeds to the Adaptation Fund")
    OMGE_CANCELLATION = "omge_cancellation", _("OMGE cancellation")
    # A6.4-STAN-METH-002 para 55; A6.4-SBM018 para 29: forwarded to the pool, not a first transfer.
    BUFFER_DEPOSIT = "buffer_deposit", _("Forwarded to the Reversal Risk Buffer Pool")
    FORWARDING = "forwarding", _("Forwarding")
    TRANSFER = "transfer", _("Transfer")
    VOLUNTARY_CANCELLATION = "voluntary_cancellation", _("Voluntary cancellation")
    VOLUNTARY_OMGE_CANCELLATION = "voluntary_omge_cancellation", _("Voluntary OMGE cancellation")
    RETIREMENT = "retirement", _("Retirement (NDC use)")
    CANCELLATION_OIMP = "cancellation_oimp", _("Cancellation for OIMP")
    # Written before issue 10 (policy.md §2 placeholders); kept so their history reads.
    BUFFER_CANCELLATION = "buffer_cancellation", _("Buffer cancellation (unavoidable reversal)")
    REVERSAL_COMPENSATION = "reversal_compensation", _("Reversal compensation (avoidable reversal)")
    ADMIN_CANCELLATION = "admin_cancellation", _("Administrative cancellation")
    # A6.4-STAN-METH-002 v01.0 paras 53, 56-57: buffer units cancelled for remediation of reversals.
    REVERSAL_REMEDIATION = "reversal_remediation", _("Cancellation for remediation of reversals")
    # Para 58: participants replenish the pool after an avoidable reversal.
    BUFFER_REPLENISHMENT = "buffer_replenishment", _("Buffer pool replenishment (avoidable reversal)")


class LedgerTransaction(AppendOnlyModel):
    kind = models.CharField(max_length=30, choices=TransactionKind.choices)
    issuance = models.ForeignKey(
        "projects.IssuanceRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="transactions"
    )
    from_account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveBigIntegerField()
    # rules.md §6: a move that meets the first-transfer definition is flagged, with its CA record.
    first_transfer = models.BooleanField(default=False)
    corresponding_adjustment = models.BooleanField(default=False)
    purpose = models.CharField(max_length=200, blank=True)
    beneficiary = models.CharField(max_length=200, blank=True)
    actor_label = models.CharField(max_length=150)
    # One key per issuance step: a redelivered task finds its step done and does not redo it.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        # pacm issue 8: a statement reads an account's transactions newest first by key.
        indexes = [
            models.Index(fields=["from_account", "id"], name="txn_from_account_id"),
            models.Index(fields=["to_account", "id"], name="txn_to_account_id"),
            models.Index(fields=["kind", "id"], name="txn_kind_id"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.quantity}"


class LedgerEntry(AppendOnlyModel):
    """One serial range moved by a transaction."""

    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="entries")
    block = models.ForeignKey(UnitBlock, on_delete=models.PROTECT, related_name="entries")
    vintage = models.PositiveSmallIntegerField()
    serial_start = models.PositiveBigIntegerField()
    serial_end = models.PositiveBigIntegerField()
    first_transfer = models.BooleanField(default=False)

    class Meta:
        ordering = ["transaction", "vintage", "serial_start"]

    @property
    def quantity(self):
        return self.serial_end - self.serial_start + 1


# Rows of RegistryTotal per key: issuances of different activities update different rows, so they
# do not queue on one counter (pacm issue 8).
TOTAL_SHARDS = 8


class RegistryTotal(models.Model):
    """Units held per account kind, authorization status and vintage (and units issued, on the pending
    rows, and units first transferred, on the receiving kind's rows), kept in the same transaction as every move (services.totals), so the public registry reads
    its totals from a few rows instead of every block (pacm issue 8). `reconcile_totals` recomputes
    them from the blocks and the ledger and reports or fixes any difference. (No CHECK on the sign: an
    upsert's candidate row carries the negative delta, and the check would refuse it before the update.)"""

    account_kind = models.CharField(max_length=24, choices=AccountKind.choices)
    authorization_status = models.CharField(max_length=4, choices=AuthorizationStatus.choices)
    vintage = models.PositiveSmallIntegerField()
    shard = models.PositiveSmallIntegerField(default=0)
    units = models.BigIntegerField(default=0)
    issued = models.BigIntegerField(default=0)
    # PROC-REGS-001 v02.1 para 74(a): units first transferred (pacm issue 9), counted once, on the row of
    # the kind of account that received them at their first transfer (services.totals.move_deltas).
    first_transferred = models.BigIntegerField(default=0, db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account_kind", "authorization_status", "vintage", "shard"], name="registry_total_key"
            ),
        ]


class AccountBalance(models.Model):
    """Units held in one account, in rows sharded like RegistryTotal (activity id mod TOTAL_SHARDS of the
    units moved), kept in the same statement as the totals by every move (services.totals; pacm issue 8):
    a transfer's balance check and the account page's "Units held" read at most TOTAL_SHARDS rows instead
    of summing every block. The shards let issuances of different activities add to the mechanism's
    accounts (pending, SOP, OMGE, buffer) side by side. `reconcile_totals` recomputes them from the blocks."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="balances")
    shard = models.PositiveSmallIntegerField(default=0)
    units = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "shard"], name="account_balance_key")]
class AccountHolding(models.Model):
    """Units held in one account per holding group (activity, vintage, authorization and first-transfer
    status, the negligible-risk tag, the PoA's CP: what a holdings statement lists, A6.4-PROC-REGS-001
    para 34), kept by every move in the statement of the totals and balances (services.totals; pacm
    issue 8): the account page and the exports read the groups a page at a time from these rows instead
    of grouping every block of the account. `component_key` is the CP's id or 0, so the unique key has no
    NULL (an upsert's conflict target). `reconcile_totals` recomputes them from the blocks."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="holdings")
    activity = models.ForeignKey("projects.Activity", on_delete=models.PROTECT, related_name="+")
    vintage = models.PositiveSmallIntegerField()
    authorization_status = models.CharField(max_length=4, choices=AuthorizationStatus.choices)
    first_transferred = models.BooleanField(default=False)
    negligible_risk = models.BooleanField(default=False)
    component_key = models.BigIntegerField(default=0)
    component = models.ForeignKey("poa.ComponentProject", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    units = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "activity", "vintage", "authorization_status", "first_transferred",
                        "negligible_risk", "component_key"],
                name="account_holding_key",
            ),
        ]
        # The holdings list's order and keyset (activity, vintage, id), over the groups still held.
        indexes = [models.Index(fields=["account", "activity", "vintage", "id"], condition=Q(units__gt=0),
                                name="account_holding_held")]


class SuspensionReason(models.TextChoices):
    # A6.4-STAN-METH-002 v01.0 para 44: on the SB's instruction after an observed event.
    OBSERVED_EVENT = "observed_event", _("Observed event that could lead to a reversal (A6.4-STAN-METH-002 para 44)")
    # Para 25: a monitoring report of removals not submitted by its due date.
    MISSED_REPORT = "missed_report", _("Monitoring report not submitted by its due date (A6.4-STAN-METH-002 para 25)")


class Suspension(models.Model):
    """The registry's suspension of issuance, transfer and cancellation (and use) of every unit that
    came from an activity, wherever it is held (A6.4-STAN-METH-002 v01.0 paras 25, 44, 46).

    Open while `lifted_at` is empty; lifted only on the Supervisory Body's instruction. Rows are
    never deleted: the history of suspensions stays readable.
    """

    activity = models.ForeignKey("projects.Activity", on_delete=models.PROTECT, related_name="suspensions")
    reason = models.CharField(max_length=20, choices=SuspensionReason.choices)
    detail = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField()
    started_by = models.CharField(max_length=150)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["activity", "lifted_at"], name="suspension_activity_open")]

    def __str__(self):
        return f"{self.activity_id} {self.reason} {'lifted' if self.lifted_at else 'open'}"

    @property
    def is_open(self):
        return self.lifted_at is None
