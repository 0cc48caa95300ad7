"""Reads of the registry: holdings, statements, the public view, the totals (rules.md §5.1).

Each returns a queryset or a small structure built in a fixed number of queries.
"""
from django.db.models import Case, CharField, F, Prefetch, Q, Sum, Value, When

from pacm.parties.models import Organisation

from .models import SINGLETON_KINDS, Account, AccountKind, LedgerEntry, LedgerTransaction, TransactionKind, UnitBlock
from .serials import serial_compose, serial_format

UNITS = Sum(F("serial_end") - F("serial_start") + 1)
PRIVATE_HOLDER = "Private holding account"


# The holdings list's order: the index (account, activity, vintage, id) of the groups still held.
HOLDINGS_ORDER = ("activity_id", "vintage", "id")


def holdings(account):
    """Units held per activity, vintage, authorization and first-transfer status, the negligible-risk tag
    and the PoA's CP (para 34; STAN-METH-002 para 39(b); PROC-AC-003 v03.0 para 220): the account's
    maintained holding groups (models.AccountHolding; pacm issue 8), never its blocks, in the order of
    their index. Each row is a dict; `units` is what the group holds."""
    from .models import AccountHolding

    return (
        AccountHolding.objects.filter(account=account, units__gt=0)
        .values("id", "activity_id", "activity__reference", "vintage", "authorization_status", "first_transferred",
                "negligible_risk", "activity__kind", "component__reference", "units")
        .order_by(*HOLDINGS_ORDER)
    )


def statement_sides(account):
    """The two halves of a statement, each served by its own index (from_account, id) and
    (to_account, id): the page reads a page of keys from each (paging.keyset_union_page)."""
    return [Q(from_account=account), Q(to_account=account)]


def statement(account, *, all_rows=True):
    """Transactions in and out of `account` with their serial ranges; the page orders it by key, newest
    first, and slices it (keyset over statement_sides, pacm issue 8). `all_rows=False` leaves the
    filter to the pager."""
    entries = LedgerEntry.objects.select_related("block__activity", "block__host_party", "block__component").order_by(
        "vintage", "serial_start"
    )
    rows = LedgerTransaction.objects.filter(Q(from_account=account) | Q(to_account=account)) if all_rows else (
        LedgerTransaction.objects.all())
    return (
        rows
        .select_related("from_account", "to_account")
        .annotate(
            direction=Case(When(to_account=account, then=Value("in")), default=Value("out"), output_field=CharField())
        )
        .prefetch_related(Prefetch("entries", queryset=entries))
        .order_by("-pk")
    )


def accounts_of_user(user):
    """The accounts `user` may act on: its entities' holding accounts, its Party's if a DNA, the SOP if the AF."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Account.objects.none()
    mine = Organisation.objects.filter(memberships__user=user)
    dna_parties = mine.filter(kind=Organisation.Kind.DNA).values("party_id")
    condition = Q(organisation__in=mine) | Q(organisation__isnull=True, party__in=dna_parties)
    if mine.filter(kind=Organisation.Kind.ADAPTATION_FUND).exists():
        condition |= Q(kind=AccountKind.SOP_ADAPTATION)
    return Account.objects.filter(condition).select_related("organisation", "party").distinct().order_by("number")


def public_holder():
    """Names only the mechanism's and the Parties' accounts; private entities' holdings stay anonymous.

    7/CMA.4 annex I para 47 publishes non-confidential data; no rule found makes an entity's
    name public, so it is withheld.
    """
    return Case(
        # docs/rules-coverage.md (public-lookup-1): PROC-REGS-001 v02.1 paras 73-74 publish holdings per
        # account by vintage, authorization and first-transfer status, not who holds them.
        When(account__kind__in=sorted(SINGLETON_KINDS), then=F("account__name")),
        When(account__organisation__isnull=True, account__party__isnull=False, then=F("account__name")),
        default=Value(PRIVATE_HOLDER),
        output_field=CharField(),
    )


def public_row(row):
    row["serial"] = serial_compose(
        host_iso2=row["host_party__iso2"], activity_reference=row["activity__reference"], vintage=row["vintage"],
        serial_start=row["serial_start"], serial_end=row["serial_end"], component_reference=row.get("component__reference"),
    )
    row["quantity"] = row["serial_end"] - row["serial_start"] + 1
    return row


class PublicRows:
    """A lazy, sliceable view of a values() queryset that adds the printed serial to each row,
    so Django's Paginator can page it (count() and slices run one query each)."""

    def __init__(self, queryset):
        self.queryset = queryset

    def count(self):
        return self.queryset.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [public_row(row) for row in self.queryset[index]]
        return public_row(self.queryset[index])

    def __iter__(self):
        return (public_row(row) for row in self.queryset.iterator(chunk_size=2000))


