"""The person's notifications: the list (newest first, paginated), open (marks read), e-mail on/off."""
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pacm.common.errors import ServiceError

from . import services
from .models import Notification, email_enabled

PAGE_SIZE = 25


@login_required
def notification_list(request):
    rows = Notification.objects.filter(recipient=request.user).order_by("-created_at", "-id").only(
        "subject_line", "body", "url", "created_at", "read_at"
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {
        "page": page, "email_enabled": email_enabled(request.user),
    })


@login_required
@require_POST
def notification_open(request, pk):
    try:
        row = services.notification_read(user=request.user, notification_id=pk)
    except ServiceError:
        raise Http404(_("No such notification.")) from None
    if row.url and url_has_allowed_host_and_scheme(row.url, allowed_hosts={request.get_host()}):
        return redirect(row.url)
    return redirect("notifications")


@login_required
@require_POST
def notifications_read_all(request):
    services.notifications_read_all(user=request.user)
    return redirect("notifications")


@login_required
@require_POST
def notification_preference(request):
    services.notification_preference_set(user=request.user, email_enabled=request.POST.get("email_enabled") == "on")
    return redirect("notifications")
