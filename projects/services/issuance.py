"""Issuance: the DOE's request, fee, checks, review, approval, appeal window, and the issuing task.

rules.md §4 and §6; policy.md §1-2. The arithmetic lives in `methodologies.arithmetic`; the unit
moves in `pacm.registry.services`. This module decides what to issue to whom and records it.
"""
import logging
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from methodologies.models import RuleSet, rule_set_by_key, rule_set_in_force_key
from pacm.common.errors import ServiceError
from pacm.parties.roles import Actor
from pacm.registry.models import Account, AccountKind, AuthorizationStatus, UnitBlock
from pacm.registry.services.issuance import Tranche

from .. import events
from ..cycle import ActivityState, PeriodState
from ..machines import PERIOD
from ..models import Activity, DistributionLine, Fee, IssuanceRequest, MonitoringPeriod
from .approvals import authorization_in_force
from .base import action_run, lock, transition_fire
from .fees import fee_assess

log = logging.getLogger(__name__)
TASK_ACTOR = "issuance"


def _arithmetic():
    from methodologies import arithmetic

    return arithmetic


def _decimal(value, field):
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise ServiceError(_("Give a number."), field=field, code="number_invalid") from None


def issuance_terms(*, period, on_date=None):
    """What the split depends on besides N: the rule set, the SOP exemption, the risk rating."""
    on_date = on_date or timezone.localdate()
    activity = period.activity
    # What the issuing task's lock of the activity read with it (`_TERMS_READ`, pacm issue 8), if it did.
    read = getattr(activity, "terms_read_on", None) == on_date
    key = getattr(activity, "rule_set_key", None) if read else None
    rule_set = rule_set_by_key(key) if key else RuleSet.objects.in_force(on_date)
    # 6/CMA.6 para 20: LDC/SIDS hosts are exempt from the SOP unless they opt out. The host approval
    # is read only when it decides (pacm issue 8).
    sop_exempt = bool(
        rule_set.sop_exempt_ldc_sids
        and (activity.host_ldc_sids if read else activity.host_party.is_ldc_or_sids(on_date))
        and not getattr(activity.host_approvals.order_by("-version").first(), "sop_exemption_opt_out", False)
    )
    return rule_set, sop_exempt, risk_rating_for(activity, rule_set)


def risk_rating_for(activity, rule_set):
    """The rating the buffer is computed at (policy.md §2; A6.4-STAN-METH-002 paras 38, 55): None
    without reversal risk; the DOE-validated percentage under a rule set that follows the standard;
    else the superseded category. An activity with only a category under such a rule set passes the
    category, which `issuance_split` refuses with its code (reading risk-buffer-2)."""
    return _arithmetic().buffer_rating_choose(
        needs_buffer=activity.methodology_version.methodology.needs_buffer, buffer_basis=rule_set.buffer_basis,
        percent=activity.risk_rating_percent, category=activity.risk_rating,
    )


def issuance_preview(*, period, units, omge_rate=None, lines=()):
    """The split a request would produce today, and what each receiving account would get."""
    rule_set, sop_exempt, risk = issuance_terms(period=period)
    split = _arithmetic().issuance_split(gross=units, rule_set=rule_set, omge_rate=omge_rate, sop_exempt=sop_exempt,
                                         risk_rating=risk, negligible=period.activity.risk_negligible)
    split, _sop = _per_host(period, split, rule_set, sop_exempt, omge_rate=omge_rate, risk=risk)
    amounts = _arithmetic().distribution_allocate(net=split.net, lines=list(lines)) if lines else []
    return split, amounts


def _per_host(period, split, rule_set, sop_exempt, *, omge_rate, risk, on_date=None):
    """A PoA's share of proceeds per host (projects.poa.issuance.split_per_host; reading poa-issuance-3)."""
    if period.activity.kind != Activity.Kind.POA:
        return split, sop_exempt
    from ..poa.issuance import split_per_host

    return split_per_host(period=period, split=split, rule_set=rule_set, on_date=on_date or timezone.localdate(),
                          omge_rate=omge_rate, risk_rating=risk, negligible=period.activity.risk_negligible)


