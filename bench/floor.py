"""The bare-SQL floor of pacm's write path (pacm issue 8; docs/benchmarks.md "Write path against the floor").

What an issuance and a transfer would cost if they were written by hand: the same rows pacm writes
in the same transaction (`projects.services.issuance.issuance_process` with
`pacm.registry.services.issuance_execute`; `pacm.registry.services.units_transfer`), read and written
with a few multi-row PostgreSQL statements and no ORM. It reads everything it decides on, takes
the same row locks and makes the same checks that could refuse (the period's state, the holder's
membership, the units held), but skips what only a general path needs (the engine's declarations,
the guards, the per-step savepoints). PostgreSQL only: it uses writing CTEs.

Rows written (`bench/tests/test_floor.py` compares them with pacm's, row by row):
- issuance: the serial counters; the issued blocks as the steps leave them (issue, share of proceeds,
  OMGE cancellation, buffer, forwarding) and the blocks split off them; one ledger transaction per
  step and one entry per range; the maintained totals (RegistryTotal) and balances (AccountBalance);
  the issuance request's split; the period's state; two events on the activity's stream
  (`issuance_executed`, then the `mark_issued` transition).
- transfer: the source's blocks moved or shrunk and the block split off; one ledger transaction and
  its entries; the balances (and the totals when the account kinds differ); the `units_moved` event.

Notifications are not written by either: pacm sends them after the commit, in a task of their own.
The arithmetic (split, distribution, levies) and the first-transfer decision are pacm's own pure
functions (methodologies.arithmetic, pacm.registry.services.first_transfer): they run no query.
"""
import json
from collections import defaultdict
from decimal import Decimal
from types import SimpleNamespace

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from methodologies.arithmetic import (
    buffer_rating_choose,
    buffer_rating_label,
    distribution_allocate,
    issuance_split,
    levies_by_status,
)
from methodologies.models import RuleSet
from pacm.events.models import GENESIS, Event
from pacm.registry.models import TOTAL_SHARDS
from pacm.registry.services.first_transfer import first_transfer_applies
from pacm.registry.services.moves import plan_take

ISSUE_ACTOR = "timer:issuance"
MC = "mc"
LEVIES = {"share_of_proceeds": "share_of_proceeds", "omge": "omge_cancellation"}
BLOCK_CHUNK = 64


class FloorRefused(Exception):
    """What pacm would refuse (a service error): the floor writes nothing."""


def _json(text):
    return json.loads(text, parse_float=Decimal) if text is not None else None


def _values(rows, casts):
    """(VALUES sql, params) for rows of len(casts) columns, each cast (PostgreSQL infers no types)."""
    one = "(" + ", ".join(f"%s::{c}" for c in casts) + ")"
    return ", ".join([one] * len(rows)), [p for row in rows for p in row]


def _event_row(*, stream, sequence, kind, activity_id, actor_label, role, from_state, to_state, payload, prev,
               created_at, actor_id=None, organisation_id=None):
    payload = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    event = Event(stream=stream, sequence=sequence, kind=kind, activity_id=activity_id, actor_id=actor_id,
                  actor_label=actor_label, organisation_id=organisation_id, role=role, from_state=from_state,
                  to_state=to_state, comment="", payload=payload, created_at=created_at, prev_hash=prev)
    event.hash = event.compute_hash()
    return event


def _event_values(events):
    rows = [(e.stream, e.sequence, e.kind, e.activity_id, e.actor_id, e.actor_label, e.organisation_id, e.role,
             e.from_state, e.to_state, e.comment, json.dumps(e.payload), e.created_at, e.prev_hash, e.hash)
            for e in events]
    return _values(rows, ["text", "integer", "text", "bigint", "integer", "text", "bigint", "text", "text", "text",
                          "text", "jsonb", "timestamptz", "text", "text"])


EVENT_COLUMNS = ("stream, sequence, kind, activity_id, actor_id, actor_label, organisation_id, role, from_state, "
                 "to_state, comment, payload, created_at, prev_hash, hash")
BLOCK_COLUMNS = ("activity_id, host_party_id, vintage, issuance_id, serial_start, serial_end, account_id, "
                 "authorization_status, first_transfer_definition, first_transferred, first_transferred_at, "
                 "parent_id, created_at, negligible_risk")
TXN_COLUMNS = ("kind, issuance_id, from_account_id, to_account_id, quantity, first_transfer, "
               "corresponding_adjustment, purpose, beneficiary, actor_label, idempotency_key, created_at")


