"""The issuance arithmetic (rules.md §4.5; policy.md §1-2): pure functions, no database writes.

Every rate and rounding comes from the RuleSet passed in; every quantity is a whole unit
(7/CMA.4 annex I para 28) and every product is exact Decimal arithmetic, never a float.
"""
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pacm.common.errors import ServiceError

from .models import BufferBasis, Rounding

_ROUNDING = {Rounding.DOWN: ROUND_FLOOR, Rounding.UP: ROUND_CEILING, Rounding.HALF_UP: ROUND_HALF_UP}
_ROUNDING_WORDS = {Rounding.DOWN: "rounded down", Rounding.UP: "rounded up", Rounding.HALF_UP: "rounded half up"}
# Enough digits that no product of a 20-digit quantity and a rate is ever rounded by the context.
_PRECISION = 60
# Data of the superseded rule sets (policy.md §2 placeholder categories, buffer basis "categories"):
# the one category not eligible for issuance. Rule sets that follow A6.4-STAN-METH-002 rate in percent.
NOT_ELIGIBLE_RATING = "very_high"


@dataclass(frozen=True)
class Split:
    """What an issuance of `gross` units becomes, and the rule set version and rates that made it.

    A rate of None means the deduction did not apply (SOP exemption, no buffer).
    """

    gross: int
    share_of_proceeds: int
    omge: int
    buffer: int
    net: int
    rule_set: str
    sop_rate: Decimal | None
    omge_rate: Decimal | None
    buffer_rate: Decimal | None
    sop_rounding: str
    omge_rounding: str
    buffer_rounding: str
    # pacm issue 6 §5 rule 5: how the authorized units' part of each levy is rounded (levies_by_status).
    levy_authorized_rounding: str = Rounding.UP
    # A6.4-STAN-METH-002 para 39(b): the units carry the registry's negligible-risk-of-reversal tag.
    negligible_risk: bool = False

    def rounding_note(self):
        """policy.md: every default is shown where it matters ("SOP rounded down, OMGE ...")."""
        parts = [f"SOP {_ROUNDING_WORDS.get(self.sop_rounding, self.sop_rounding)}",
                 f"OMGE {_ROUNDING_WORDS.get(self.omge_rounding, self.omge_rounding)}"]
        if self.buffer_rate is not None:
            parts.append(f"buffer {_ROUNDING_WORDS.get(self.buffer_rounding, self.buffer_rounding)}")
        return f"{', '.join(parts)}, per rule set {self.rule_set}"


def _whole(value, what):
    if isinstance(value, bool) or not isinstance(value, int):
        params = {"what": what}
        raise ServiceError(
            _("%(what)s must be a whole number of units.") % params,
            code="whole_number_required", params=params,
        )
    return value


def _decimal(value, what):
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool):
        params = {"what": what}
        raise ServiceError(_("%(what)s must be a number.") % params, code="number_required", params=params)
    else:
        try:
            result = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            params = {"what": what, "value": value}
            raise ServiceError(
                _("%(what)s must be a number, not %(value)s.") % {**params, "value": repr(value)},
                code="number_invalid", params=params,
            ) from None
    if not result.is_finite():
        params = {"what": what}
        raise ServiceError(_("%(what)s must be a finite number.") % params, code="number_not_finite", params=params)
    return result


def _apply(gross, rate, rounding):
    """round(gross x rate) with the rule set's rounding, exactly."""
    if rounding not in _ROUNDING:
        params = {"rounding": rounding}
        raise ServiceError(
            _("The rule set names an unknown rounding %(rounding)s.") % {**params, "rounding": repr(rounding)},
            code="rounding_unknown", params=params,
        )
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return int((Decimal(gross) * rate).to_integral_value(rounding=_ROUNDING[rounding]))


