"""Suspending the units of an activity (A6.4-STAN-METH-002 v01.0 paras 25, 44, 46).

The registry administrator suspends, on the Supervisory Body's instruction, the issuance,
transfer and cancellation (and so every use) of every unit that came from an activity, wherever it
is held; only the SB's instruction lifts it. The one shared path of outgoing moves
(`outgoing.units_move_out`) and issuance (`issuance.issuance_execute`) ask `suspension_check`;
other units move freely. The cycle (projects/) decides when to suspend and lift; this module only
keeps the record and refuses.
"""
from django.utils import timezone
from django.utils.translation import gettext as _

from pacm.common.errors import ServiceError

from ..models import Suspension, SuspensionReason


def suspensions_open():
    return Suspension.objects.filter(lifted_at__isnull=True)


def suspension_of(activity):
    """The open suspension of `activity` (the oldest), or None."""
    activity_id = getattr(activity, "pk", activity)
    return suspensions_open().filter(activity_id=activity_id).order_by("started_at", "pk").first()


def suspended_activity_ids():
    """Ids of the activities whose units are suspended now (one small query)."""
    return set(suspensions_open().values_list("activity_id", flat=True))


def suspension_error(suspension):
    """The coded refusal naming the activity and the reason (para 44 or 25)."""
    params = {"activity": suspension.activity.reference, "reason": str(SuspensionReason(suspension.reason).label),
              "since": suspension.started_at.date().isoformat(), "suspension": suspension.pk}
    shown = {**params}
    return ServiceError(
        _("The units of %(activity)s are suspended since %(since)s (%(reason)s): they cannot be issued, "
          "transferred, used or cancelled until the Supervisory Body lifts the suspension.") % shown,
        code="units_suspended", params=params,
    )


def suspension_check(activity):
    """Refuse with `units_suspended` when the units of `activity` are suspended."""
    suspension = suspension_of(activity)
    if suspension is not None:
        raise suspension_error(suspension)


def suspension_start(*, activity, reason, detail, actor_label):
    """Open a suspension of `activity`'s units (the caller holds the activity's lock). Each cause
    (an observed event, a missed due date) has its own, lifted on its own: the units stay
    suspended while any is open."""
    if reason not in SuspensionReason.values:
        raise ServiceError(_("Unknown reason for a suspension."), code="suspension_reason_unknown")
    return Suspension.objects.create(
        activity=activity, reason=reason, detail=(detail or "")[:200], started_at=timezone.now(),
        started_by=actor_label[:150],
    )


def suspension_lift(*, suspension, actor_label):
    """Lift `suspension` (on the SB's instruction); returns it, or None if it was lifted already."""
    suspension = Suspension.objects.select_for_update().get(pk=suspension.pk)
    if suspension.lifted_at is not None:
        return None
    suspension.lifted_at = timezone.now()
    suspension.lifted_by = actor_label[:150]
    suspension.save(update_fields=["lifted_at", "lifted_by"])
    return suspension