class _Block(SimpleNamespace):
    """A block in memory, with what `first_transfer_applies` reads."""

    @property
    def quantity(self):
        return self.serial_end - self.serial_start + 1

    @property
    def is_authorized(self):
        return self.authorization_status != MC


def _account(row):
    """An account in memory, with what `first_transfer_applies` reads (kind, owner_party_id)."""
    owner = row["party_id"] or row["authorized_by_id"] or row.get("organisation_party_id")
    return SimpleNamespace(pk=row["id"], number=row["number"], kind=row["kind"], owner_party_id=owner,
                           organisation_id=row["organisation_id"], authorized=row.get("authorized_by_party"))


def _take(blocks, quantity, source):
    """pacm's own planner of a take (pure: no query), so both take the same blocks."""
    return plan_take(blocks=blocks, quantity=quantity, from_account=source)


def _holding(block, account_id, first_transferred):
    """A block's holding group (pacm's services.totals.holding_key; the floor's blocks have no CP)."""
    return (account_id, block.activity_id, block.vintage, block.authorization_status, first_transferred,
            block.negligible_risk, 0)


def _move(*, takes, source, target, kind, now, children, entries_of, deltas, balances, holdings):
    """Apply one move in memory (as pacm's move_write would); returns the transaction's first_transfer."""
    flags = [first_transfer_applies(block=SimpleNamespace(**{**vars(b), "account": source}, is_authorized=b.is_authorized),
                                    to_account=target, kind=kind) for b, _ in takes]
    if any(flags) and target.organisation_id and not target.authorized:
        raise FloorRefused("RMP 45")
    for (block, take), flag in zip(takes, flags, strict=True):
        shard = block.activity_id % TOTAL_SHARDS
        balances[(source.pk, shard)] -= take
        balances[(target.pk, shard)] += take
        holdings[_holding(block, source.pk, block.first_transferred)] -= take
        holdings[_holding(block, target.pk, block.first_transferred or flag)] += take
        if source.kind != target.kind:
            for k, sign in ((source.kind, -1), (target.kind, 1)):
                key = (k, block.authorization_status, block.vintage, shard)
                deltas[key] = (deltas[key][0] + sign * take, deltas[key][1], deltas[key][2])
        if flag:  # units first transferred, on the receiving kind's row (services.totals.move_deltas)
            key = (target.kind, block.authorization_status, block.vintage, shard)
            deltas[key] = (deltas[key][0], deltas[key][1], deltas[key][2] + take)
        if take == block.quantity:
            block.account_id = target.pk
            if flag:
                block.first_transferred, block.first_transferred_at = True, now
            block.changed = True
            entries_of.append((block, block.serial_start, block.serial_end, flag))
            continue
        child = _Block(id=None, activity_id=block.activity_id, host_party_id=block.host_party_id, vintage=block.vintage,
                       issuance_id=block.issuance_id, serial_start=block.serial_start,
                       serial_end=block.serial_start + take - 1, account_id=target.pk,
                       authorization_status=block.authorization_status,
                       first_transfer_definition=block.first_transfer_definition,
                       first_transferred=block.first_transferred or flag,
                       first_transferred_at=now if flag else block.first_transferred_at, parent=block, changed=True,
                       negligible_risk=block.negligible_risk)
        block.serial_start += take
        block.changed = True
        children.append(child)
        entries_of.append((child, child.serial_start, child.serial_end, flag))
    return any(flags)