def _receiving(account, participant_ids):
    """RMP 60; 7/CMA.4 annex I para 41: the net is forwarded to holding accounts of the activity's
    participants or of Parties, as the participants instruct (pacm issue 6 §5 rule 3)."""
    if account.kind != AccountKind.HOLDING:
        return False
    if account.organisation_id is not None:
        return account.organisation_id in participant_ids
    return account.party_id is not None  # a Party's own holding account (RMP 63)


def issuance_lines_check(*, period, lines):
    """The receiving accounts, checked as a submit checks them; what the preview runs first (pacm issue 9)."""
    return _lines_check(period=period, lines=lines)


def _lines_check(*, period, lines):
    """Receiving accounts: holding accounts of this activity's participants, or of a Party (RMP 60; AI 41)."""
    if not lines:
        raise ServiceError(_("Give at least one receiving holding account."), field="lines", code="lines_required")
    participant_ids = set(period.activity.participants.values_list("pk", flat=True))
    cleaned, kinds = [], set()
    for line in lines:
        account = line["account"]
        if not isinstance(account, Account):
            account = Account.objects.filter(number=str(account).strip()).first()
        if account is None:
            raise ServiceError(_("Unknown receiving account."), field="lines", code="account_unknown")
        if not _receiving(account, participant_ids):
            params = {"account": account.number}
            raise ServiceError(
                _("%(account)s is neither a holding account of this activity's participants nor a Party's "
                  "holding account (RMP 60; 7/CMA.4 annex I para 41).") % params,
                field="lines", code="account_not_receiving", params=params,
            )
        units, percent = line.get("units"), line.get("percent")
        if (units in (None, "")) == (percent in (None, "")):
            raise ServiceError(
                _("Give each receiving account either whole units or a percentage."),
                field="lines", code="line_units_or_percent",
            )
        if units not in (None, ""):
            kinds.add("units")
            cleaned.append({"account": account, "units": int(units), "percent": None})
        else:
            kinds.add("percent")
            cleaned.append({"account": account, "units": None, "percent": _decimal(percent, "lines")})
    if len(kinds) > 1:
        raise ServiceError(
            _("Use whole units for every account, or percentages for every account."),
            field="lines", code="lines_mixed",
        )
    return cleaned, kinds.pop()


class _Line:
    def __init__(self, units, percent):
        self.units, self.percent = units, percent


def _request_write(period, *, units_requested, omge_rate, lines):
    """Create or replace the period's issuance request; refuse anything that does not add up."""
    try:
        units_requested = int(units_requested)
    except (TypeError, ValueError):
        raise ServiceError(
            _("Units requested is a whole number."),
            field="units_requested", code="units_requested_invalid",
        ) from None
    verified = period.verified_total
    if units_requested < 1 or units_requested > verified:
        params = {"verified": verified}
        raise ServiceError(
            ngettext("Request between 1 and the %(verified)s unit verified.",
                     "Request between 1 and the %(verified)s units verified.", verified) % {**params, "verified": f"{verified:,}"},
            field="units_requested", code="units_requested_out_of_range", params=params,
        )
    rule_set = issuance_terms(period=period)[0]
    omge_rate = rule_set.omge_min_rate if omge_rate in (None, "") else _decimal(omge_rate, "omge_rate")
    cleaned, split_kind = _lines_check(period=period, lines=lines)
    split, _amounts = issuance_preview(
        period=period, units=units_requested, omge_rate=omge_rate,
        lines=[_Line(c["units"], c["percent"]) for c in cleaned],
    )
    request, _created = IssuanceRequest.objects.update_or_create(
        period=period,
        # pacm issue 9 (reading omge-confirm-1): the rule set in force at the submission says whether
        # the participants confirm it; a resubmission is confirmed afresh.
        defaults={"units_requested": units_requested, "omge_rate": omge_rate, "split": split_kind,
                  "confirmation_required": rule_set.issuance_confirmation_required, "confirmed_at": None,
                  "confirmed_by": None},
    )
    request.lines.all().delete()
    DistributionLine.objects.bulk_create(
        [DistributionLine(request=request, position=i, account=c["account"], units=c["units"], percent=c["percent"])
         for i, c in enumerate(cleaned, start=1)]
    )
    return request, split


