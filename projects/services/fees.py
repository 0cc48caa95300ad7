"""Fees assessed at submission from the rule set in force that day (rules.md §9; policy.md §1)."""
from django.utils import timezone
from django.utils.translation import gettext as _

from methodologies.models import RuleSet
from pacm.common import bounds
from pacm.common.errors import Refused

from .. import events
from ..models import Fee


def fee_assess(*, activity, kind, amount, basis, actor, period=None, hosts=None):
    """Record a fee; waived when the host is an LDC or SIDS that day (7/CMA.4 annex I para 58);
    for a multi-country PoA, when any of its `hosts` is (PROC-AC-003 v03.0 App.1 para 4)."""
    now = timezone.now()
    rule_set = RuleSet.objects.in_force(timezone.localdate(now))
    hosts = hosts or [activity.host_party]
    waived = rule_set.fees_waived_ldc_sids and any(h.is_ldc_or_sids(timezone.localdate(now)) for h in hosts)
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
    reference = bounds.text_required(reference, field="reference", message=_("Give the payment reference."))
    from .base import action_run

    fee_id = fee.pk
    subject = fee.monitoring_period if fee.monitoring_period_id else fee.activity
    if getattr(subject, "kind", None) == "poa":  # a PoA's fee: the row as the PoA it is (projects.poa, its own machine)
        from ..poa.models import Programme

        subject = Programme.objects.get(pk=subject.pk)

    def locked(obj):
        return Fee.objects.select_for_update().get(pk=fee_id)

    def apply(obj, actor, current):
        previous_status = current.status
        current.status = Fee.Status.PAID
        current.paid_at = timezone.now()
        current.payment_reference = reference[:100]
        current.save()
        events.fee_paid(fee=current, actor=actor, previous_status=previous_status)
        return current

    try:
        return action_run(subject=subject, name="record_fee_payment", user=user, apply=apply, item=locked)
    except Refused as error:
        current = Fee.objects.filter(pk=fee_id).first()
        if error.code == "not_permitted" and current is not None and current.status != Fee.Status.DUE:
            params = {"status": current.status}
            raise Refused(
                _("This fee is already %(status)s.") % {"status": current.get_status_display().lower()},
                code="fee_settled", params=params,
            ) from None
        raise
