"""The DOE's liability for an erroneously included CP (A6.4-PROC-AC-003 v03.0 para 139), as a machine.

When the SB excludes a CP as erroneously included and determines that the validating DOE failed to
assess it (`cp_exclude_erroneous(doe_at_fault=True)`), the DOE owes the A6.4ERs issued for the CP,
to be cancelled within `RuleSet.cp_liability_days` of the exclusion. The record (`InclusionLiability`)
is owed until the DOE settles it by cancelling that many units from its own holding account; past
the due date the timer marks it overdue, which tells the DOE (it is the one awaited) and the PoA's
coordinating/managing entity. Its owner, locked first, is the PoA: its events are on the PoA's stream.
"""
import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from methodologies.models import RuleSet
from pacm.common.errors import ServiceError
from pacm.engine.machines import Machine
from pacm.engine.run import write_run
from pacm.parties.models import Organisation
from pacm.parties.roles import Role, Tie

from ..machines import _timer_days
from . import cycle, events, guards
from .issuance import units_issued_for
from .models import InclusionLiability

K = Organisation.Kind

LIABILITY = Machine(
    name="liability",
    model=InclusionLiability,
    states=cycle.LiabilityState,
    initial=cycle.LiabilityState.OPEN,
    transitions=cycle.LIABILITY_TRANSITIONS,
    terminal=cycle.LIABILITY_TERMINAL,
    timed=cycle.LIABILITY_TIMED,
    owner="poa",
    ties=(
        Tie(Role.DOE, K.DOE, "doe"),
        Tie(Role.PARTICIPANT, K.PARTICIPANT, "poa__participants"),
        Tie(Role.SECRETARIAT, K.SECRETARIAT),
        Tie(Role.SB, K.SB),
    ),
    guards=guards,
    event_kind=events.LIABILITY_TRANSITIONED,
    subject_kwarg="liability",
    documents=lambda liability: [],
    describe=lambda li: _("the liability for %(reference)s") % {"reference": li.component.reference},
    url=lambda li: reverse("cp-detail", kwargs={"reference": li.component.reference}) + "#liability",
    event_context=lambda li: {"component": li.component.reference, "units": li.units, "due_on": str(li.due_on)},
    event_activity=lambda li: li.poa,
    timer_days=_timer_days,
    audience=frozenset({Role.PARTICIPANT}),
)


def liability_open(*, cp, actor):
    """Inside the SB's exclusion (para 139): the record of what the validating DOE owes, or None when
    nothing was issued for the CP or no DOE validated it. Returns the payload the exclusion's event carries."""
    units = units_issued_for(cp)
    if units == 0 or cp.doe_id is None:
        return {"doe_at_fault": True, "liability_units": units}
    rule_set = RuleSet.objects.in_force(timezone.localdate())
    now = timezone.now()
    due_at = now + datetime.timedelta(days=rule_set.cp_liability_days)
    liability = InclusionLiability.objects.create(
        poa_id=cp.poa_id, component=cp, doe_id=cp.doe_id, units=units, due_on=timezone.localdate(due_at),
        rule_set=rule_set, state_entered_at=now, due_at=due_at,
    )
    return {"doe_at_fault": True, "liability_units": units, "liability_due_on": str(liability.due_on),
            "liability_doe": cp.doe.name}


@LIABILITY.serves("settle")
def liability_settle(*, liability, user, from_account, comment="", expected_state=None):
    """Para 139: the DOE cancels the units owed from one of its own holding accounts, in the same
    transaction as the record's settlement (the liability, then the account: the lock order)."""
    from pacm.registry.models import Account
    from pacm.registry.services import units_cancel_voluntarily

    def after(obj, actor):
        account = from_account if isinstance(from_account, Account) else \
            Account.objects.filter(number=str(from_account or "").strip()).first()
        if account is None or account.organisation_id != obj.doe_id:
            raise ServiceError(_("Cancel from a holding account of the DOE that owes the units."),
                               field="from_account", code="liability_account_not_doe")
        row = units_cancel_voluntarily(
            user=user, from_account=account, quantity=obj.units,
            purpose=f"Erroneous inclusion of {obj.component.reference} (A6.4-PROC-AC-003 v03.0 para 139)")
        obj.settlement, obj.settled_at = row, timezone.now()
        obj.save(update_fields=["settlement", "settled_at"])
        return {"account": account.number, "transaction": row.pk}

    return write_run(machine=LIABILITY, pk=liability.pk, name="settle", user=user, comment=comment,
                     expected_state=expected_state, after=after)


@LIABILITY.serves("mark_overdue")
def liability_mark_overdue(*, liability, actor):
    return write_run(machine=LIABILITY, pk=liability.pk, name="mark_overdue", user=actor)