@PERIOD.serves("request_issuance")
def period_request_issuance(*, period, user, units_requested, lines, omge_rate=None, comment="", resubmit=False, expected_state=None):
    """RMP 52: the DOE submits the request with the participants' OMGE election and instructions.

    The issuance fee is computed on the units requested (7/CMA.4 annex I para 53).
    """
    state = {}

    def prepare(obj, actor):
        state["request"], state["split"] = _request_write(
            obj, units_requested=units_requested, omge_rate=omge_rate, lines=lines
        )

    def after(obj, actor):
        request, split = state["request"], state["split"]
        fee = obj.fees.filter(kind=Fee.Kind.ISSUANCE).first()
        if fee is None:
            fee = fee_assess(
                activity=obj.activity, period=obj, kind=Fee.Kind.ISSUANCE, actor=actor,
                amount=lambda rs: (rs.issuance_fee_per_unit_usd * request.units_requested).quantize(Decimal("0.01")),
                basis=lambda rs: f"{request.units_requested:,} units requested x USD {rs.issuance_fee_per_unit_usd} "
                f"under rule set {rs.version}", hosts=_fee_hosts(obj.activity),
            )
        return {
            "units_requested": request.units_requested,
            "omge_rate": str(request.omge_rate),
            "preview": {"gross": split.gross, "share_of_proceeds": split.share_of_proceeds, "omge": split.omge,
                        "buffer": split.buffer, "net": split.net, "rule_set": split.rule_set},
            "fee_usd": str(fee.amount_usd),
            "fee_status": fee.status,
        }

    name = "resubmit_issuance" if resubmit else "request_issuance"
    return transition_fire(model=MonitoringPeriod, pk=period.pk, name=name, user=user, comment=comment,
                           prepare=prepare, after=after, expected_state=expected_state)


@PERIOD.serves("resubmit_issuance")
def period_resubmit_issuance(*, period, user, units_requested, lines, omge_rate=None, comment="", expected_state=None):
    return period_request_issuance(period=period, user=user, units_requested=units_requested, lines=lines,
                                   omge_rate=omge_rate, comment=comment, resubmit=True,
                                   expected_state=expected_state)


@PERIOD.serves("confirm_issuance_request")
def period_confirm_issuance_request(*, period, user, comment="", expected_state=None):
    """pacm issue 9 (reading omge-confirm-1): the activity's participants confirm the OMGE election
    and the distribution the DOE submitted, as submitted; the secretariat's checks wait for it. The
    event names what was confirmed (and the comment, if any)."""

    def apply(obj, actor):
        request = IssuanceRequest.objects.select_for_update(no_key=True).get(period=obj)
        request.confirmed_at, request.confirmed_by = timezone.now(), actor.organisation
        request.save(update_fields=["confirmed_at", "confirmed_by"])
        lines = list(request.lines.select_related("account").order_by("position"))
        events.issuance_confirmed(period=obj, actor=actor, request=request, lines=lines,
                                  comment=(comment or "").strip())
        return obj

    return action_run(subject=period, name="confirm_issuance_request", user=user, apply=apply,
                      expected_state=expected_state)


@PERIOD.serves("decline_issuance_request")
def period_decline_issuance_request(*, period, user, comment, expected_state=None):
    """pacm issue 9 (reading omge-confirm-2): the activity's participants decline the OMGE election
    and the distribution the DOE submitted, with their reasons (`comment`, required): the request
    goes back to the DOE (`issuance_incomplete`), who resubmits it, to be confirmed afresh. The
    transition's event and `issuance.declined` (what was declined) are recorded; the DOE, who may
    resubmit now, is told (pacm.engine.notify)."""

    def after(obj, actor):
        request = IssuanceRequest.objects.get(period=obj)
        lines = list(request.lines.select_related("account").order_by("position"))
        events.issuance_declined(period=obj, actor=actor, request=request, lines=lines, reason=comment.strip())
        return None

    return _fire(period, "decline_issuance_request", user, comment, after=after, expected_state=expected_state)


