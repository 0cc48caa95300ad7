"""The activity: draft it, edit the draft, see its page, press the buttons of the cycle."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from methodologies.models import RuleSet
from pacm.common.errors import Refused, ServiceError
from pacm.common.forms import form_add_service_error
from pacm.common.submission import submit_once
from pacm.parties.models import Organisation
from pacm.parties.roles import Role

from .. import services
from ..forms import ActivityForm, EngageDOEForm, TransitionForm
from ..machines import ACTIVITY
from ..services.design import PDD_FIELDS, RISK_FIELDS
from .activity_page import activity_get_or_404, activity_offers, activity_page_render, activity_url, form_submit

# The buttons a person may press: every declared activity transition but the system's own.
# (The Board's own are posted too, and refused by the service: a 403 that says who decides.)
PRESSABLE = {spec.name: spec for spec in ACTIVITY.transitions if Role.TIMER not in spec.actors}


def activity_detail(request, reference):
    activity = activity_get_or_404(user=request.user, reference=reference)
    return activity_page_render(request, activity)


def _rule_set():
    """The rule set in force today, to tell the person the crediting-period limits (RMP 31(f))."""
    try:
        return RuleSet.objects.in_force(timezone.localdate())
    except RuleSet.DoesNotExist:
        return None


def _participant_organisations(user):
    return list(Organisation.objects.filter(memberships__user=user, kind=Organisation.Kind.PARTICIPANT).order_by("pk"))


@login_required
def activity_create(request):
    organisations = _participant_organisations(request.user)
    if not organisations:
        raise Refused(_("Only activity participants may draft an activity."), code="not_a_participant")
    form = ActivityForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = submit_once(
                request, form=form, call=lambda: services.activity_create(user=request.user, **form.cleaned_data),
                done=lambda activity: (
                    activity_url(activity),
                    f"{activity.reference} drafted. Upload the PDD and notify prior consideration.",
                ),
            )
        except Refused:
            raise
        except ServiceError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, outcome.message)
            return redirect(outcome.url)
    return render(request, "projects/activity_form.html", {"form": form, "activity": None, "rule_set": _rule_set()})


@login_required
def activity_edit(request, reference):
    activity = activity_get_or_404(user=request.user, reference=reference)
    offers = activity_offers(activity=activity, user=request.user)
    offers.require(offers.edit, "edit the PDD")
    initial = {f: getattr(activity, f) for f in (*PDD_FIELDS, *RISK_FIELDS)}
    form = ActivityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = submit_once(
                request, form=form,
                call=lambda: services.activity_update(activity=activity, user=request.user, **form.cleaned_data),
                done=lambda _: (activity_url(activity), "PDD fields saved."),
            )
        except Refused:
            raise
        except ServiceError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, outcome.message)
            return redirect(outcome.url)
    return render(request, "projects/activity_form.html", {"form": form, "activity": activity, "rule_set": _rule_set()})


@require_POST
@login_required
def activity_transition(request, reference, name):
    """One view for every button: `services.activity_<name>`, which checks actor, state, guards."""
    spec = PRESSABLE.get(name)
    if spec is None:
        raise Http404(_("No such action."))
    activity = activity_get_or_404(user=request.user, reference=reference)
    form = TransitionForm(request.POST, spec=spec, activity=activity, prefix=f"t-{name}")
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, _("%(write)s: %(field)s%(errors)s") % {"write": spec.label, "field": label + ": " if label else "", "errors": " ".join(errors)})
        return redirect(activity_url(activity, "actions"))
    kwargs = {"activity": activity, "user": request.user, "comment": form.cleaned_data["comment"]}
    if "risk_rating_accepted" in form.cleaned_data:
        kwargs["risk_rating_accepted"] = form.cleaned_data["risk_rating_accepted"]
    try:
        activity = ACTIVITY.call(name, activity, expected_state=form.cleaned_data.get("expected_state") or None,
                                 **{k: v for k, v in kwargs.items() if k != "activity"})
    except Refused:
        raise
    except ServiceError as error:
        messages.error(request, _("%(write)s: %(message)s") % {"write": spec.label, "message": error.message})
        return redirect(activity_url(activity, "actions"))
    messages.success(
        request, _("%(write)s: done. %(activity)s is now %(state)s.") % {"write": spec.label, "activity": activity.reference, "state": activity.get_state_display().lower()}
    )
    return redirect(activity_url(activity))


@require_POST
@login_required
def activity_engage_doe(request, reference):
    activity = activity_get_or_404(user=request.user, reference=reference)
    offers = activity_offers(activity=activity, user=request.user)
    offers.require(offers.engage_stage, "engage a DOE")
    form = EngageDOEForm(request.POST, prefix="engage")
    return form_submit(
        request,
        activity=activity,
        key="engage",
        form=form,
        anchor="parties",
        call=lambda data: (
            services.activity_change_doe if offers.engage_write == "change_doe" else services.activity_engage_doe
        )(activity=activity, user=request.user, doe=data["doe"]),
        success="DOE engaged.",
    )
