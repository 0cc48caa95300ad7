"""The demo clock on an activity's page (pacm issue 9): in a demo database only, the people of
the activity or the secretariat move the demo clock (pacm.demo) to the activity's next due date
and the timer pass runs there, so a newcomer can walk an activity from draft to units in minutes.
"""
from django.db.models import Min
from django.utils.translation import gettext as _

from pacm.common.errors import Refused, ServiceError
from pacm.demo.services import demo_clock_advance, demo_require
from pacm.parties.roles import Role, actor_for

from .models import Activity

# The people of the activity and the secretariat (pacm issue 9); not the SB, the AF or the public.
CLOCK_ROLES = frozenset({Role.PARTICIPANT, Role.DOE, Role.DNA, Role.SECRETARIAT})


def activity_next_due(activity):
    """The earliest running due date of the activity or of one of its monitoring periods, or None."""
    dues = [activity.due_at] if activity.due_at else []
    period_due = activity.monitoring_periods.filter(due_at__isnull=False).aggregate(m=Min("due_at"))["m"]
    if period_due:
        dues.append(period_due)
    return min(dues) if dues else None


def demo_actor(*, user, activity):
    """The people of the activity (any role on it) or the secretariat; refused otherwise."""
    actor = actor_for(user, activity, CLOCK_ROLES)
    if actor is None:
        raise Refused(_("Only the people of %(reference)s or the secretariat may move the demo clock here.")
                      % {"reference": activity.reference}, code="not_permitted")
    return actor


def activity_demo_advance(*, activity, user, expected_state=None, days=None):
    """Move the demo clock just past the activity's next due date (or by `days` whole days, for a
    wait that has no due date: a monitoring period to end, RMP 50-51), then run the timer pass there.

    `expected_state`: the state the page showed; a page gone stale (a second press after the
    first fired) moves nothing. Returns (demo "now", [(subject, transition fired), ...])."""
    from pacm.common import clock

    from .timers import timers_run

    demo_require()
    activity = Activity.objects.get(pk=activity.pk)
    actor = demo_actor(user=user, activity=activity)
    if expected_state is not None and expected_state != activity.state:
        raise ServiceError(_("%(reference)s changed while you were looking: it is now %(state)s. Look again.")
                           % {"reference": activity.reference, "state": activity.get_state_display().lower()},
                           code="stale_page", params={"expected": expected_state[:40], "state": activity.state})
    if days is not None:
        import datetime

        demo_clock_advance(actor=actor, by=datetime.timedelta(days=days), activity=activity)
        return clock.now(), timers_run()
    due = activity_next_due(activity)
    if due is None:
        raise ServiceError(_("Nothing of %(reference)s is waiting for a date: the next step is someone's.")
                           % {"reference": activity.reference}, code="nothing_due")
    demo_clock_advance(actor=actor, until=due, activity=activity)
    return clock.now(), timers_run()