def block_activity(reference):
    """The activity with this reference, if it has serial blocks: {"pk", "reference", "title"} or None.

    A block exists only for a registered (hence public) activity, so the public registry finds the
    activity through its blocks and needs no notion of which activity states are public.
    """
    from django.db.models import Exists, OuterRef

    # pacm issue 8: the activity by its reference, then EXISTS over its blocks (index (activity, ...));
    # not the first block joined to the reference, which walks the blocks of every activity before it.
    Activity = UnitBlock._meta.get_field("activity").related_model  # pacm/ never imports projects/
    row = (
        # _base_manager: a PoA's reference too (its blocks carry their CPs; PROC-AC-003 v03.0 para 220).
        Activity._base_manager.filter(reference__iexact=reference)
        .filter(Exists(UnitBlock.objects.filter(activity=OuterRef("pk"))))
        .order_by("pk")
        .values("pk", "reference", "title")
        .first()
    )
    return row


def public_blocks(*, activity=None):
    """Every serial block with its printed serial range, status and account kind: public data (para 47)."""
    rows = UnitBlock.objects.annotate(holder=public_holder())
    # All blocks: by activity reference. One activity's: by the index (activity, vintage, serial_start),
    # the same order, so a page reads its 50 rows instead of sorting all the activity's blocks (issue 8).
    order = ("activity__reference", "vintage", "serial_start")
    if activity is not None:
        rows = rows.filter(activity_id=activity["pk"] if isinstance(activity, dict) else getattr(activity, "pk", activity))
        order = ("activity_id", "vintage", "serial_start")
    return PublicRows(
        rows.values(
            "pk", "issuance_id", "activity__reference", "host_party__iso2", "vintage", "serial_start", "serial_end",
            "authorization_status", "first_transferred", "account__kind", "holder", "negligible_risk",
            "component__reference",  # a PoA's units: their component project (PROC-AC-003 v03.0 para 220)
        ).order_by(*order)
    )


def public_issuances():
    """Issuances recorded in the ledger, with the activity and the quantity issued."""
    return (
        LedgerTransaction.objects.filter(kind=TransactionKind.ISSUANCE)
        .values("pk", "issuance_id", "issuance__period__activity__reference", "issuance__period__number",
                "quantity", "created_at")
        .order_by("-pk")
    )


def public_uses():
    """Uses and cancellations (PROC-REGS-001 para 74(a); 7/CMA.4 annex I paras 44-45): the transactions
    of public_filters.USE_KINDS with their account and serial ranges (one prefetch, the blocks' activity
    and host joined), newest first. The one selector of the public list (registry-uses, paged by key
    over one index per kind) and of its CSV/XLSX export (pacm issue 9)."""
    from .public_filters import USE_KINDS

    entries = LedgerEntry.objects.select_related("block__activity", "block__host_party", "block__component").order_by(
        "vintage", "serial_start")
    return (
        LedgerTransaction.objects.filter(kind__in=USE_KINDS)
        .select_related("to_account")
        .prefetch_related(Prefetch("entries", queryset=entries))
        .order_by("-pk")
    )