def _percentage_rate(risk_rating, rule_set):
    """A6.4-STAN-METH-002 paras 38, 42, 55: the rate is the activity's percentage rating, within the
    rule set's limits; a low/medium/high category belongs to a superseded rule set (reading risk-buffer-2)."""
    if isinstance(risk_rating, str) and risk_rating.strip() in (*_CATEGORY_NAMES, NOT_ELIGIBLE_RATING):
        params = {"risk_rating": risk_rating.strip(), "rule_set": rule_set.version}
        raise ServiceError(
            _("The reversal risk rating %(risk_rating)s is a category of a superseded rule set: rule set %(rule_set)s "
              "takes the activity's percentage rating (A6.4-STAN-METH-002 paras 38, 55). Submit a revised rating.")
            % params,
            code="risk_rating_category_superseded", params=params,
        )
    percent = _decimal(risk_rating, "The reversal risk rating")
    if not 0 <= percent <= 100:
        params = {"rating": f"{percent:f}"}
        raise ServiceError(
            _("A risk rating is a percentage from 0 to 100, not %(rating)s.") % params,
            code="risk_rating_out_of_range", params=params,
        )
    problem = rule_set.risk_rating_problem(percent)
    if problem:
        code, message, params = problem
        raise ServiceError(message, code=code, params=params)
    return percent / 100


_CATEGORY_NAMES = ("low", "medium", "high")


def issuance_split(*, gross, rule_set, omge_rate=None, sop_exempt=False, risk_rating=None, negligible=False):
    """rules.md §4.5: SOP, OMGE and buffer are all levied on the same gross N (RMP 58-59; policy.md §1).

    `sop_exempt` says the host is an LDC or SIDS that did not opt out (6/CMA.6 para 20); the
    exemption applies only while the rule set keeps it. `omge_rate` is the participants'
    election, at least the rule set's minimum (RMP 59; 7/CMA.4 annex I para 64). `risk_rating`
    is given only for activities that carry reversal risk: a category (low, medium, high) under a
    rule set whose `buffer_basis` is the categories (policy.md §2, rule set 2021-01), the activity's
    percentage rating under one that follows A6.4-STAN-METH-002 (paras 38, 55). `negligible` is
    the DOE-validated "negligible risk" determination: with a rating of 0 the units are tagged
    (para 39(b)).
    """
    gross = _whole(gross, "The quantity issued")
    if gross < 1:
        params = {"gross": gross}
        raise ServiceError(
            _("The quantity issued must be at least 1 unit, not %(gross)s.") % params,
            code="gross_too_small", params=params,
        )

    # RMP 58 / 6/CMA.6 para 20: share of proceeds for adaptation, unless the host is exempt.
    if sop_exempt and rule_set.sop_exempt_ldc_sids:
        sop_rate, sop = None, 0
    else:
        sop_rate = rule_set.sop_rate
        sop = _apply(gross, sop_rate, rule_set.sop_rounding)

    # RMP 59; 7/CMA.4 annex I para 64: at least the minimum; participants may elect more.
    minimum = rule_set.omge_min_rate
    rate = minimum if omge_rate is None or omge_rate == "" else _decimal(omge_rate, "The OMGE rate")
    if rate < minimum:
        params = {"rate": rate, "minimum": minimum.normalize(), "rule_set": rule_set.version}
        raise ServiceError(
            _("The OMGE rate %(rate)s is below the minimum of %(minimum)s (RMP 59, rule set %(rule_set)s).") % {**params, "minimum": f"{minimum.normalize():f}"},
            code="omge_rate_below_minimum", params=params,
        )
    if rate > 1:
        params = {"rate": rate}
        raise ServiceError(
            _("The OMGE rate %(rate)s is above 1 (100%%).") % params,
            code="omge_rate_above_one", params=params,
        )
    omge = _apply(gross, rate, rule_set.omge_rounding)

    # policy.md §1: the buffer is levied on gross N at the rate of the validated risk rating: the
    # percentage (A6.4-STAN-METH-002 paras 38, 55), or under a superseded rule set its category.
    buffer_rate, buffer = None, 0
    if risk_rating not in (None, "") and rule_set.buffer_basis == BufferBasis.PERCENTAGE:
        # A6.4-STAN-METH-002 para 55: a share of the units proportionate to the rating, rounded as
        # the rule set says (up by default: the pool is never under-funded).
        buffer_rate = _percentage_rate(risk_rating, rule_set)
        buffer = _apply(gross, buffer_rate, rule_set.buffer_rounding)
    elif risk_rating not in (None, ""):
        if risk_rating == NOT_ELIGIBLE_RATING:
            raise ServiceError(
                _("A very high reversal risk is not eligible for issuance until the risk is reduced (rule set "
                  "%(version)s, its superseded categories of policy.md §2).") % {"version": rule_set.version},
                code="risk_too_high",
            )
        buffer_rate = rule_set.buffer_rate(risk_rating)
        if buffer_rate is None:
            params = {"risk_rating": risk_rating}
            raise ServiceError(
                _("Unknown risk rating %(risk_rating)s: use low, medium or high.") % {**params, "risk_rating": repr(risk_rating)},
                code="risk_rating_unknown", params=params,
            )
        buffer = _apply(gross, buffer_rate, rule_set.buffer_rounding)

    net = gross - sop - omge - buffer
    if net < 0:
        params = {"sop": sop, "omge": omge, "buffer": buffer, "gross": gross}
        raise ServiceError(
            ngettext("The deductions (SOP %(sop)s, OMGE %(omge)s, buffer %(buffer)s) exceed the %(gross)s unit issued: issue more units or elect a lower OMGE rate.",
                     "The deductions (SOP %(sop)s, OMGE %(omge)s, buffer %(buffer)s) exceed the %(gross)s units issued: issue more units or elect a lower OMGE rate.", gross) % {**params, "sop": f"{sop:,}", "omge": f"{omge:,}", "buffer": f"{buffer:,}", "gross": f"{gross:,}"},
            code="deductions_exceed_gross", params=params,
        )
    return Split(
        gross=gross, share_of_proceeds=sop, omge=omge, buffer=buffer, net=net, rule_set=rule_set.version,
        sop_rate=sop_rate, omge_rate=rate, buffer_rate=buffer_rate, sop_rounding=rule_set.sop_rounding,
        omge_rounding=rule_set.omge_rounding, buffer_rounding=rule_set.buffer_rounding,
        levy_authorized_rounding=rule_set.levy_authorized_rounding,
        # Para 39(b): only a rating of 0 determined negligible by the DOE (reading risk-buffer-6).
        negligible_risk=bool(negligible) and buffer_rate == 0 and rule_set.buffer_basis == BufferBasis.PERCENTAGE,
    )


