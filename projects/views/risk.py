"""The reversal risk rating on the activity page: its history and the revision's buttons
(projects.risk; A6.4-STAN-METH-002 v01.0 paras 38-41, 49), built from `available_actions`."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pacm.common.errors import Refused, ServiceError
from pacm.engine.offers import available_actions

from ..forms import RiskRevisionForm
from ..risk.cycle import RISK_TERMINAL
from ..risk.machine import RISK
from .activity_page import activity_get_or_404, activity_url


def risk_context(activity, user, bound=None):
    """The assessments, newest first, and a form for each write this user may take on the open one."""
    assessments = list(activity.risk_assessments.select_related("document_version", "validated_by").order_by("-number"))
    rows = []
    for assessment in assessments:
        if assessment.state in RISK_TERMINAL:
            continue
        for offer in available_actions(user, assessment).transitions():
            spec = offer.write
            key = f"risk-{assessment.number}-{spec.name}"
            form = (bound or {}).get(key) or RiskRevisionForm(spec=spec, assessment=assessment, prefix=key)
            rows.append({"assessment": assessment, "spec": spec, "blocked": offer.blocked, "form": form})
    return {"assessments": assessments, "writes": rows}


@require_POST
@login_required
def risk_revision_act(request, reference, number, name):
    """One view for every write of a revision: `RISK.call(name, ...)`, which checks actor, state, guards."""
    activity = activity_get_or_404(user=request.user, reference=reference)
    assessment = activity.risk_assessments.filter(number=number).first()
    if assessment is None or name not in RISK.writes:
        raise Http404(_("No such revision."))
    offer = available_actions(request.user, assessment).get(name)
    if offer is None:
        raise Refused(_("You may not do this on this revision now."), code="not_offered", params={"write": name})
    spec = offer.write
    form = RiskRevisionForm(request.POST, spec=spec, assessment=assessment, prefix=f"risk-{number}-{name}")
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, _("%(write)s: %(field)s%(errors)s") % {
                "write": spec.label, "field": f"{label}: " if label else "", "errors": " ".join(errors)})
        return redirect(activity_url(activity, "risk"))
    kwargs = {"user": request.user, "comment": form.cleaned_data["comment"],
              "expected_state": form.cleaned_data.get("expected_state") or None}
    if name == "submit_revision":
        kwargs.update(rating=form.cleaned_data["rating"], negligible=form.cleaned_data["negligible"])
    try:
        RISK.call(name, assessment, **kwargs)
    except ServiceError as error:
        messages.error(request, _("%(write)s: %(message)s") % {"write": spec.label, "message": error.message})
        return redirect(activity_url(activity, "risk"))
    messages.success(request, _("%(write)s: done.") % {"write": spec.label})
    return redirect(activity_url(activity, "risk"))