def _upserts_sql(deltas, balances, holdings):
    """The totals, balances and holding groups upserts as CTE parts: [(name, sql, params)]."""
    parts = []
    rows = sorted((k, v) for k, v in deltas.items() if v != (0, 0, 0))
    if rows:
        sql, params = _values([(*k, *v) for k, v in rows],
                              ["text", "text", "integer", "integer", "bigint", "bigint", "bigint"])
        parts.append(("totals", "INSERT INTO registry_registrytotal AS t (account_kind, authorization_status, vintage, "
                      f"shard, units, issued, first_transferred) VALUES {sql} ON CONFLICT (account_kind, "
                      "authorization_status, vintage, shard) DO UPDATE SET units = t.units + excluded.units, "
                      "issued = t.issued + excluded.issued, first_transferred = t.first_transferred + "
                      "excluded.first_transferred",
                      params))
    rows = sorted((k, v) for k, v in balances.items() if v)
    if rows:
        sql, params = _values([(*k, u) for k, u in rows], ["bigint", "integer", "bigint"])
        parts.append(("balances", "INSERT INTO registry_accountbalance AS b (account_id, shard, units) "
                      f"VALUES {sql} ON CONFLICT (account_id, shard) DO UPDATE SET units = b.units + excluded.units",
                      params))
    rows = sorted((k, v) for k, v in holdings.items() if v)
    if rows:
        sql, params = _values([(*k, u) for k, u in rows],
                              ["bigint", "bigint", "integer", "text", "boolean", "boolean", "bigint", "bigint"])
        columns = ("account_id, activity_id, vintage, authorization_status, first_transferred, negligible_risk, "
                   "component_key")
        parts.append(("holdings", f"INSERT INTO registry_accountholding AS g ({columns}, units) VALUES {sql} "
                      f"ON CONFLICT ({columns}) DO UPDATE SET units = g.units + excluded.units", params))
    return parts


def _tranches(*, statement, claims, units_requested, issued_authorized):
    """What pacm's `_tranches` decides (7/CMA.4 annex I para 38), from rows already read."""
    authorized_ok = statement is not None and statement["uses"] != MC
    cap = None
    if authorized_ok and statement["quantity_cap"] is not None:
        cap = max(statement["quantity_cap"] - (issued_authorized or 0), 0)
    left, tranches = units_requested, []
    for vintage, verified in claims:
        quantity = min(verified or 0, left)
        if quantity <= 0:
            continue
        left -= quantity
        covers = authorized_ok and (statement["vintage_from"] is None or vintage >= statement["vintage_from"]) and (
            statement["vintage_to"] is None or vintage <= statement["vintage_to"])
        if not covers:
            tranches.append((vintage, quantity, MC, ""))
            continue
        authorized = quantity if cap is None else min(quantity, cap)
        if cap is not None:
            cap -= authorized
        if authorized:
            tranches.append((vintage, authorized, statement["uses"], statement["first_transfer"]))
        if quantity - authorized:
            tranches.append((vintage, quantity - authorized, MC, ""))
    return tranches


ISSUANCE_READ = """
WITH locked_accounts AS (
    SELECT ac.id FROM registry_account ac
    WHERE ac.id IN (SELECT l.account_id FROM projects_distributionline l JOIN projects_issuancerequest r
                    ON r.id = l.request_id WHERE r.period_id = %(period)s)
    ORDER BY ac.id FOR NO KEY UPDATE)
SELECT a.id, a.host_party_id, a.risk_rating, a.risk_rating_percent, a.risk_negligible,
       EXISTS (SELECT 1 FROM registry_suspension su WHERE su.activity_id = a.id AND su.lifted_at IS NULL), p.number, p.state, a.state, r.id, r.units_requested,
       r.omge_rate::text, (m.kind = 'removals' OR m.reversal_risk),
       (SELECT row_to_json(rs)::text FROM methodologies_ruleset rs WHERE rs.effective_from <= %(today)s
        ORDER BY rs.effective_from DESC, rs.id DESC LIMIT 1),
       EXISTS (SELECT 1 FROM parties_partystatus s WHERE s.party_id = a.host_party_id AND s.valid_from <= %(today)s
               AND (s.valid_to IS NULL OR s.valid_to >= %(today)s)),
       (SELECT ha.sop_exemption_opt_out FROM projects_hostapproval ha WHERE ha.activity_id = a.id
        ORDER BY ha.version DESC LIMIT 1),
       (SELECT row_to_json(st)::text FROM projects_authorizationstatement st WHERE st.activity_id = a.id
        AND st.effective_from <= %(today)s ORDER BY st.effective_from DESC, st.version DESC LIMIT 1),
       (SELECT json_agg(json_build_array(c.vintage, c.verified) ORDER BY c.vintage)::text
        FROM projects_vintageclaim c WHERE c.period_id = p.id),
       (SELECT json_agg(json_build_object('units', l.units, 'percent', l.percent::text, 'id', ac.id,
                'number', ac.number, 'kind', ac.kind, 'organisation_id', ac.organisation_id, 'party_id', ac.party_id,
                'authorized_by_id', ac.authorized_by_id, 'organisation_party_id', o.party_id,
                'authorized_by_party', o.authorized_by_party) ORDER BY l.position)::text
        FROM projects_distributionline l JOIN registry_account ac ON ac.id = l.account_id
        LEFT JOIN parties_organisation o ON o.id = ac.organisation_id WHERE l.request_id = r.id),
       (SELECT json_object_agg(ac.kind, json_build_object('id', ac.id, 'number', ac.number, 'kind', ac.kind,
                'organisation_id', NULL, 'party_id', NULL, 'authorized_by_id', NULL))::text
        FROM registry_account ac WHERE ac.kind IN ('pending', 'sop_adaptation', 'omge_mandatory', 'buffer')),
       (SELECT json_agg(json_build_object('id', d.id, 'kind', d.kind, 'version', d.number, 'sha256', d.sha256)
                ORDER BY d.document_id)::text
        FROM (SELECT DISTINCT ON (dv.document_id) dv.id, dv.document_id, dv.number, dv.sha256, doc.kind
              FROM projects_documentversion dv JOIN projects_document doc ON doc.id = dv.document_id
              WHERE doc.monitoring_period_id = p.id ORDER BY dv.document_id, dv.number DESC) d),
       (SELECT count(*) FROM locked_accounts)
FROM projects_monitoringperiod p JOIN projects_activity a ON a.id = p.activity_id
JOIN projects_issuancerequest r ON r.period_id = p.id
JOIN methodologies_methodologyversion mv ON mv.id = a.methodology_version_id
JOIN methodologies_methodology m ON m.id = mv.methodology_id
WHERE p.id = %(period)s
FOR NO KEY UPDATE OF a, p, r
"""


