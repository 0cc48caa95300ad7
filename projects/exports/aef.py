"""The Agreed Electronic Format (decision 4/CMA.6 annex II) for one Party and one reported year, built
from the registry's own records: first transfers, transfers and acquisitions, uses and cancellations
(the ledger's entries), the holdings at the end of the year (the ledger replayed up to then), the
authorization statements and the entities the Party authorized (procedures.md §2.4; readings aef-1 to
aef-12 in docs/rules-coverage.md).

Only authorized A6.4ERs are ITMOs (2/CMA.3 annex para 1(g); 7/CMA.4 annex I para 29(b)): mitigation
contribution units are never reported. Times are UTC (PROC-REGS-001 para 41): the year runs from
1 January 00:00 UTC to 31 December 24:00 UTC.
"""
import datetime
from collections import defaultdict

from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from pacm.registry.models import (
    Account,
    AccountKind,
    AuthorizationStatus,
    LedgerEntry,
    LedgerTransaction,
    TransactionKind,
)
from pacm.registry.serials import serial_compose

from ..models import Activity, AuthorizationStatement, HostApproval
from ..services.approvals import authorization_in_force
from .writer import Sheet

# procedures.md §2.4 mapping [INF] (reading aef-1): the mechanism is cooperative approach CA0001 in the
# Article 6.2 nomenclature and the mechanism registry is UN01 (A6.4-PROC-REGS-001 para 13).
COOPERATIVE_APPROACH = "CA0001"
REGISTRY_ID = "UN01"
FORMAT_VERSION = "1.0"
METRIC = "GHG"
AUTHORIZED = sorted(set(AuthorizationStatus.values) - {AuthorizationStatus.MITIGATION_CONTRIBUTION})
# Reading aef-4: pacm's "OIMP" covers both international mitigation purposes and other purposes; it is
# reported as the AEF's generic "OIMP" (4/CMA.6 annex II lists OIMP beside IMP and OP).
PURPOSES = {"ndc": "NDC", "oimp": "OIMP", "both": "NDC and OIMP"}
FIRST_TRANSFER = {"authorization": "Authorization", "issuance": "Issuance", "use": "Use or cancellation"}
MITIGATION = {"reductions": "Emission reductions", "removals": "Removals"}
# Reading aef-6: where units end (7/CMA.4 annex I paras 44-45; RMP 43, 61, 69-70).
USE_KINDS = {AccountKind.RETIREMENT}
CANCEL_KINDS = {AccountKind.CANCELLATION_OIMP, AccountKind.VOLUNTARY_CANCELLATION, AccountKind.OMGE_VOLUNTARY,
                AccountKind.OMGE_MANDATORY, AccountKind.ADMIN_CANCELLATION}
MOVE_KINDS = {TransactionKind.TRANSFER, TransactionKind.FORWARDING}
# The mechanism's own accounts the host's units leave from: issuance's pending account, the buffer pool.
MECHANISM_SOURCES = {AccountKind.PENDING, AccountKind.BUFFER}
KIND_LABEL = dict(TransactionKind.choices)
ACCOUNT_LABEL = dict(AccountKind.choices)


def year_bounds(year):
    """[start, end) of the reported year in UTC."""
    start = datetime.datetime(year, 1, 1, tzinfo=datetime.UTC)
    return start, datetime.datetime(year + 1, 1, 1, tzinfo=datetime.UTC)


def owner_party(prefix):
    """The Party an account is tied to, in SQL: the same order as Account.owner_party_id (its own
    Party, the Party that authorized it, its entity's); tests/exports check they agree."""
    return Coalesce(f"{prefix}party_id", f"{prefix}authorized_by_id", f"{prefix}organisation__party_id")


def authorization_id(reference, version):
    """The Party's identifier of an authorization (reading aef-3): the activity and the statement version."""
    return f"{reference}-AUTH-v{version}"


def entity_id(organisation_id):
    """The registry's identifier of an authorized entity (reading aef-9)."""
    return f"PACM-ORG-{organisation_id}" if organisation_id else ""


