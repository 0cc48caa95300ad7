"""The demo clock's button on an activity's page: shown in demo mode only, to those who may press it."""
from django import template

from pacm.common import clock
from pacm.demo.services import MAX_DAYS, demo_mode
from pacm.parties.roles import actor_for
from projects.demo import CLOCK_ROLES, activity_next_due

register = template.Library()


@register.inclusion_tag("projects/includes/demo_clock.html", takes_context=True)
def demo_clock_panel(context, activity):
    request = context.get("request")
    user = getattr(request, "user", None)
    # demo_mode() reads nothing when the setting is off (production, the tests by default).
    if user is None or not user.is_authenticated or not demo_mode() or actor_for(user, activity, CLOCK_ROLES) is None:
        return {"show": False}
    return {"show": True, "activity": activity, "next_due": activity_next_due(activity), "demo_now": clock.now(),
            "max_days": MAX_DAYS, "csrf_token": context.get("csrf_token")}
