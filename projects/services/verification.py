"""Monitoring and verification: participants report a period, the verification DOE certifies it."""
import datetime

from django.utils.translation import gettext as _

from pacm.common import bounds, clock
from pacm.common.errors import ServiceError

from .. import events
from ..cycle import PeriodState
from ..machines import PERIOD
from ..models import Document, MonitoringPeriod, VintageClaim
from .base import action_run, transition_fire
from .design import document_store, upload_check

from ..removals.services import (  # isort: skip  (A6.4-STAN-METH-002 para 30; pacm issue 10)
    is_post_crediting,
    is_removals,
    removals_after_certify,
    removals_report_check,
    removals_rows_write,
)

# Periods whose dates stay taken: everything but a withdrawn report (rules.md §2.3 S13->S14).
_FREES_DATES = (PeriodState.WITHDRAWN,)


def _claims_check(*, start, end, claims, signed=False):
    """Claims per vintage year (6/CMA.4 dec. para 5): whole tonnes, years inside the period.

    `signed`: a removals report's net removals, which may be negative or nil (A6.4-STAN-METH-002
    v01.0 para 30(d); projects.removals)."""
    if not claims:
        raise ServiceError(
            _("Claim the reductions or removals for at least one vintage year."),
            field="claims", code="claims_required",
        )
    cleaned = {}
    for vintage, quantity in claims.items():
        try:
            vintage, quantity = int(vintage), int(quantity)
        except (TypeError, ValueError):
            raise ServiceError(_("Vintages and quantities are whole numbers."), field="claims", code="claims_invalid") from None
        if not start.year <= vintage <= end.year:
            params = {"vintage": vintage}
            raise ServiceError(
                _("Vintage %(vintage)s is outside the monitoring period.") % params,
                field="claims", code="vintage_outside_period", params=params,
            )
        if quantity < 0 and not signed:
            raise ServiceError(_("A claimed quantity cannot be negative."), field="claims", code="claim_negative")
        cleaned[vintage] = quantity
    if sum(cleaned.values()) < 1 and not signed:
        raise ServiceError(_("The period claims nothing."), field="claims", code="claims_empty")
    # What the columns, the issuance split and the fee on the units requested can hold.
    if sum(abs(q) for q in cleaned.values()) > bounds.UNITS_MAX:
        params = {"limit": bounds.limit(bounds.UNITS_MAX)}
        raise ServiceError(
            _("A period claims at most %(limit)s t CO2e in all vintages together.") % params,
            field="claims", code="claims_too_large", params=params,
        )
    return cleaned


def _period_dates_check(activity, start, end):
    """Over, inside the crediting period, and no gap or overlap with earlier periods [INFERENCE, CDM]."""
    bounds.date_check(start, field="start")
    bounds.date_check(end, field="end")
    if end < start:
        raise ServiceError(
            _("The monitoring period ends before it starts."),
            field="end", code="period_ends_before_start",
        )
    # RMP 50-51 (3/CMA.3 annex): the participants monitor, and the DOE verifies, the reductions
    # *achieved* in the period; A6.4-PROC-AC-002 v03.0 para 174 certifies what was achieved "during
    # the monitoring period". A period that has not ended by the day of submission has not
    # achieved its reductions yet: its last day must be before the submission day.
    # pacm.common.clock: the demo clock's date in a demo database (docs/rules-coverage.md demo-1).
    today = clock.today()
    if end >= today:
        params = {"today": str(today)}
        raise ServiceError(
            _("The monitoring period has not ended yet: a report covers reductions already achieved, so its "
              "last day must be before today (%(today)s) (RMP 50-51).") % params,
            field="end", code="period_not_ended", params=params,
        )
    if start < activity.crediting_start:
        params = {"crediting_start": activity.crediting_start, "crediting_end": activity.crediting_end}
        raise ServiceError(
            _("The monitoring period must lie inside the crediting period (%(crediting_start)s to %(crediting_end)s).") % params,
            field="start", code="period_outside_crediting", params=params,
        )
    # A6.4-STAN-METH-002 v01.0 para 26: a removals activity is monitored after its crediting period.
    if not is_post_crediting(activity, start):
        _crediting_in_force_check(activity, start, end)
    previous = activity.monitoring_periods.exclude(state__in=_FREES_DATES).order_by("-end").first()
    expected = previous.end + datetime.timedelta(days=1) if previous else activity.crediting_start
    if previous and start <= previous.end:
        params = {"previous": previous.number, "end": previous.end}
        raise ServiceError(
            _("The period overlaps monitoring period %(previous)s (ends %(end)s).") % params,
            field="start", code="period_overlaps", params=params,
        )
    if start != expected:
        params = {"expected": expected}
        raise ServiceError(
            _("Monitoring periods leave no gap: this one must start on %(expected)s.") % params,
            field="start", code="period_gap", params=params,
        )