def _fire(period, name, user, comment="", **kw):
    return transition_fire(model=MonitoringPeriod, pk=period.pk, name=name, user=user, comment=comment, **kw)


@PERIOD.serves("start_issuance_checks")
def period_start_issuance_checks(*, period, user, comment="", expected_state=None):
    return _fire(period, "start_issuance_checks", user, comment, expected_state=expected_state)


@PERIOD.serves("return_issuance_incomplete")
def period_return_issuance_incomplete(*, period, user, comment, expected_state=None):
    return _fire(period, "return_issuance_incomplete", user, comment, expected_state=expected_state)


@PERIOD.serves("pass_issuance_checks")
def period_pass_issuance_checks(*, period, user, comment="", expected_state=None):
    return _fire(period, "pass_issuance_checks", user, comment, expected_state=expected_state)


@PERIOD.serves("request_issuance_review")
def period_request_issuance_review(*, period, user, comment, expected_state=None):
    return _fire(period, "request_issuance_review", user, comment, expected_state=expected_state)


@PERIOD.serves("approve_by_timer")
def period_approve_by_timer(*, period, actor):
    return _fire(period, "approve_by_timer", actor)


@PERIOD.serves("approve_issuance")
def period_approve_issuance(*, period, user, comment, expected_state=None):
    return _fire(period, "approve_issuance", user, comment, expected_state=expected_state)


@PERIOD.serves("reject_issuance")
def period_reject_issuance(*, period, user, comment, expected_state=None):
    return _fire(period, "reject_issuance", user, comment, expected_state=expected_state)


def _fee_hosts(activity):
    """A PoA's fees are waived when any host is an LDC or SIDS (PROC-AC-003 v03.0 App.1 para 4)."""
    if activity.kind != Activity.Kind.POA:
        return None
    from ..poa.issuance import fee_hosts

    return fee_hosts(activity)


def _dispatch(period_id):
    from ..tasks import issuance_run

    # robust: a broker that is down is logged, never raised at the committed change; the
    # sweeper dispatches the issuance again (issuances_sweep).
    transaction.on_commit(lambda: issuance_run.delay(period_id), robust=True)


@PERIOD.serves("close_appeal_window")
def period_close_appeal_window(*, period, actor):
    """rules.md §2.3 S18->S19: the appeal window closes; the registry issues (one task per issuance)."""

    def after(obj, actor):
        IssuanceRequest.objects.filter(period=obj).update(dispatched_at=timezone.now())
        _dispatch(obj.pk)

    return _fire(period, "close_appeal_window", actor, after=after)


def _tranches(*, period, request, on_date, deduct=0):
    """What to issue, per vintage and authorization status (7/CMA.4 annex I para 38).

    Vintages in year order up to the units requested. The statement in force at issuance sets
    the status; a partial statement (vintages, quantity cap) authorizes only what it covers and
    the rest is issued as mitigation contribution units. `deduct`: the crediting deficit paid
    first, from the oldest vintages (A6.4-STAN-METH-002 v01.0 para 30(c)(iv); projects.removals).
    """
    statement = authorization_in_force(activity=period.activity, on_date=on_date)
    remaining_cap = None
    if statement is not None and statement.is_authorized and statement.quantity_cap is not None:
        issued_authorized = (
            UnitBlock.objects.filter(activity=period.activity)
            .exclude(authorization_status=AuthorizationStatus.MITIGATION_CONTRIBUTION)
            .aggregate(n=Sum(F("serial_end") - F("serial_start") + 1))["n"]
            or 0
        )
        remaining_cap = max(statement.quantity_cap - issued_authorized, 0)
    left = request.units_requested
    tranches = []
    for vintage, verified, tag in _tranche_lines(period, on_date):
        quantity = min(verified or 0, left)
        left -= max(quantity, 0)
        taken = min(max(quantity, 0), deduct)
        deduct, quantity = deduct - taken, quantity - taken
        if quantity <= 0:
            continue
        if statement is None or not statement.is_authorized or not statement.covers_vintage(vintage):
            tranches.append(Tranche((vintage, quantity, AuthorizationStatus.MITIGATION_CONTRIBUTION, ""), tag))
            continue
        authorized = quantity if remaining_cap is None else min(quantity, remaining_cap)
        if remaining_cap is not None:
            remaining_cap -= authorized
        if authorized:
            tranches.append(Tranche((vintage, authorized, statement.uses, statement.first_transfer), tag))
        if quantity - authorized:
            tranches.append(Tranche((vintage, quantity - authorized, AuthorizationStatus.MITIGATION_CONTRIBUTION, ""),
                                    tag))
    return tranches


