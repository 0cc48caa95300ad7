"""Monitoring and verification: participants report a period, the verification DOE certifies it."""
import datetime

from django.db import transaction

from pacm.common import bounds
from pacm.common.errors import Refused, ServiceError
from pacm.events.models import EventKind
from pacm.events.services import event_record
from pacm.parties.roles import Role

from ..cycle import ActivityState, PeriodState
from ..models import Activity, Document, MonitoringPeriod, VintageClaim
from .base import actor_require, lock, transition_fire
from .design import document_upload, upload_check

# Periods whose dates stay taken: everything but a withdrawn report (rules.md §2.3 S13->S14).
_FREES_DATES = (PeriodState.WITHDRAWN,)


def _claims_check(*, start, end, claims):
    """Claims per vintage year (6/CMA.4 dec. para 5): whole tonnes, years inside the period."""
    if not claims:
        raise ServiceError("Claim the reductions or removals for at least one vintage year.", field="claims")
    cleaned = {}
    for vintage, quantity in claims.items():
        try:
            vintage, quantity = int(vintage), int(quantity)
        except (TypeError, ValueError):
            raise ServiceError("Vintages and quantities are whole numbers.", field="claims") from None
        if not start.year <= vintage <= end.year:
            raise ServiceError(f"Vintage {vintage} is outside the monitoring period.", field="claims")
        if quantity < 0:
            raise ServiceError("A claimed quantity cannot be negative.", field="claims")
        cleaned[vintage] = quantity
    if sum(cleaned.values()) < 1:
        raise ServiceError("The period claims nothing.", field="claims")
    # What the columns, the issuance split and the fee on the units requested can hold.
    if sum(cleaned.values()) > bounds.UNITS_MAX:
        raise ServiceError(
            f"A period claims at most {bounds.limit(bounds.UNITS_MAX)} t CO2e in all vintages together.", field="claims"
        )
    return cleaned


def _period_dates_check(activity, start, end):
    """Inside the crediting period, and no gap or overlap with earlier periods [INFERENCE, CDM]."""
    bounds.date_check(start, field="start")
    bounds.date_check(end, field="end")
    if end < start:
        raise ServiceError("The monitoring period ends before it starts.", field="end")
    if start < activity.crediting_start or end > activity.crediting_end:
        raise ServiceError(
            f"The monitoring period must lie inside the crediting period "
            f"({activity.crediting_start} to {activity.crediting_end}).", field="start",
        )
    previous = activity.monitoring_periods.exclude(state__in=_FREES_DATES).order_by("-end").first()
    expected = previous.end + datetime.timedelta(days=1) if previous else activity.crediting_start
    if previous and start <= previous.end:
        raise ServiceError(f"The period overlaps monitoring period {previous.number} (ends {previous.end}).", field="start")
    if start != expected:
        raise ServiceError(f"Monitoring periods leave no gap: this one must start on {expected}.", field="start")


def period_submit(*, activity, user, start, end, claims, report, comment=""):
    """Participants submit a monitoring report for a period with claims per vintage (RMP 50)."""
    claims = _claims_check(start=start, end=end, claims=claims)
    upload_check(report)
    with transaction.atomic():
        activity = lock(Activity, activity.pk)
        actor = actor_require(user=user, activity=activity, roles={Role.PARTICIPANT}, what="submit a monitoring report")
        if activity.state != ActivityState.REGISTERED:
            raise Refused("Only a registered activity is monitored.")
        _period_dates_check(activity, start, end)
        number = (activity.monitoring_periods.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        period = MonitoringPeriod.objects.create(activity=activity, number=number, start=start, end=end)
        VintageClaim.objects.bulk_create(
            [VintageClaim(period=period, vintage=v, claimed=q) for v, q in sorted(claims.items())]
        )
        document_upload(activity=activity, user=user, kind=Document.Kind.MONITORING_REPORT, uploaded=report, period=period)
        event_record(
            stream=activity.stream, kind=EventKind.MONITORING_SUBMITTED, actor=actor, activity=activity,
            to_state=period.state, comment=comment,
            payload={"monitoring_period": number, "start": start, "end": end,
                     "claims": {str(v): q for v, q in sorted(claims.items())}},
        )
    return period


def _fire(period, name, user, comment="", **kw):
    return transition_fire(model=MonitoringPeriod, pk=period.pk, name=name, user=user, comment=comment, **kw)


def period_start_verification(*, period, user, comment=""):
    return _fire(period, "start_verification", user, comment)


def period_certify(*, period, user, verified, comment=""):
    """The DOE's verification and certification opinion: verified quantity per vintage (RMP 51)."""

    def prepare(obj, actor):
        claims = {c.vintage: c for c in obj.claims.all()}
        try:
            given = {int(v): int(q) for v, q in verified.items()}
        except (TypeError, ValueError):
            raise ServiceError("Verified quantities are whole numbers.", field="verified") from None
        if set(given) != set(claims):
            raise ServiceError("Give the verified quantity for every vintage claimed, and only those.", field="verified")
        for vintage, quantity in given.items():
            if quantity < 0:
                raise ServiceError("A verified quantity cannot be negative.", field="verified")
            if quantity > claims[vintage].claimed:
                raise ServiceError(
                    f"Vintage {vintage}: {quantity:,} verified exceeds the {claims[vintage].claimed:,} claimed.",
                    field="verified",
                )
            claims[vintage].verified = quantity
        VintageClaim.objects.bulk_update(list(claims.values()), ["verified"])
        obj._prefetched_objects_cache = {}

    return _fire(
        period, "certify", user, comment, prepare=prepare,
        payload={"verified": {str(v): int(q) for v, q in verified.items()}},
    )


def period_withdraw(*, period, user, comment):
    return _fire(period, "withdraw", user, comment)