def floor_issue(period_id, *, today=None):
    """Issue one approved period as pacm's issuing task does, in bare SQL; returns "issued" or why not."""
    today = today or timezone.localdate()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(ISSUANCE_READ, {"period": period_id, "today": today})
        row = cursor.fetchone()
        if row is None:
            return "no such period"
        (activity_id, host_party_id, risk_rating, risk_percent, risk_negligible, suspended, number, state, activity_state,
         request_id, units_requested,
         omge_rate, needs_buffer, rule_json, ldc_sids, opt_out, statement_json, claims_json, lines_json,
         mechanism_json, documents_json, _locked) = row
        if state == "issued":
            return "already issued"
        if state != "issuing" or activity_state != "registered":
            return f"not issuing ({state})"  # pacm's other answers are out of the floor's scope
        if suspended:
            return "suspended"  # A6.4-STAN-METH-002 paras 25, 44, as issuance_execute's suspension_check
        rule_fields = _json(rule_json)
        rule_set = RuleSet(**{f.attname: rule_fields[f.column] for f in RuleSet._meta.concrete_fields
                              if f.column in rule_fields})
        statement = _json(statement_json)
        issued_authorized = None
        if statement and statement["uses"] != MC and statement["quantity_cap"] is not None:
            cursor.execute("SELECT sum(serial_end - serial_start + 1) FROM registry_unitblock WHERE activity_id = %s "
                           "AND authorization_status <> 'mc'", [activity_id])
            issued_authorized = cursor.fetchone()[0]
        sop_exempt = bool(rule_set.sop_exempt_ldc_sids and ldc_sids and not opt_out)
        risk = buffer_rating_choose(needs_buffer=needs_buffer, buffer_basis=rule_set.buffer_basis,
                                    percent=risk_percent, category=risk_rating)
        split = issuance_split(gross=units_requested, rule_set=rule_set, omge_rate=Decimal(omge_rate),
                               sop_exempt=sop_exempt, risk_rating=risk, negligible=risk_negligible)
        negligible = getattr(split, "negligible_risk", False)
        buffer_rating = buffer_rating_label(risk)
        lines = _json(lines_json)
        amounts = distribution_allocate(net=split.net, lines=[
            SimpleNamespace(units=line["units"], percent=Decimal(line["percent"]) if line["percent"] else None)
            for line in lines])
        tranches = _tranches(statement=statement, claims=_json(claims_json), units_requested=units_requested,
                             issued_authorized=issued_authorized)
        # What issuance_execute's `_tranches_clean` stores on the blocks (RMP 42).
        cleaned = [(v, q, s, "" if s == MC else "international" if s == "ndc" else d) for v, q, s, d in tranches]
        mechanism = {kind: _account(a) for kind, a in _json(mechanism_json).items()}
        pending = mechanism["pending"]

        # The serial counters: one upsert returning each vintage's next free serial.
        per_vintage = defaultdict(int)
        for vintage, quantity, _s, _d in cleaned:
            per_vintage[vintage] += quantity
        sql, params = _values([(activity_id, v, q + 1) for v, q in sorted(per_vintage.items())],
                              ["bigint", "integer", "bigint"])
        # With the stream's last event: read in a statement after the lock, never in the locking one (a
        # lock that waited would return that statement's older snapshot of the events).
        cursor.execute(f"WITH c AS (INSERT INTO registry_serialcounter AS c (activity_id, vintage, next_serial) "
                       f"VALUES {sql} ON CONFLICT (activity_id, vintage) DO UPDATE SET next_serial = c.next_serial + "
                       "excluded.next_serial - 1 RETURNING vintage, next_serial) "
                       "SELECT vintage, next_serial, NULL::integer, NULL::text FROM c UNION ALL "
                       "(SELECT NULL, NULL, e.sequence, e.hash FROM events_event e WHERE e.stream = %s "
                       "ORDER BY e.sequence DESC LIMIT 1)", [*params, f"activity:{activity_id}"])
        counters = cursor.fetchall()
        free = {v: n - per_vintage[v] for v, n, _s, _h in counters if v is not None}
        last_json = next((json.dumps([s, h]) for v, _n, s, h in counters if v is None), None)

        now = timezone.now()
        issued, deltas, balances, holdings = [], defaultdict(lambda: (0, 0, 0)), defaultdict(int), defaultdict(int)
        for vintage, quantity, status, definition in cleaned:
            start = free[vintage]
            free[vintage] += quantity
            block = _Block(id=None, activity_id=activity_id, host_party_id=host_party_id, vintage=vintage,
                           issuance_id=request_id, serial_start=start, serial_end=start + quantity - 1,
                           account_id=pending.pk, authorization_status=status, first_transfer_definition=definition,
                           first_transferred=False, first_transferred_at=None, parent=None,
                           negligible_risk=negligible)
            issued.append(block)
            shard = activity_id % TOTAL_SHARDS
            key = ("pending", status, vintage, shard)
            deltas[key] = (deltas[key][0] + quantity, deltas[key][1] + quantity, deltas[key][2])
            balances[(pending.pk, shard)] += quantity
            holdings[_holding(block, pending.pk, False)] += quantity
        prefix = f"issuance:{request_id}"
        txns = [("issuance", None, pending.pk, sum(b.quantity for b in issued), False, f"{prefix}:issue",
                 [(b, b.serial_start, b.serial_end, False) for b in issued])]
        authorized = sum(b.quantity for b in issued if b.is_authorized)
        sop, omge, buffer = levies_by_status(levies=[split.share_of_proceeds, split.omge, split.buffer],
                                             authorized=authorized, mitigation_contribution=split.gross - authorized,
                                             rounding=getattr(split, "levy_authorized_rounding", "up"))
        levy = {"share_of_proceeds": sop, "omge": omge, "buffer": buffer}
        steps = [("share_of_proceeds", split.share_of_proceeds, mechanism["sop_adaptation"], "share_of_proceeds"),
                 ("omge", split.omge, mechanism["omge_mandatory"], "omge_cancellation"),
                 ("buffer", split.buffer, mechanism["buffer"], "buffer_deposit")]
        steps += [(f"forward:{i}", units, _account(line), "forwarding")
                  for i, (line, units) in enumerate(zip(lines, amounts, strict=True), start=1)]
        children = []
        in_pending = sorted(issued, key=lambda b: (b.vintage, b.serial_start))
        for name, quantity, target, kind in steps:
            if not quantity:
                continue
            if name in levy:
                takes = _take([b for b in in_pending if b.is_authorized], levy[name][0], pending)
                takes += _take([b for b in in_pending if not b.is_authorized], levy[name][1], pending)
                takes = [t for t in takes if t[1]]
            else:
                takes = _take(in_pending, quantity, pending)
            entries = []
            flag = _move(takes=takes, source=pending, target=target, kind=kind, now=now, children=children,
                         entries_of=entries, deltas=deltas, balances=balances, holdings=holdings)
            txns.append((kind, pending.pk, target.pk, sum(t for _, t in takes), flag, f"{prefix}:{name}", entries))
            in_pending = [b for b in in_pending if b.account_id == pending.pk]

        # The events: issuance_executed, then the transition to issued (the engine's state_changed).
        last = _json(last_json)
        stream = f"activity:{activity_id}"
        sequence, prev = (last[0], last[1]) if last else (0, GENESIS)
        executed = _event_row(
            stream=stream, sequence=sequence + 1, kind="issuance.executed", activity_id=activity_id,
            actor_label=ISSUE_ACTOR, role="timer", from_state="", to_state="", prev=prev, created_at=now,
            payload={"monitoring_period": number, "gross": split.gross, "share_of_proceeds": split.share_of_proceeds,
                     "omge": split.omge, "buffer": split.buffer, "net": split.net, "rule_set": split.rule_set,
                     "sop_exempt": sop_exempt, "tranches": [[v, q, s, d] for v, q, s, d in tranches],
                     "distribution": [[line["number"], n] for line, n in zip(lines, amounts, strict=True)]})
        moved = _event_row(
            stream=stream, sequence=sequence + 2, kind="monitoring.transitioned", activity_id=activity_id,
            actor_label=ISSUE_ACTOR, role="timer", from_state="issuing", to_state="issued", prev=executed.hash,
            created_at=now, payload={"transition": "mark_issued", "documents": _json(documents_json) or [],
                                     "monitoring_period": number})

        # Everything else in one statement of writing CTEs.
        parents_sql, parents_params = _values(
            [(b.activity_id, b.host_party_id, b.vintage, b.issuance_id, b.serial_start, b.serial_end, b.account_id,
              b.authorization_status, b.first_transfer_definition, b.first_transferred, b.first_transferred_at, None,
              now, b.negligible_risk) for b in issued],
            ["bigint", "bigint", "integer", "bigint", "bigint", "bigint", "bigint", "text", "text", "boolean",
             "timestamptz", "bigint", "timestamptz", "boolean"])
        parts = [("parents", f"INSERT INTO registry_unitblock ({BLOCK_COLUMNS}) VALUES {parents_sql} "
                  "RETURNING id, vintage, serial_end", parents_params)]
        if children:
            sql, params = _values(
                [(c.activity_id, c.host_party_id, c.vintage, c.issuance_id, c.serial_start, c.serial_end, c.account_id,
                  c.authorization_status, c.first_transfer_definition, c.first_transferred, c.first_transferred_at,
                  c.parent.vintage, c.parent.serial_end, now, c.negligible_risk) for c in children],
                ["bigint", "bigint", "integer", "bigint", "bigint", "bigint", "bigint", "text", "text", "boolean",
                 "timestamptz", "integer", "bigint", "timestamptz", "boolean"])
            parts.append(("children", f"INSERT INTO registry_unitblock ({BLOCK_COLUMNS}) SELECT v.a, v.h, v.v, v.i, "
                          "v.s, v.e, v.acc, v.st, v.d, v.ft, v.fta, p.id, v.c, v.nr FROM (VALUES " + sql + ") "
                          "AS v(a, h, v, i, s, e, acc, st, d, ft, fta, pv, pe, c, nr) JOIN parents p ON p.vintage = v.pv "
                          "AND p.serial_end = v.pe RETURNING id, vintage, serial_start", params))
        sql, params = _values(
            [(kind, request_id, source, target, quantity, flag, flag, "", "", ISSUE_ACTOR, key, now)
             for kind, source, target, quantity, flag, key, _e in txns],
            ["text", "bigint", "bigint", "bigint", "bigint", "boolean", "boolean", "text", "text", "text", "text",
             "timestamptz"])
        parts.append(("txns", f"INSERT INTO registry_ledgertransaction ({TXN_COLUMNS}) VALUES {sql} "
                      "RETURNING id, idempotency_key", params))
        sql, params = _values(
            [(key, block.vintage, start, end, flag, block.parent is not None,
              block.serial_start if block.parent is not None else block.serial_end)
             for _k, _s, _t, _q, _f, key, entries in txns for block, start, end, flag in entries],
            ["text", "integer", "bigint", "bigint", "boolean", "boolean", "bigint"])
        child_join = ("LEFT JOIN children c ON v.child AND c.vintage = v.v AND c.serial_start = v.k "
                      if children else "")
        block_id = "COALESCE(c.id, p.id)" if children else "p.id"
        parts.append(("entries", "INSERT INTO registry_ledgerentry (transaction_id, block_id, vintage, serial_start, "
                      f"serial_end, first_transfer) SELECT t.id, {block_id}, v.v, v.s, v.e, v.f FROM (VALUES {sql}) "
                      "AS v(key, v, s, e, f, child, k) JOIN txns t ON t.idempotency_key = v.key "
                      f"{child_join}LEFT JOIN parents p ON NOT v.child AND p.vintage = v.v AND p.serial_end = v.k",
                      params))
        parts += _upserts_sql(deltas, balances, holdings)
        parts.append(("request", "UPDATE projects_issuancerequest SET rule_set_id = %s, gross = %s, "
                      "share_of_proceeds = %s, omge = %s, buffer = %s, net = %s, issued_at = %s, buffer_rating = %s "
                      "WHERE id = %s",
                      [rule_set.pk, split.gross, split.share_of_proceeds, split.omge, split.buffer, split.net, now,
                       buffer_rating, request_id]))
        parts.append(("period", "UPDATE projects_monitoringperiod SET state = 'issued', state_entered_at = %s, "
                      "due_at = NULL WHERE id = %s", [now, period_id]))
        sql, params = _event_values([executed, moved])
        parts.append(("events", f"INSERT INTO events_event ({EVENT_COLUMNS}) VALUES {sql}", params))
        _ctes_run(cursor, parts)
    return "issued"


