"""Fees assessed at submission from the rule set in force that day (rules.md §9; policy.md §1)."""
from django.db import transaction
from django.utils import timezone

from methodologies.models import RuleSet
from pacm.common import bounds
from pacm.common.errors import Refused
from pacm.parties.roles import Role, actor_for_role

from .. import events
from ..models import Activity, Fee
from .base import lock


def fee_assess(*, activity, kind, amount, basis, actor, period=None):
    """Record a fee; waived when the host is an LDC or SIDS that day (7/CMA.4 annex I para 58)."""
    now = timezone.now()
    rule_set = RuleSet.objects.in_force(timezone.localdate(now))
    waived = rule_set.fees_waived_ldc_sids and activity.host_party.is_ldc_or_sids(timezone.localdate(now))
    fee = Fee.objects.create(
        activity=activity,
        monitoring_period=period,
        kind=kind,
        amount_usd=amount(rule_set),
        basis=basis(rule_set) + (" (waived: LDC/SIDS host)" if waived else ""),
        rule_set=rule_set,
        status=Fee.Status.WAIVED if waived else Fee.Status.DUE,
        assessed_at=now,
    )
    events.fee_assessed(fee=fee, actor=actor)
    return fee


def registration_fee_assess(*, activity, actor):
    """7/CMA.4 annex I para 51: the tier follows the estimated annual average (RMP 48)."""
    if activity.fees.filter(kind=Fee.Kind.REGISTRATION).exists():
        return None  # a resubmission does not charge again
    tonnes = activity.estimated_annual
    return fee_assess(
        activity=activity,
        kind=Fee.Kind.REGISTRATION,
        amount=lambda rs: rs.registration_fee(tonnes),
        basis=lambda rs: f"registration tier for {tonnes:,} t/yr under rule set {rs.version}",
        actor=actor,
    )


def fee_record_payment(*, fee, user, reference):
    """The secretariat records that a fee was paid; processing may then start (para 56)."""
    reference = bounds.text_required(reference, field="reference", message="Give the payment reference.")
    actor = actor_for_role(user, Role.SECRETARIAT)
    if actor is None:
        raise Refused("Only the secretariat records fee payments.")
    with transaction.atomic():
        lock(Activity, fee.activity_id)
        fee = Fee.objects.select_for_update().get(pk=fee.pk)
        if fee.status != Fee.Status.DUE:
            raise Refused(f"This fee is already {fee.get_status_display().lower()}.")
        fee.status = Fee.Status.PAID
        fee.paid_at = timezone.now()
        fee.payment_reference = reference[:100]
        fee.save()
        events.fee_paid(fee=fee, actor=actor)
    return fee
