"""Reversals of removals (policy.md §2; rules.md §4.3).

Unavoidable: the secretariat cancels as many units from the buffer pool; a shortfall stays
owed by the activity and blocks issuance. Avoidable: the participants cancel as many of their
own units; until they do, the activity cannot be issued again.
"""
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from pacm.common import bounds
from pacm.common.errors import ServiceError
from pacm.common.retry import conflict_retry

from .. import events
from ..models import Document, IssuanceRequest, Reversal
from .base import action_run
from .design import document_store


def reversal_report(*, activity, user, quantity, kind, description, evidence=None):
    """Participants or the verification DOE report a reversal (notified within 30 days [S])."""
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        raise ServiceError(
            _("The reversed quantity is a whole number of tonnes."),
            field="quantity", code="reversal_quantity_invalid",
        ) from None
    if quantity < 1:
        raise ServiceError(
            _("The reversed quantity must be at least 1."),
            field="quantity", code="reversal_quantity_invalid",
        )
    if kind not in Reversal.Kind.values:
        raise ServiceError(
            _("Say whether the reversal was avoidable or unavoidable."),
            field="kind", code="reversal_kind_required",
        )
    description = bounds.text_required(description, field="description", message=_("Describe the reversal."))

    def apply(obj, actor):
        reversible_check(activity=obj, quantity=quantity)
        version = None
        if evidence is not None:
            version = document_store(activity=obj, actor=actor, kind=Document.Kind.REVERSAL_EVIDENCE, uploaded=evidence)
        reversal = Reversal.objects.create(
            activity=obj, quantity=quantity, kind=kind, description=description, evidence=version,
            reported_by=actor.organisation,
        )
        events.reversal_reported(reversal=reversal, actor=actor)
        return reversal

    reversal = action_run(subject=activity, name="report_reversal", user=user, apply=apply)
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
            raise ServiceError(_("No units have been issued for this activity yet: there is nothing to reverse."),
                               field="quantity", code="reversal_nothing_issued")
        params = {"room": f"{room:,}", "issued": f"{issued:,}", "reported": f"{reported:,}"}
        raise ServiceError(
            _("At most %(room)s t CO2e can be reported as reversed: %(issued)s units were issued for this activity "
              "and %(reported)s t CO2e of reversals are already reported.") % params,
            field="quantity", code="reversal_above_issued", params={"room": room, "issued": issued, "reported": reported},
        )


def _settle_if_done(reversal):
    if reversal.outstanding == 0:
        reversal.status = Reversal.Status.SETTLED
        reversal.settled_at = timezone.now()


@conflict_retry
def reversal_cancel_from_buffer(*, reversal, user):
    """Unavoidable reversal: the secretariat cancels the units from the buffer pool."""
    from pacm.registry.services import buffer_cancel

    reversal_id = reversal.pk

    def apply(obj, actor, current):
        cancelled = buffer_cancel(
            quantity=current.outstanding, actor_label=actor.name,
            reason=f"Unavoidable reversal {current.pk} of {obj.reference}",
        )
        current.cancelled += cancelled
        current.buffer_drawn = True
        _settle_if_done(current)
        current.save()
        events.reversal_settled(reversal=current, actor=actor, from_buffer=cancelled)
        return current

    reversal = action_run(subject=reversal.activity, name="cancel_from_buffer", user=user, apply=apply,
                          item=lambda obj: Reversal.objects.select_for_update().get(pk=reversal_id))
    return reversal


@conflict_retry
def reversal_compensate(*, reversal, user, from_account, quantity):
    """Avoidable reversal (or a buffer shortfall): participants cancel units of their own."""
    from pacm.registry.services import units_compensate

    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        raise ServiceError(_("Give a whole number of units."), field="quantity", code="quantity_invalid") from None
    reversal_id = reversal.pk

    def apply(obj, actor, current):
        if not 1 <= quantity <= current.outstanding:
            params = {"outstanding": current.outstanding}
            raise ServiceError(
                _("Compensate between 1 and the %(outstanding)s units outstanding.") % {**params, "outstanding": f"{current.outstanding:,}"},
                field="quantity", code="compensation_out_of_range", params=params,
            )
        units_compensate(user=user, from_account=from_account, quantity=quantity, activity=obj)
        current.cancelled += quantity
        _settle_if_done(current)
        current.save()
        events.reversal_settled(reversal=current, actor=actor, compensated=quantity)
        return current

    reversal = action_run(subject=reversal.activity, name="compensate_reversal", user=user, apply=apply,
                          item=lambda obj: Reversal.objects.select_for_update().get(pk=reversal_id))
    return reversal