# --- Table 1: submission -------------------------------------------------------------------------

SUBMISSION_HEADER = ["party", "party_name", "version", "reported_year", "date_of_submission",
                     "review_status_of_initial_report", "result_of_consistency_check", "ndc_period_first_year",
                     "ndc_period_last_year", "reference_to_a6_ter_report"]


def submission_sheet(*, party, year, today):
    # Reading aef-2: the CARP's fields and the NDC period are not recorded in pacm: left empty.
    return Sheet("submission", SUBMISSION_HEADER,
                 iter([[party.iso2, party.name, FORMAT_VERSION, year, today, "", "", "", "", ""]]))


# --- Table 2: authorizations ---------------------------------------------------------------------

AUTHORIZATION_HEADER = [
    "authorization_id", "date_of_authorization", "cooperative_approach_id", "version", "authorized_quantity", "metric",
    "gwp_values", "non_ghg_metric", "sectors", "activity_types", "purposes", "authorized_party_ids",
    "authorized_entity_ids", "oimp_authorized_by_party", "authorized_timeframe", "terms_and_conditions",
    "documentation", "first_transfer_definition_oimp", "additional_information",
]


def statements_reported(*, party, end):
    """Every authorizing statement version of the Party's activities issued before the year's end
    (reading aef-3: cumulative, so every action's authorization is in the table)."""
    return (
        AuthorizationStatement.objects.filter(activity__host_party=party, issued_at__lt=end)
        .exclude(uses=AuthorizationStatement.Uses.MITIGATION_CONTRIBUTION)
        .select_related("activity__sectoral_scope", "activity__methodology_version__methodology")
        .order_by("activity__reference", "version")
    )


def _entities_by_activity(activity_ids, end):
    """{activity id: [organisation ids]} of the latest host approval before `end` (RMP 41): one query."""
    found = {}
    approvals = (HostApproval.objects.filter(activity_id__in=activity_ids, issued_at__lt=end)
                 .prefetch_related("authorized_participants").order_by("activity_id", "-version"))
    for approval in approvals:
        found.setdefault(approval.activity_id, sorted(o.pk for o in approval.authorized_participants.all()))
    return found


def authorizations_sheet(*, party, end):
    statements = list(statements_reported(party=party, end=end))
    entities = _entities_by_activity({s.activity_id for s in statements}, end)

    def rows():
        for s in statements:
            activity = s.activity
            method = activity.methodology_version.methodology
            vintages = f"vintages {s.vintage_from or '…'}-{s.vintage_to or '…'}" if (s.vintage_from or s.vintage_to) \
                else "all vintages"
            yield [
                authorization_id(activity.reference, s.version), s.issued_at.date(), COOPERATIVE_APPROACH, s.version,
                s.quantity_cap, METRIC, "", "", str(activity.sectoral_scope),
                f"{MITIGATION.get(method.kind, method.kind)}: {method.code}", PURPOSES[s.uses], party.iso2,
                "; ".join(entity_id(pk) for pk in entities.get(activity.pk, [])), "",
                f"effective from {s.effective_from.isoformat()}; {vintages}", s.change_terms,
                f"/activities/{activity.reference}/#host", FIRST_TRANSFER.get(s.first_transfer, ""),
                f"Activity {activity.reference}: {activity.title}",
            ]

    return Sheet("authorizations", AUTHORIZATION_HEADER, rows())


# --- Table 3: actions ----------------------------------------------------------------------------