def _ctes_run(cursor, parts):
    """One statement: every part but the last as a named writing CTE, then the last."""
    *head, (_name, last_sql, last_params) = parts
    sql = ("WITH " + ", ".join(f"{name} AS ({body})" for name, body, _p in head) + " " if head else "") + last_sql
    cursor.execute(sql, [p for _n, _b, params in head for p in params] + list(last_params))


TRANSFER_READ = """
WITH locked AS (
    SELECT ac.id, ac.number, ac.kind, ac.organisation_id, ac.party_id, ac.authorized_by_id,
           o.party_id AS organisation_party_id, o.authorized_by_party
    FROM registry_account ac LEFT JOIN parties_organisation o ON o.id = ac.organisation_id
    WHERE ac.id IN (%(source)s, %(target)s) ORDER BY ac.id FOR NO KEY UPDATE OF ac)
SELECT (SELECT json_agg(row_to_json(locked))::text FROM locked),
       (SELECT coalesce(sum(b.units), 0) FROM registry_accountbalance b WHERE b.account_id = %(source)s),
       EXISTS (SELECT 1 FROM parties_membership m JOIN registry_account ac ON ac.organisation_id = m.organisation_id
               WHERE ac.id = %(source)s AND m.user_id = %(user)s),
       nextval(pg_get_serial_sequence('registry_ledgertransaction', 'id'))
"""
# With the source stream's last event, read after the lock (see floor_issue).
BLOCK_READ = ("SELECT id, activity_id, host_party_id, vintage, issuance_id, serial_start, serial_end, "
              "authorization_status, first_transfer_definition, first_transferred, first_transferred_at, negligible_risk, "
              "(SELECT json_build_array(e.sequence, e.hash)::text FROM events_event e WHERE e.stream = %s "
              "ORDER BY e.sequence DESC LIMIT 1) "
              "FROM registry_unitblock WHERE account_id = %s AND (activity_id, vintage, serial_start) > (%s, %s, %s) "
              # A suspended activity's units are never taken (A6.4-STAN-METH-002 paras 25, 44), as units_move_out.
              "AND activity_id NOT IN (SELECT su.activity_id FROM registry_suspension su WHERE su.lifted_at IS NULL) "
              "ORDER BY activity_id, vintage, serial_start LIMIT %s")