def _tranche_lines(period, on_date):
    """[(vintage, verified, tag)]: a project's per vintage; a PoA batch's per CP per vintage, each tagged with
    its CP and host (PROC-AC-003 v03.0 para 220)."""
    if period.activity.kind == Activity.Kind.POA:
        from ..poa.issuance import tranche_lines

        return tranche_lines(period, rule_set=issuance_terms(period=period, on_date=on_date)[0], on_date=on_date)
    return [(claim.vintage, claim.verified, None) for claim in period.claims.order_by("vintage")]


def _terms_read(on_date):
    """Annotations for the activity's lock: what `issuance_terms` reads besides the activity (pacm issue 8)."""
    from pacm.parties.models import PartyStatus

    terms = {"host_ldc_sids": Exists(PartyStatus.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=on_date), party=OuterRef("host_party_id"), valid_from__lte=on_date))}
    key = rule_set_in_force_key(on_date)
    if key is not None:
        terms["rule_set_key"] = key
    return terms


def issuance_process(*, period_id):
    """Issue, levy, cancel, buffer and forward one approved issuance, in one transaction.

    Idempotent: the period row is locked first; a second run (a redelivered or duplicated task)
    finds it issued and does nothing. A run killed midway rolls back whole. Returns what it did.
    """
    from pacm.registry.services import issuance_execute

    actor = Actor.timer(TASK_ACTOR)
    today = timezone.localdate()
    with transaction.atomic():
        # The activity row first, as every service does: it orders the locks (no deadlock with a
        # person acting on the activity) and keeps the activity's event stream linear when two
        # periods of one activity are issued at once.
        # One statement: the activity of the period, locked, with what the split reads (pacm issue 8).
        activity = (
            # _base_manager: a PoA's period too (Activity.objects lists projects only; projects.poa).
            Activity._base_manager.select_for_update(no_key=True, of=("self",))
            .select_related("host_party", "methodology_version__methodology")
            .annotate(**_terms_read(today))
            .filter(pk=Subquery(MonitoringPeriod.objects.filter(pk=period_id).values("activity_id")[:1]))
            .first()
        )
        if activity is None:
            return "no such period"
        activity.terms_read_on = today
        # The period and its issuance request together (the request's key points at the period).
        request = (IssuanceRequest.objects.select_for_update(no_key=True, of=("self", "period"))
                   .select_related("period").filter(period_id=period_id).first())
        period = request.period if request is not None else lock(MonitoringPeriod, period_id)
        period.activity = activity
        if period.state == PeriodState.ISSUED:
            return "already issued"
        if period.state != PeriodState.ISSUING:
            return f"not issuing ({period.state})"
        if activity.state != ActivityState.REGISTERED:
            # pacm issue 6 §5 rule 2; A6.4-PROC-AC-002 v03.0 para 259: nothing is issued for a
            # deregistered (or withdrawn) activity, even if its issuance was approved and reached
            # the task; the period ends here, with its event, and the sweeper stops sending it.
            from .closing import period_end_with_activity

            period_end_with_activity(
                period=period, actor=actor,
                comment=f"Not issued: {activity.reference} is {activity.get_state_display().lower()}.",
            )
            return f"not issued: activity {activity.state}"
        if request is None:
            raise IssuanceRequest.DoesNotExist(f"Period {period_id} is issuing without an issuance request.")
        rule_set, sop_exempt, risk = issuance_terms(period=period, on_date=today)
        # A6.4-STAN-METH-002 v01.0 para 30(c)(iv): the crediting deficit is paid first (projects.removals).
        from ..removals.services import deficit_deduct_at_issuance

        deducted = deficit_deduct_at_issuance(period=period, units=request.units_requested, actor=actor)
        if deducted == request.units_requested:
            request.rule_set, request.issued_at = rule_set, timezone.now()
            request.gross = request.share_of_proceeds = request.omge = request.buffer = request.net = 0
            request.save()
            period_mark_issued(period=period, actor=actor, locked=True)
            return "issued: nothing left after the crediting deficit"
        split = _arithmetic().issuance_split(gross=request.units_requested - deducted, rule_set=rule_set,
                                             omge_rate=request.omge_rate,
                               sop_exempt=sop_exempt, risk_rating=risk, negligible=activity.risk_negligible)
        split, sop_exempt = _per_host(period, split, rule_set, sop_exempt, omge_rate=request.omge_rate, risk=risk,
                                      on_date=today)
        # The receiving accounts locked as they are read, lowest key first (accounts_lock's order).
        lines = sorted(
            request.lines.select_related("account", "account__organisation__party", "account__party")
            .select_for_update(no_key=True, of=("account",)).order_by("account_id", "position"),
            key=lambda line: line.position,
        )
        amounts = _arithmetic().distribution_allocate(net=split.net, lines=lines)
        tranches = _tranches(period=period, request=request, on_date=today, deduct=deducted)
        # Under the request's lock, a request not yet issued has no step written: the steps' keys
        # are not looked up (their unique constraint still refuses a second write).
        first_run = request.issued_at is None
        request.rule_set = rule_set
        request.gross, request.share_of_proceeds, request.omge = split.gross, split.share_of_proceeds, split.omge
        request.buffer, request.net, request.issued_at = split.buffer, split.net, timezone.now()
        request.buffer_rating = _arithmetic().buffer_rating_label(risk)
        # The request's row is saved with the units (on PostgreSQL in their statement, with the activity
        # stream's last event read with the serial counters: pacm issue 8).
        issuance_execute(
            issuance=request, tranches=tranches, split=split,
            distribution=[(line.account, amount) for line, amount in zip(lines, amounts, strict=True)],
            actor_label=actor.name, accounts_locked=True, first_run=first_run, issuance_save=True,
            head_of=activity.stream,
        )
        # Both events in one statement: this one is written with the transition's (pacm issue 8).
        executed = events.issuance_executed(
            period=period, actor=actor, split=split, sop_exempt=sop_exempt, tranches=tranches,
            distribution=[(line.account.number, amount) for line, amount in zip(lines, amounts, strict=True)],
            head=request.stream_head, build=True,
        )
        period_mark_issued(period=period, actor=actor, locked=True, pending=[executed])
    return "issued"


@PERIOD.serves("mark_issued")
def period_mark_issued(*, period, actor, locked=False, head=None, pending=()):
    """Fired by `issuance_process` once the registry holds the units, in the same transaction;
    `locked`: `period` (with its activity) is the row that transaction locked, not read again, and
    `head` the activity stream's last event it recorded, or `pending` the events it built, written
    with the transition's."""
    return _fire(period, "mark_issued", actor, locked=period if locked else None, head=head if locked else None,
                 pending=pending if locked else ())


def issuances_sweep(*, older_than=None):
    """Re-dispatch issuances left issuing (a broker down at commit loses nothing)."""
    cutoff = timezone.now() - (older_than if older_than is not None else settings.PACM_ISSUANCE_SWEEP_AFTER)
    ids = list(
        MonitoringPeriod.objects.filter(state=PeriodState.ISSUING, state_entered_at__lte=cutoff)
        .values_list("pk", flat=True)
    )
    for period_id in ids:
        IssuanceRequest.objects.filter(period_id=period_id).update(dispatched_at=timezone.now())
        _dispatch(period_id)
    return ids