ACTION_HEADER = [
    "action_date", "action_type", "action_subtype", "cooperative_approach_id", "authorization_id",
    "first_transferring_party_id", "party_itmo_registry_id", "first_itmo_id", "last_itmo_id",
    "underlying_unit_registry_id", "first_underlying_unit_id", "last_underlying_unit_id", "metric", "gwp_values",
    "non_ghg_metric", "quantity_tco2e", "quantity_non_ghg", "mitigation_type", "vintage", "transferring_party_id",
    "acquiring_party_id", "purpose_of_use_or_cancellation", "using_or_cancelling_party_id",
    "using_or_cancelling_entity_id", "ndc_year_of_use", "result_of_consistency_checks", "additional_information",
]
ENTRY_FIELDS = dict(
    tx=F("transaction_id"), at=F("transaction__created_at"), kind=F("transaction__kind"),
    from_kind=F("transaction__from_account__kind"), from_org=F("transaction__from_account__organisation_id"),
    from_number=F("transaction__from_account__number"), to_kind=F("transaction__to_account__kind"),
    to_org=F("transaction__to_account__organisation_id"), to_number=F("transaction__to_account__number"),
    from_party=owner_party("transaction__from_account__"), to_party=owner_party("transaction__to_account__"),
    purpose=F("transaction__purpose"), beneficiary=F("transaction__beneficiary"), activity_id=F("block__activity_id"),
    reference=F("block__activity__reference"), host_id=F("block__host_party_id"), host=F("block__host_party__iso2"),
    status=F("block__authorization_status"), mitigation=F("block__activity__methodology_version__methodology__kind"),
    # The moment of issuance: the request's, or (a request written before issued_at was kept) its ledger row's.
    issued_on=Coalesce("block__issuance__issued_at", Subquery(
        LedgerTransaction.objects.filter(issuance_id=OuterRef("block__issuance_id"), kind=TransactionKind.ISSUANCE)
        .order_by("pk").values("created_at")[:1])),
)
VALUES = ("pk", "vintage", "serial_start", "serial_end", "first_transfer", *ENTRY_FIELDS)


def entries_of(party_id, *, start=None, end):
    """The ledger entries of authorized units the Party is concerned with, in order: its first
    transfers as host, its units leaving the mechanism's pending account or buffer pool, and every range
    that left or entered an account tied to it (one query)."""
    rows = LedgerEntry.objects.annotate(**ENTRY_FIELDS).filter(
        Q(first_transfer=True, host_id=party_id) | Q(from_kind__in=sorted(MECHANISM_SOURCES), host_id=party_id)
        | Q(from_party=party_id) | Q(to_party=party_id),
        status__in=AUTHORIZED, at__lt=end,
    )
    if start is not None:
        rows = rows.filter(at__gte=start)
    return rows.values(*VALUES).order_by("tx", "pk")


def entry_actions(row, party_id):
    """[(action type, subtype)] an entry is for the Party (reading aef-6): a range may be a first
    transfer and, in the same move, a transfer, an acquisition, a use or a cancellation."""
    found = []
    subtype = KIND_LABEL.get(row["kind"], row["kind"])
    if row["first_transfer"] and row["host_id"] == party_id:
        found.append(("First transfer", subtype))
    source = _source_party(row)
    if row["kind"] in MOVE_KINDS and source != row["to_party"]:
        if source == party_id:
            found.append(("Transfer", subtype))
        if row["to_party"] == party_id:
            found.append(("Acquisition", subtype))
    if row["to_kind"] in USE_KINDS and row["to_party"] == party_id:
        found.append(("Use", subtype))
    if row["to_kind"] in CANCEL_KINDS and source == party_id:
        found.append(("Cancellation", subtype))
    return found


def _source_party(row):
    """The Party a range leaves: its account's; from the pending account or the buffer pool, the host
    of the units (reading aef-7). None for the mechanism's other accounts (the SOP account)."""
    if row["from_kind"] in MECHANISM_SOURCES:
        return row["host_id"]
    return row["from_party"]


class _Authorizations:
    """The statement in force at each issuance (7/CMA.4 annex I para 38; services.approvals.
    authorization_in_force), asked once per (activity, date)."""

    def __init__(self):
        self.cache = {}

    def of(self, row):
        day = timezone.localdate(row["issued_on"])
        key = (row["activity_id"], day)
        if key not in self.cache:
            statement = authorization_in_force(activity=Activity(pk=row["activity_id"]), on_date=day)
            self.cache[key] = authorization_id(row["reference"], statement.version) if statement else ""
        return self.cache[key]