def _share(whole, part, total, rounding):
    """round(whole x part / total) in whole units, exactly (integers only)."""
    if rounding == Rounding.DOWN:
        return whole * part // total
    if rounding == Rounding.UP:
        return -(-whole * part // total)
    if rounding == Rounding.HALF_UP:
        return (2 * whole * part + total) // (2 * total)
    raise ServiceError(_("The rule set names an unknown rounding %(rounding)s.") % {"rounding": repr(rounding)},
                       code="rule_set_names_unknown")


def levies_by_status(*, levies, authorized, mitigation_contribution, rounding=Rounding.UP):
    """Which units each levy takes from an issuance partly authorized, partly mitigation contribution.

    pacm issue 6 §5 rule 5, the reading taken (docs/rules-coverage.md): RMP 58-59 and 7/CMA.4 annex I
    paras 39-40 levy 5 % and at least 2 % of *the A6.4ERs issued*, and A6.4-PROC-REGS-001 v02.1 para
    43(c)-(f) issues the levied units as AERs where they are authorized and as MCUs where not. So
    every unit of the issuance bears the levy alike: each levy (its total computed on gross N by
    issuance_split) is drawn from the authorized and the mitigation-contribution units in proportion
    to their numbers. The authorized part is rounded with `rounding` (the rule set's; up by default,
    so the host's corresponding adjustment on the levies never covers less than the exact share),
    within what is left of them; the mitigation contribution units give the rest.

    `levies` are taken in order (SOP, then OMGE) from the same units; returns one
    (authorized units, mitigation contribution units) pair per levy.
    """
    authorized = _whole(authorized, "The authorized units")
    mitigation_contribution = _whole(mitigation_contribution, "The mitigation contribution units")
    if authorized < 0 or mitigation_contribution < 0:
        raise ServiceError(_("Unit counts cannot be negative."), code="unit_counts_cannot_negative")
    total = authorized + mitigation_contribution
    levies = [_whole(levy, "A levy") for levy in levies]
    if any(levy < 0 for levy in levies):
        raise ServiceError(_("A levy cannot be negative."), code="levy_cannot_negative")
    if sum(levies) > total:
        raise ServiceError(ngettext("The levies (%(levies)s) exceed the %(total)s unit issued.",
                                    "The levies (%(levies)s) exceed the %(total)s units issued.", total) % {
            "levies": number_format(sum(levies), force_grouping=True), "total": number_format(total, force_grouping=True)},
            code="levies")
    left_authorized, left_mc, parts = authorized, mitigation_contribution, []
    for levy in levies:
        from_authorized = min(_share(levy, authorized, total, rounding), left_authorized, levy) if total else 0
        from_mc = levy - from_authorized
        if from_mc > left_mc:  # only when rounding down leaves too few mitigation units: the rest is authorized
            from_authorized, from_mc = levy - left_mc, left_mc
        left_authorized -= from_authorized
        left_mc -= from_mc
        parts.append((from_authorized, from_mc))
    return parts


def _line_values(line):
    if isinstance(line, dict):
        return line.get("units"), line.get("percent")
    if isinstance(line, (tuple, list)) and not hasattr(line, "units"):
        if len(line) != 2:
            raise ServiceError(_("Each distribution line is (units, percent)."), code="line_malformed")
        return line[0], line[1]
    return getattr(line, "units", None), getattr(line, "percent", None)


def distribution_allocate(*, net, lines):
    """Whole units for each receiving account, in the order given, adding up to `net` exactly.

    Lines give either whole units (which must add up to `net`) or percentages (which must add
    up to 100); each percentage line gets floor(net x p / 100) and the residual whole units go
    to the first-listed line (policy.md §1).
    """
    net = _whole(net, "The net quantity")
    if net < 0:
        raise ServiceError(_("The net quantity cannot be negative."), code="net_negative")
    lines = list(lines)
    if not lines:
        raise ServiceError(_("Give at least one receiving account."), code="lines_required")
    values = [_line_values(line) for line in lines]
    modes = set()
    for position, (units, percent) in enumerate(values, start=1):
        has_units, has_percent = units not in (None, ""), percent not in (None, "")
        if has_units == has_percent:
            params = {"position": position}
            raise ServiceError(
                _("Line %(position)s: give either whole units or a percentage, not both or neither.") % params,
                code="line_units_or_percent", params=params,
            )
        modes.add("units" if has_units else "percent")
    if len(modes) > 1:
        raise ServiceError(_("Use whole units on every line, or percentages on every line."), code="lines_mixed")

    if modes == {"units"}:
        amounts = [_whole(units, f"Line {i}") for i, (units, _) in enumerate(values, start=1)]
        for position, amount in enumerate(amounts, start=1):
            if amount < 1:
                params = {"position": position}
                raise ServiceError(
                    _("Line %(position)s: give at least 1 unit.") % params,
                    code="line_units_invalid", params=params,
                )
        if sum(amounts) != net:
            params = {"amounts": sum(amounts), "net": net}
            raise ServiceError(
                ngettext("The lines add up to %(amounts)s unit; the net to distribute is %(net)s.",
                         "The lines add up to %(amounts)s units; the net to distribute is %(net)s.", sum(amounts)) % {**params, "amounts": f"{sum(amounts):,}", "net": f"{net:,}"},
                code="lines_sum_mismatch", params=params,
            )
        return amounts

    percents = [_decimal(percent, f"Line {i}'s percentage") for i, (_, percent) in enumerate(values, start=1)]
    for position, percent in enumerate(percents, start=1):
        if percent <= 0:
            params = {"position": position}
            raise ServiceError(
                _("Line %(position)s: a percentage must be above 0.") % params,
                code="line_percent_invalid", params=params,
            )
    if sum(percents) != 100:
        params = {"percents": sum(percents)}
        raise ServiceError(
            _("The percentages add up to %(percents)s, not 100.") % params,
            code="percentages_not_100", params=params,
        )
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        amounts = [int((Decimal(net) * p / 100).to_integral_value(rounding=ROUND_FLOOR)) for p in percents]
    # policy.md §1: the residual whole units of a percentage distribution go to the first line.
    amounts[0] += net - sum(amounts)
    return amounts


def buffer_rating_choose(*, needs_buffer, buffer_basis, percent, category):
    """The rating the buffer is computed at (policy.md §2; A6.4-STAN-METH-002 paras 38, 55): None
    without reversal risk; the DOE-validated percentage under a rule set that follows the standard;
    else the superseded category (which `issuance_split` refuses under such a rule set, reading
    risk-buffer-2). One choice for the issuing task and the bench's floor."""
    if not needs_buffer:
        return None
    if buffer_basis == "percentage" and percent is not None:
        return percent
    return category


def buffer_rating_label(rating):
    """How an issuance records the rating it applied (IssuanceRequest.buffer_rating)."""
    if rating is None:
        return ""
    return rating if isinstance(rating, str) else f"{rating:f}"

