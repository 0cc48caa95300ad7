"""The demo clock's button (projects.demo): POST only; refused outside demo mode."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pacm.common.errors import Refused, ServiceError
from pacm.demo.services import MAX_DAYS

from ..demo import activity_demo_advance
from .activity_page import activity_get_or_404


def _days(value):
    """The whole days the person asked for (the "move by days" form), None for the next due date."""
    if value in (None, ""):
        return None
    try:
        days = int(value)
    except (TypeError, ValueError):
        raise ServiceError(_("Give a whole number of days."), field="days", code="demo_advance_bounds") from None
    if not 1 <= days <= MAX_DAYS:
        raise ServiceError(_("Move the demo clock by 1 to %(max)s days.") % {"max": MAX_DAYS}, field="days",
                           code="demo_advance_bounds", params={"max": MAX_DAYS})
    return days


@login_required
@require_POST
def activity_demo_advance_view(request, reference):
    activity = activity_get_or_404(user=request.user, reference=reference)
    try:
        now, fired = activity_demo_advance(activity=activity, user=request.user,
                                           expected_state=request.POST.get("expected_state") or None,
                                           days=_days(request.POST.get("days")))
    except Refused:
        raise
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        done = ", ".join(f"{name} ({subject})" for subject, name in fired) or _("nothing")
        messages.success(request, _("Demo clock moved to %(now)s UTC. Fired: %(done)s.") % {
            "now": f"{now:%Y-%m-%d %H:%M}", "done": done})
    return redirect("activity-detail", reference=activity.reference)
