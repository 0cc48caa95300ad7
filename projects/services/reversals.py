"""Reversals of removals (policy.md §2; rules.md §4.3).

Unavoidable: the secretariat cancels as many units from the buffer pool; a shortfall stays
owed by the activity and blocks issuance. Avoidable: the participants cancel as many of their
own units; until they do, the activity cannot be issued again.
"""
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from pacm.common import bounds
from pacm.common.errors import Refused, ServiceError
from pacm.events.models import EventKind
from pacm.events.services import event_record
from pacm.parties.roles import Role, actor_for_role

from ..cycle import ActivityState
from ..models import Activity, Document, IssuanceRequest, Reversal
from .base import actor_require, lock
from .design import document_upload


def reversal_report(*, activity, user, quantity, kind, description, evidence=None):
    """Participants or the verification DOE report a reversal (notified within 30 days [S])."""
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        raise ServiceError("The reversed quantity is a whole number of tonnes.", field="quantity") from None
    if quantity < 1:
        raise ServiceError("The reversed quantity must be at least 1.", field="quantity")
    if kind not in Reversal.Kind.values:
        raise ServiceError("Say whether the reversal was avoidable or unavoidable.", field="kind")
    description = bounds.text_required(description, field="description", message="Describe the reversal.")
    with transaction.atomic():
        activity = lock(Activity, activity.pk)
        actor = actor_require(user=user, activity=activity, roles={Role.PARTICIPANT, Role.DOE}, what="report a reversal")
        if activity.state != ActivityState.REGISTERED:
            raise Refused("Reversals are reported for registered activities.")
        if not activity.methodology_version.methodology.needs_buffer:
            raise ServiceError("This activity's methodology carries no reversal risk.")
        reversible_check(activity=activity, quantity=quantity)
        version = None
        if evidence is not None:
            version = document_upload(activity=activity, user=user, kind=Document.Kind.REVERSAL_EVIDENCE, uploaded=evidence)
        reversal = Reversal.objects.create(
            activity=activity, quantity=quantity, kind=kind, description=description, evidence=version,
            reported_by=actor.organisation,
        )
        _event(EventKind.REVERSAL_REPORTED, reversal, actor)
    return reversal


def reversible_check(*, activity, quantity):
    """Reading 17 (docs/rules-coverage.md): what is reversed are removals that were credited, so the
    reversals reported for an activity add up to at most the units ever issued for it (gross)."""
    issued = IssuanceRequest.objects.filter(period__activity=activity, issued_at__isnull=False).aggregate(
        n=Sum("gross"))["n"] or 0
    reported = activity.reversals.aggregate(n=Sum("quantity"))["n"] or 0
    room = max(issued - reported, 0)
    if quantity > room:
        if not issued:
            raise ServiceError("No units have been issued for this activity yet: there is nothing to reverse.",
                               field="quantity")
        raise ServiceError(
            f"At most {room:,} t CO2e can be reported as reversed: {issued:,} units were issued for this activity "
            f"and {reported:,} t CO2e of reversals are already reported.", field="quantity",
        )


def _event(kind, reversal, actor, **extra):
    return event_record(
        stream=reversal.activity.stream, kind=kind, actor=actor, activity=reversal.activity,
        comment=reversal.description if kind == EventKind.REVERSAL_REPORTED else "",
        payload={"reversal": reversal.pk, "kind": reversal.kind, "quantity": reversal.quantity,
                 "cancelled": reversal.cancelled, "outstanding": reversal.outstanding, "status": reversal.status,
                 **extra},
    )


def _settle_if_done(reversal):
    if reversal.outstanding == 0:
        reversal.status = Reversal.Status.SETTLED
        reversal.settled_at = timezone.now()


def reversal_cancel_from_buffer(*, reversal, user):
    """Unavoidable reversal: the secretariat cancels the units from the buffer pool."""
    from pacm.registry.services import buffer_cancel

    actor = actor_for_role(user, Role.SECRETARIAT)
    if actor is None:
        raise Refused("Only the secretariat draws on the buffer pool.")
    with transaction.atomic():
        lock(Activity, reversal.activity_id)
        reversal = Reversal.objects.select_for_update().get(pk=reversal.pk)
        if reversal.kind != Reversal.Kind.UNAVOIDABLE:
            raise Refused("Only an unavoidable reversal is covered by the buffer pool.")
        if reversal.status == Reversal.Status.SETTLED or reversal.buffer_drawn:
            raise Refused("The buffer has already been drawn for this reversal.")
        cancelled = buffer_cancel(
            quantity=reversal.outstanding, actor_label=actor.name,
            reason=f"Unavoidable reversal {reversal.pk} of {reversal.activity.reference}",
        )
        reversal.cancelled += cancelled
        reversal.buffer_drawn = True
        _settle_if_done(reversal)
        reversal.save()
        _event(EventKind.REVERSAL_SETTLED, reversal, actor, from_buffer=cancelled)
    return reversal


def reversal_compensate(*, reversal, user, from_account, quantity):
    """Avoidable reversal (or a buffer shortfall): participants cancel units of their own."""
    from pacm.registry.services import units_compensate

    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        raise ServiceError("Give a whole number of units.", field="quantity") from None
    with transaction.atomic():
        activity = lock(Activity, reversal.activity_id)
        actor = actor_require(user=user, activity=activity, roles={Role.PARTICIPANT}, what="compensate this reversal")
        reversal = Reversal.objects.select_for_update().get(pk=reversal.pk)
        if reversal.status == Reversal.Status.SETTLED:
            raise Refused("This reversal is already settled.")
        if reversal.kind == Reversal.Kind.UNAVOIDABLE and not reversal.buffer_drawn:
            raise Refused("The buffer pool covers this reversal first.")
        if not 1 <= quantity <= reversal.outstanding:
            raise ServiceError(f"Compensate between 1 and the {reversal.outstanding:,} units outstanding.", field="quantity")
        units_compensate(user=user, from_account=from_account, quantity=quantity, activity=activity)
        reversal.cancelled += quantity
        _settle_if_done(reversal)
        reversal.save()
        _event(EventKind.REVERSAL_SETTLED, reversal, actor, compensated=quantity)
    return reversal