BLOCK_FIELDS = ("id", "activity_id", "host_party_id", "vintage", "issuance_id", "serial_start", "serial_end",
                "authorization_status", "first_transfer_definition", "first_transferred", "first_transferred_at",
                "negligible_risk")


def floor_transfer(*, user_id, actor, source_id, target_id, quantity):
    """Transfer `quantity` units between two holding accounts as `units_transfer` does, in bare SQL.

    Returns the transaction's id. `actor` is (label, organisation id, role): what pacm records as the
    actor (the user's name and the holder organisation through which they act)."""
    actor_label, organisation_id, role = actor
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(TRANSFER_READ, {"source": source_id, "target": target_id, "user": user_id})
        accounts_json, held, member, txn_id = cursor.fetchone()
        accounts = {a["id"]: _account(a) for a in _json(accounts_json)}
        source, target = accounts[source_id], accounts[target_id]
        if not member or source.kind != "holding" or target.kind != "holding" or held < quantity:
            raise FloorRefused("refused")
        takes, left, after, size, last_json = [], quantity, (0, 0, 0), BLOCK_CHUNK, None
        while left:
            cursor.execute(BLOCK_READ, [f"account:{source.number}", source_id, *after, size])
            rows = cursor.fetchall()
            for row in rows:
                *fields, last_json = row
                block = _Block(**dict(zip(BLOCK_FIELDS, fields, strict=True)), account_id=source_id, parent=None,
                               changed=False)
                take = min(block.quantity, left)
                takes.append((block, take))
                left -= take
                if not left:
                    break
            if left and len(rows) < size:
                raise FloorRefused("blocks short of the balance")
            if rows:
                after = (rows[-1][1], rows[-1][3], rows[-1][5])
        now = timezone.now()
        children, entries, deltas, balances, holdings = [], [], defaultdict(lambda: (0, 0, 0)), defaultdict(int), \
            defaultdict(int)
        flag = _move(takes=takes, source=source, target=target, kind="transfer", now=now, children=children,
                     entries_of=entries, deltas=deltas, balances=balances, holdings=holdings)
        moved_whole = [b for b, _ in takes if b.changed]
        sql, params = _values([(b.id, b.account_id, b.serial_start, b.first_transferred, b.first_transferred_at)
                               for b in moved_whole], ["bigint", "bigint", "bigint", "boolean", "timestamptz"])
        # Shrinks and whole moves first, in their own statement: the split-off block inserted next
        # never overlaps the range its parent held (the exclusion constraint checks each row).
        cursor.execute("UPDATE registry_unitblock b SET account_id = v.acc, serial_start = v.s, first_transferred = "
                       f"v.ft, first_transferred_at = v.fta FROM (VALUES {sql}) AS v(id, acc, s, ft, fta) "
                       "WHERE b.id = v.id", params)
        last = _json(last_json)
        sequence, prev = (last[0], last[1]) if last else (0, GENESIS)
        event = _event_row(
            stream=f"account:{source.number}", sequence=sequence + 1, kind="registry.units_moved", activity_id=None,
            actor_id=user_id, actor_label=actor_label, organisation_id=organisation_id, role=role,
            from_state="", to_state="", prev=prev, created_at=now,
            payload={"transaction": txn_id, "kind": "transfer", "from": source.number, "to": target.number,
                     "quantity": quantity, "first_transfer": flag, "purpose": "", "beneficiary": "",
                     "ranges": [[b.activity_id, b.vintage, s, e, f] for b, s, e, f in entries]})
        parts = []
        if children:
            (child,) = children  # a transfer splits at most its last block
            sql, params = _values(
                [(child.activity_id, child.host_party_id, child.vintage, child.issuance_id, child.serial_start,
                  child.serial_end, child.account_id, child.authorization_status, child.first_transfer_definition,
                  child.first_transferred, child.first_transferred_at, child.parent.id, now, child.negligible_risk)],
                ["bigint", "bigint", "integer", "bigint", "bigint", "bigint", "bigint", "text", "text", "boolean",
                 "timestamptz", "bigint", "timestamptz", "boolean"])
            parts.append(("child", f"INSERT INTO registry_unitblock ({BLOCK_COLUMNS}) VALUES {sql} RETURNING id",
                          params))
        parts.append(("txn", f"INSERT INTO registry_ledgertransaction (id, {TXN_COLUMNS}) VALUES (%s, %s, NULL, %s, "
                      "%s, %s, %s, %s, '', '', %s, NULL, %s)",
                      [txn_id, "transfer", source_id, target_id, quantity, flag, flag, actor_label, now]))
        sql, params = _values([(b.id if b.parent is None else None, b.vintage, s, e, f) for b, s, e, f in entries],
                              ["bigint", "integer", "bigint", "bigint", "boolean"])
        block_id = "COALESCE(v.b, (SELECT id FROM child))" if children else "v.b"
        parts.append(("entries", "INSERT INTO registry_ledgerentry (transaction_id, block_id, vintage, serial_start, "
                      f"serial_end, first_transfer) SELECT %s, {block_id}, v.v, v.s, v.e, v.f FROM (VALUES {sql}) "
                      "AS v(b, v, s, e, f)", [txn_id, *params]))
        parts += _upserts_sql(deltas, balances, holdings)
        sql, params = _event_values([event])
        parts.append(("event", f"INSERT INTO events_event ({EVENT_COLUMNS}) VALUES {sql}", params))
        _ctes_run(cursor, parts)
    return txn_id
