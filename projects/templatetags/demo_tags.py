"""The demo clock's button on an activity's page: shown in demo mode only, to those who may press it."""
from django import template

from pacm.demo.services import demo_mode
from pacm.parties.roles import Role, actor_for

register = template.Library()


@register.inclusion_tag("projects/includes/demo_clock.html", takes_context=True)
def demo_clock_panel(context, activity):
    request = context.get("request")
    user = getattr(request, "user", None)
    shown = {"show": False}
    if user is None or not user.is_authenticated or not demo_mode():
        return shown
    if actor_for(user, activity, set(Role)) is None:
        return shown
    from pacm.common import clock
    from projects.demo import activity_next_due

    return {"show": True, "activity": activity, "next_due": activity_next_due(activity), "demo_now": clock.now(),
            "csrf_token": context.get("csrf_token")}
