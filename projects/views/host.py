"""The host Party's DNA: approval with authorization of participants, and the authorization statement."""

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_POST

from .. import services
from ..forms import AuthorizationStatementForm, HostApprovalForm
from .activity_page import activity_get_or_404, activity_offers, form_submit


@require_POST
@login_required
def host_approval_issue(request, reference):
    """RMP 40-41; a new approval is a new version, the earlier ones stay on the page."""
    activity = activity_get_or_404(user=request.user, reference=reference)
    offers = activity_offers(activity=activity, user=request.user)
    offers.require(offers.host_approval, "approve this activity")
    form = HostApprovalForm(request.POST, activity=activity, prefix="host")
    return form_submit(
        request,
        activity=activity,
        key="host",
        form=form,
        anchor="host",
        call=lambda data: services.host_approval_issue(activity=activity, user=request.user, **data),
        success="Host approval issued.",
    )


@require_POST
@login_required
def authorization_statement_issue(request, reference):
    """RMP 42; 6/CMA.6 paras 10-11. A revision is a new version (4/CMA.6 paras 7-9)."""
    activity = activity_get_or_404(user=request.user, reference=reference)
    offers = activity_offers(activity=activity, user=request.user)
    offers.require(offers.authorization, "issue an authorization statement")
    form = AuthorizationStatementForm(request.POST, prefix="auth")
    return form_submit(
        request,
        activity=activity,
        key="auth",
        form=form,
        anchor="host",
        call=lambda data: services.authorization_statement_issue(activity=activity, user=request.user, **data),
        success="Authorization statement issued.",
    )
