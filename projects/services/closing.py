"""An activity that ends takes its pending requests with it (pacm issue 6 §5, rule 2).

A6.4-PROC-AC-002 v03.0 para 259: the registry issues no A6.4ERs for a deregistered project from
the effective date of deregistration. pacm's deregistration is the SB's decision (the voluntary
deregistration of paras 251-262, with its three-year administration period, is not modelled yet):
it ends every monitoring period of the activity still on its way, an approved issuance included,
in the transaction that deregisters it. A withdrawn activity (paras 115-116) has nothing left
pending either. Each period ends with its own event, naming the person who ended the activity.
"""
from django.db import transaction

from ..cycle import ACTIVITY_BY_NAME, PERIOD_TERMINAL
from ..machines import PERIOD
from ..models import Activity, MonitoringPeriod
from .base import actor_require, transition_fire


@PERIOD.serves("end_with_activity")
def period_end_with_activity(*, period, actor, comment):
    """End one pending period of an activity that is deregistered or withdrawn (guard activity_ended)."""
    return transition_fire(model=MonitoringPeriod, pk=period.pk, name="end_with_activity", user=actor,
                           comment=comment, payload={"cause": f"activity {period.activity.state}"})


def activity_periods_end(*, activity, user, transition, comment):
    """Inside the activity's transaction: end every period of it that is not over, oldest first."""
    spec = ACTIVITY_BY_NAME[transition]
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        actor = actor_require(user=user, activity=activity, roles=spec.actors, what=spec.label.lower())
        pending = list(activity.monitoring_periods.exclude(state__in=list(PERIOD_TERMINAL)).order_by("number"))
        reason = f"{spec.label}: {comment}".strip()
        return [period_end_with_activity(period=period, actor=actor, comment=reason) for period in pending]