def _unit_ids(row, start, end):
    one = dict(host_iso2=row["host"], activity_reference=row["reference"], vintage=row["vintage"])
    return (serial_compose(**one, serial_start=start, serial_end=start),
            serial_compose(**one, serial_start=end, serial_end=end))


def action_rows(*, party, year):
    start, end = year_bounds(year)
    parties = _party_codes()
    authorizations = _Authorizations()
    for row in entries_of(party.pk, start=start, end=end).iterator(chunk_size=2000):
        for action, subtype in entry_actions(row, party.pk):
            first_id, last_id = _unit_ids(row, row["serial_start"], row["serial_end"])
            using_party = using_entity = purpose = ""
            if action in ("Use", "Cancellation"):
                canceller = row["to_party"] if action == "Use" else _source_party(row)
                using_party = parties.get(canceller, "")
                using_entity = entity_id(row["from_org"])
                purpose = row["purpose"]
            yield [
                row["at"], action, subtype, COOPERATIVE_APPROACH, authorizations.of(row),
                row["host"],  # the host Party first transfers its A6.4ERs (reading aef-5)
                REGISTRY_ID, row["serial_start"], row["serial_end"], REGISTRY_ID, first_id, last_id, METRIC, "", "",
                row["serial_end"] - row["serial_start"] + 1, "", MITIGATION.get(row["mitigation"], row["mitigation"]),
                row["vintage"], parties.get(_source_party(row), ""), parties.get(row["to_party"], ""), purpose,
                using_party, using_entity, "", "",
                _additional(row),
            ]


def _additional(row):
    parts = [f"ledger transaction {row['tx']}",
             f"from {row['from_number'] or 'issuance'} ({ACCOUNT_LABEL.get(row['from_kind'], '-')})",
             f"to {row['to_number']} ({ACCOUNT_LABEL.get(row['to_kind'], '-')})"]
    if row["beneficiary"]:
        parts.append(f"beneficiary: {row['beneficiary']}")
    return "; ".join(parts)


def _party_codes():
    from pacm.parties.models import Party

    return dict(Party.objects.values_list("pk", "iso2"))


def actions_sheet(*, party, year):
    return Sheet("actions", ACTION_HEADER, action_rows(party=party, year=year))


# --- Table 4: holdings at the end of the year ----------------------------------------------------

HOLDING_HEADER = [
    "cooperative_approach_id", "authorization_id", "first_transferring_party_id", "party_itmo_registry_id",
    "first_itmo_id", "last_itmo_id", "underlying_unit_registry_id", "first_underlying_unit_id",
    "last_underlying_unit_id", "metric", "gwp_values", "non_ghg_metric", "quantity_tco2e", "quantity_non_ghg",
    "mitigation_type", "vintage", "additional_information",
]


def paint(intervals, start, end, held, first):
    """The serial intervals [(start, end, held, first transferred)] after a move of [start, end]:
    the range is now `held` (or not) by the Party; once first-transferred it stays so."""
    kept, inside = [], []
    for iv in intervals:
        s, e, h, f = iv
        if e < start or s > end:
            kept.append(iv)
            continue
        if s < start:
            kept.append((s, start - 1, h, f))
        if e > end:
            kept.append((end + 1, e, h, f))
        inside.append((max(s, start), min(e, end), f))
    cursor = start
    for s, e, f in sorted(inside):
        if s > cursor:
            kept.append((cursor, s - 1, held, first))
        kept.append((s, e, held, f or first))
        cursor = e + 1
    if cursor <= end:
        kept.append((cursor, end, held, first))
    return sorted(kept)


def holdings_at(party_id, *, end):
    """{(activity, vintage): (sample row, [(start, end, first transferred)])} of the authorized ranges in
    accounts tied to the Party at `end`: every move into or out of its accounts replayed in order
    (reading aef-8). Memory: the intervals of one Party's ranges."""
    intervals, sample = defaultdict(list), {}
    for row in entries_of(party_id, end=end).iterator(chunk_size=2000):
        key = (row["activity_id"], row["vintage"])
        sample.setdefault(key, row)
        intervals[key] = paint(intervals[key], row["serial_start"], row["serial_end"], row["to_party"] == party_id,
                               row["first_transfer"])
    held = {}
    for key, ivs in intervals.items():
        merged = []
        for s, e, h, f in ivs:
            if not h:
                continue
            if merged and merged[-1][1] + 1 == s and merged[-1][2] == f:
                merged[-1] = (merged[-1][0], e, f)
            else:
                merged.append((s, e, f))
        if merged:
            held[key] = (sample[key], merged)
    return held