def _crediting_in_force_check(activity, start, end):
    """PROC-AC-002 v03.0 paras 233, 242: a period inside one crediting period in force; no dates after
    a period that ended without renewal (projects.renewals.periods)."""
    from ..renewals.periods import period_problem

    problem = period_problem(activity, start, end)
    if problem is None:
        return
    code, params = problem
    if code == "period_after_crediting":
        message = _("The crediting period in force ends on %(crediting_end)s: a monitoring period may not run past it. "
                    "Dates after it are credited only once the crediting period is renewed (the request for renewal "
                    "may be submitted until %(renewal_closes)s; A6.4-PROC-AC-002 paras 233, 242).")
    else:
        message = _("A monitoring period lies inside one crediting period: this one ends on %(crediting_end)s, the "
                    "renewed one starts on %(next_start)s (A6.4-PROC-AC-002 para 233).")
    raise ServiceError(message % params, field="end", code=code, params={k: str(v) for k, v in params.items()})


def period_submit(*, activity, user, start, end, claims, report, comment="", storage=None):
    """Participants submit a monitoring report for a period with claims per vintage (RMP 50).

    A removals activity's claims are its net removals per vintage, which may be negative, with the
    net change in GHG storage of each (`storage`; A6.4-STAN-METH-002 v01.0 para 30)."""
    claims = _claims_check(start=start, end=end, claims=claims, signed=is_removals(activity))
    removals = removals_report_check(activity=activity, start=start, end=end, claims=claims, storage=storage)
    upload_check(report)
    def apply(obj, actor):
        _period_dates_check(obj, start, end)
        number = (obj.monitoring_periods.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        period = MonitoringPeriod.objects.create(activity=obj, number=number, start=start, end=end)
        # Para 30: a removals report claims what its statement allows; the statement is kept beside it.
        claimed = claims if removals is None else {v: row[0] for v, row in removals.items()}
        VintageClaim.objects.bulk_create(
            [VintageClaim(period=period, vintage=v, claimed=q) for v, q in sorted(claimed.items())]
        )
        if removals is not None:
            removals_rows_write(period=period, rows=removals)
        document_store(activity=obj, actor=actor, kind=Document.Kind.MONITORING_REPORT, uploaded=report, period=period)
        events.monitoring_submitted(period=period, actor=actor, claims=claims, comment=comment,
                                    storage=None if removals is None else {v: r[2] for v, r in removals.items()})
        # A6.4-STAN-METH-002 v01.0 paras 21-22: the report meets its due date; the next one is set.
        from ..reversals.services import report_due_met

        report_due_met(activity=obj, actor=actor, period=period)
        return period

    period = action_run(subject=activity, name="submit_monitoring_report", user=user, apply=apply)
    return period


def _fire(period, name, user, comment="", **kw):
    return transition_fire(model=MonitoringPeriod, pk=period.pk, name=name, user=user, comment=comment, **kw)


@PERIOD.serves("start_verification")
def period_start_verification(*, period, user, comment="", expected_state=None):
    return _fire(period, "start_verification", user, comment, expected_state=expected_state)


@PERIOD.serves("certify")
def period_certify(*, period, user, verified, comment="", expected_state=None, verified_by_cp=None):
    """The DOE's verification and certification opinion: verified quantity per vintage (RMP 51); for a
    PoA batch, per CP per vintage (`verified_by_cp`, PROC-AC-003 v03.0 para 220), summed per vintage."""
    if verified_by_cp:
        from ..poa.issuance import verified_sums

        verified = verified_sums(verified_by_cp)

    def prepare(obj, actor):
        from ..poa.issuance import cp_verified_apply

        claims = {c.vintage: c for c in obj.claims.all()}
        cp_verified_apply(obj, verified_by_cp)
        try:
            given = {int(v): int(q) for v, q in verified.items()}
        except (TypeError, ValueError):
            raise ServiceError(_("Verified quantities are whole numbers."), field="verified", code="verified_invalid") from None
        if set(given) != set(claims):
            raise ServiceError(
                _("Give the verified quantity for every vintage claimed, and only those."),
                field="verified", code="verified_vintages_mismatch",
            )
        for vintage, quantity in given.items():
            if quantity < 0:
                raise ServiceError(
                    _("A verified quantity cannot be negative."),
                    field="verified", code="verified_negative",
                )
            if quantity > claims[vintage].claimed:
                params = {"vintage": vintage, "quantity": quantity, "claimed": claims[vintage].claimed}
                raise ServiceError(
                    _("Vintage %(vintage)s: %(quantity)s verified exceeds the %(claimed)s claimed.") % {**params, "quantity": f"{quantity:,}", "claimed": f"{claims[vintage].claimed:,}"},
                    field="verified", code="verified_exceeds_claimed", params=params,
                )
            claims[vintage].verified = quantity
        VintageClaim.objects.bulk_update(list(claims.values()), ["verified"])
        obj._prefetched_objects_cache = {}

    return _fire(
        period, "certify", user, comment, prepare=prepare,
        payload={"verified": {str(v): int(q) for v, q in verified.items()},
                 **({"verified_by_cp": {str(r): {str(v): int(q) for v, q in per.items()}
                                        for r, per in verified_by_cp.items()}} if verified_by_cp else {})},
        expected_state=expected_state,
        # A6.4-STAN-METH-002 v01.0 para 30(d)-(e): the deficit and a loss of storage (projects.removals).
        after=lambda obj, actor: removals_after_certify(period=obj, actor=actor),
    )


@PERIOD.serves("withdraw")
def period_withdraw(*, period, user, comment, expected_state=None):
    return _fire(period, "withdraw", user, comment, expected_state=expected_state)