def public_use(row):
    """A use as the public reads it: its printed ranges, activities, kind and where the units went.
    Reads the prefetched entries only (no query)."""
    entries = list(row.entries.all())
    row.ranges = [serial_format(entry) for entry in entries]
    row.references = sorted({entry.block.activity.reference for entry in entries})
    row.vintages = sorted({entry.vintage for entry in entries})
    row.statuses = sorted({entry.block.authorization_status for entry in entries})
    row.kind_label = TransactionKind(row.kind).label if row.kind in TransactionKind.values else row.kind
    # A retirement account is its Party's (7/CMA.4 annex I para 44): Party information is public (para 76).
    kind_label = AccountKind(row.to_account.kind).label if row.to_account.kind in AccountKind.values else (
        row.to_account.kind)
    row.into = row.to_account.name if row.to_account.kind == AccountKind.RETIREMENT else kind_label
    row.account_kind_label = kind_label
    return row


def ledger_totals():
    """Units issued, and units held per account kind; the two totals are equal (units never vanish).

    Read from the maintained rows (models.RegistryTotal, pacm issue 8): one query over a few rows.
    """
    from .models import RegistryTotal

    rows = RegistryTotal.objects.values("account_kind").annotate(units=Sum("units"), issued=Sum("issued")).order_by()
    by_kind = {row["account_kind"]: row["units"] for row in rows if row["units"]}
    issued = sum(row["issued"] for row in rows)
    return {"issued": issued, "held": sum(by_kind.values()), "by_kind": by_kind}


# --- Reads for the registry web pages (pacm/registry/views.py) ---------------------------------


def units_by_account(accounts):
    """{account pk: units held} for several accounts, in one query over their maintained balances
    (models.AccountBalance, at most TOTAL_SHARDS rows each; pacm issue 8), not over their blocks."""
    from .services.totals import balances_of

    return balances_of(accounts)


def account_blocks(account):
    """The serial blocks held in `account` with what prints them (serials.serial_format); the page orders
    them by key and slices them (keyset on the index (account, id): pacm issue 8)."""
    return UnitBlock.objects.filter(account=account).select_related("host_party", "activity", "component").order_by("pk")


def organisations_without_holding_account(*, party_ids=None):
    """Participant organisations tied to a Party that hold no holding account yet (para 33).

    `party_ids` limits them to the entities of those Parties (a DNA's own); None means all.
    """
    qs = Organisation.objects.filter(kind=Organisation.Kind.PARTICIPANT, party__isnull=False).exclude(
        accounts__kind=AccountKind.HOLDING
    )
    if party_ids is not None:
        qs = qs.filter(party_id__in=party_ids)
    return qs.select_related("party").order_by("name")


def account_numbers_revealed_to(user):
    """Numbers of the accounts whose number and holder `user` may read on the activity pages.

    None means every account: the secretariat, the registry's administrator. Anyone else reads
    only the accounts they act on (accounts_of_user); the others show as the public unit
    registry shows a private holding account (PRIVATE_HOLDER, 7/CMA.4 annex I para 47).
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    if Organisation.objects.filter(memberships__user=user, kind=Organisation.Kind.SECRETARIAT).exists():
        return None
    return frozenset(accounts_of_user(user).values_list("number", flat=True))


def suspensions_of(activity_ids):
    """{activity id: its oldest open suspension} (A6.4-STAN-METH-002 v01.0 paras 25, 44): one query."""
    from .models import Suspension

    found = {}
    rows = (Suspension.objects.filter(activity_id__in=set(activity_ids), lifted_at__isnull=True)
            .select_related("activity").order_by("started_at", "pk"))
    for row in rows:
        found.setdefault(row.activity_id, row)
    return found


def suspensions_in_account(account):
    """The open suspensions of activities with units held in `account`, oldest first (A6.4-STAN-METH-002
    v01.0 paras 25, 44): one query, an EXISTS per open suspension on the index (account, activity, ...),
    whatever the number of blocks held."""
    from django.db.models import Exists, OuterRef

    from .models import Suspension

    held = UnitBlock.objects.filter(account=account, activity_id=OuterRef("activity_id"))
    found = {}
    rows = (Suspension.objects.filter(lifted_at__isnull=True).filter(Exists(held))
            .select_related("activity").order_by("started_at", "pk"))
    for row in rows:
        found.setdefault(row.activity_id, row)
    return found


def suspended_references():
    """References of the activities whose units are suspended now (a public fact, para 44)."""
    from .models import Suspension

    return set(Suspension.objects.filter(lifted_at__isnull=True).values_list("activity__reference", flat=True))