def holding_rows(*, party, year):
    _start, end = year_bounds(year)
    authorizations = _Authorizations()
    for (_activity, _vintage), (row, ranges) in sorted(holdings_at(party.pk, end=end).items(),
                                                       key=lambda item: (item[1][0]["reference"], item[0][1])):
        for s, e, first in ranges:
            first_id, last_id = _unit_ids(row, s, e)
            yield [
                COOPERATIVE_APPROACH, authorizations.of(row), row["host"] if first else "", REGISTRY_ID, s, e,
                REGISTRY_ID, first_id, last_id, METRIC, "", "", e - s + 1, "",
                MITIGATION.get(row["mitigation"], row["mitigation"]), row["vintage"],
                f"{row['reference']}; first transferred: {'yes' if first else 'no'}",
            ]


def holdings_sheet(*, party, year):
    return Sheet("holdings", HOLDING_HEADER, holding_rows(party=party, year=year))


# --- Table 5: authorized entities ----------------------------------------------------------------

ENTITY_HEADER = ["date_of_authorization", "name", "country_of_incorporation", "identification_number",
                 "cooperative_approach_id", "conditions", "change_and_revocation_conditions", "additional_information"]


def entity_rows(*, party, end):
    """The entities the Party authorized by the year's end (reading aef-9): the participants its host
    approvals authorize (RMP 41) and the entities whose holding account rests on its authorization
    (7/CMA.4 annex I para 33; PROC-REGS-001 paras 27-32)."""
    rows = []
    approvals = (HostApproval.objects.filter(activity__host_party=party, issued_at__lt=end)
                 .select_related("activity").prefetch_related("authorized_participants__party")
                 .order_by("activity__reference", "version"))
    for approval in approvals:
        for org in approval.authorized_participants.all():
            rows.append([approval.issued_at.date(), org.name, org.party.iso2 if org.party_id else "", entity_id(org.pk),
                         COOPERATIVE_APPROACH, "", "",
                         f"Host approval v{approval.version} of {approval.activity.reference} (RMP 41)"])
    # Authorized by the year's end: the letter's date, or the account's opening where none is recorded.
    by_end = Q(authorization_date__lt=end.date()) | Q(authorization_date__isnull=True, opened_at__lt=end)
    accounts = (Account.objects.filter(by_end, authorized_by=party, organisation__isnull=False,
                                       kind=AccountKind.HOLDING)
                .select_related("organisation__party").order_by("number"))
    for account in accounts:
        org = account.organisation
        rows.append([account.authorization_date or account.opened_at.date(), org.name,
                     org.party.iso2 if org.party_id else "", entity_id(org.pk), COOPERATIVE_APPROACH, "", "",
                     f"Holding account {account.number}: {account.authorization_document or account.authorization_basis}"
                     " (7/CMA.4 annex I para 33)"])
    return rows


def entities_sheet(*, party, end):
    return Sheet("authorized_entities", ENTITY_HEADER, iter(entity_rows(party=party, end=end)))


def aef_sheets(*, party, year, today=None):
    """The five tables of 4/CMA.6 annex II for `party` and `year`, in order (each rows an iterator)."""
    _start, end = year_bounds(year)
    today = today or timezone.localdate()
    return [
        submission_sheet(party=party, year=year, today=today),
        authorizations_sheet(party=party, end=end),
        actions_sheet(party=party, year=year),
        holdings_sheet(party=party, year=year),
        entities_sheet(party=party, end=end),
    ]


def aef_basename(party, year):
    return f"aef-{party.iso2}-{year}"
