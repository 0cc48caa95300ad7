"""Findings of the validation (CAR, CL, FAR): the DOE raises, closes or reopens, participants answer."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import services
from ..forms import FindingAnswerForm, FindingCloseForm, FindingRaiseForm, FindingReopenForm
from .activity_page import activity_get_or_404, activity_offers, form_submit


@require_POST
@login_required
def finding_raise(request, reference):
    activity = activity_get_or_404(user=request.user, reference=reference)
    offers = activity_offers(activity=activity, user=request.user)
    offers.require(offers.finding_raise, "raise a finding")
    form = FindingRaiseForm(request.POST, prefix="finding")
    return form_submit(
        request,
        activity=activity,
        key="finding_raise",
        form=form,
        anchor="findings",
        call=lambda data: services.finding_raise(
            activity=activity, user=request.user, kind=data["kind"], text=data["text"]
        ),
        success="Finding raised.",
    )


def _finding(activity, number):
    for finding in activity.findings.all():
        if finding.number == number:
            return finding
    raise Http404(_("No such finding."))


ACTIONS = {
    # action: (form, service call, what, success message)
    "answer": (
        FindingAnswerForm,
        lambda f, user, d: services.finding_answer(finding=f, user=user, response=d["response"]),
        "answer this finding",
        "Answer sent to the DOE.",
    ),
    "close": (
        FindingCloseForm,
        lambda f, user, d: services.finding_close(finding=f, user=user, comment=d["comment"]),
        "close this finding",
        "Finding closed.",
    ),
    "reopen": (
        FindingReopenForm,
        lambda f, user, d: services.finding_reopen(finding=f, user=user, comment=d["comment"]),
        "reopen this finding",
        "Finding reopened.",
    ),
}


@require_POST
@login_required
def finding_act(request, reference, number, action):
    if action not in ACTIONS:
        raise Http404(_("No such action."))
    form_class, call, what, success = ACTIONS[action]
    activity = activity_get_or_404(user=request.user, reference=reference)
    finding = _finding(activity, number)
    offers = activity_offers(activity=activity, user=request.user)
    offers.require(action in offers.finding_actions.get(number, ()), what)
    key = f"{action}-{number}"
    form = form_class(request.POST, prefix=key)
    return form_submit(
        request,
        activity=activity,
        key=key,
        form=form,
        anchor=f"finding-{number}",
        call=lambda data: call(finding, request.user, data),
        success=success,
    )
