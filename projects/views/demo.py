"""The demo clock's button (projects.demo): POST only; refused outside demo mode."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pacm.common.errors import Refused, ServiceError

from ..demo import activity_demo_advance
from .activity_page import activity_get_or_404


@login_required
@require_POST
def activity_demo_advance_view(request, reference):
    activity = activity_get_or_404(user=request.user, reference=reference)
    try:
        now, fired = activity_demo_advance(activity=activity, user=request.user,
                                           expected_state=request.POST.get("expected_state") or None)
    except Refused:
        raise
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        done = ", ".join(f"{name} ({subject})" for subject, name in fired) or _("nothing")
        messages.success(request, _("Demo clock moved to %(now)s UTC. Fired: %(done)s.") % {
            "now": f"{now:%Y-%m-%d %H:%M}", "done": done})
    return redirect("activity-detail", reference=activity.reference)
