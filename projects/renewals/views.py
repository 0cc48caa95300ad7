"""Pages of renewals: opening one from its subject's page, the renewal's own page with the forms
of the writes `available_actions` offers this person, one POST view per write. Bad input or a
rule the service enforces shows the page again with the message and saves nothing (`form_run`);
a refusal is the middleware's 403 page."""
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pacm.engine.machines import machine_for
from pacm.engine.offers import available_actions

from ..views.activity_page import activity_get_or_404, form_run
from . import periods, selectors, services
from .forms import CPRenewalNotifyForm, RenewalRequestForm, write_form


def renewal_url(renewal):
    return reverse("renewal-detail", kwargs={"pk": renewal.pk})


def renewal_get_or_404(*, user, pk):
    renewal = selectors.renewal_page_get(user=user, pk=pk)
    if renewal is None:
        raise Http404(_("There is no renewal with this number that you may see."))
    return renewal


def subject_get_or_404(*, user, kind, reference):
    from ..poa.views import _cp_or_404, _poa_or_404

    if kind == "project":
        return activity_get_or_404(user=user, reference=reference)
    if kind == "poa":
        return _poa_or_404(user, reference)
    if kind == "cp":
        return _cp_or_404(user, reference)
    raise Http404(_("No such kind of renewal."))


def subject_url(subject):
    kind = periods.kind_of(subject)
    name = {"project": "activity-detail", "poa": "poa-detail", "cp": "cp-detail"}[kind]
    return reverse(name, kwargs={"reference": subject.reference}) + "#renewals"


def _page(request, renewal, *, bound=None, status=200):
    bound = bound or {}
    rows = []
    if request.user.is_authenticated:
        for offer in available_actions(request.user, renewal):
            if offer.name in ("decide_as_board", "vote_as_board") and offer.name not in bound:
                continue  # the Board panel offers them ({% board_panel %}, projects.board)
            rows.append({"offer": offer, "form": bound.get(offer.name) or write_form(offer.write, renewal),
                         "url": reverse("renewal-act", kwargs={"pk": renewal.pk, "name": offer.name})})
    context = {"renewal": renewal, "subject": renewal.subject, "offers": rows, "subject_url": subject_url(renewal.subject),
               "approved_after_expiry": selectors.approved_after_expiry(renewal)}
    return render(request, "renewals/renewal_detail.html", context, status=status)


def renewal_detail(request, pk):
    return _page(request, renewal_get_or_404(user=request.user, pk=pk))


@require_POST
@login_required
def renewal_act(request, pk, name):
    renewal = renewal_get_or_404(user=request.user, pk=pk)
    machine = machine_for(renewal)
    spec = machine.writes.get(name)
    if spec is None:
        raise Http404(_("No such action."))
    available_actions(request.user, renewal).require(name, spec.label.lower())
    form = write_form(spec, renewal, request.POST, request.FILES)
    return form_run(
        request, form=form, call=lambda data: machine.call(name, renewal, user=request.user, **form.service_kwargs()),
        success=_("%(write)s: done.") % {"write": spec.label}, done_url=renewal_url(renewal),
        show_again=lambda: _page(request, renewal, bound={name: form}, status=400),
    )


def open_form(subject, data=None, files=None):
    if periods.kind_of(subject) == "cp":
        return CPRenewalNotifyForm(data, files, prefix="renewal")
    return RenewalRequestForm(data, files, prefix="renewal")


@require_POST
@login_required
def renewal_open(request, kind, reference):
    """The participants' request (a project, a PoA) or the DOE's notification (a CP)."""
    subject = subject_get_or_404(user=request.user, kind=kind, reference=reference)
    name = "notify_renewal" if kind == "cp" else "request_renewal"
    available_actions(request.user, subject).require(name, _("renew the crediting period"))
    form = open_form(subject, request.POST, request.FILES)

    def call(data):
        if kind == "cp":
            return services.cp_renewal_notify(cp=subject, user=request.user, baseline_update=data["baseline_update"],
                                              estimated_annual=data["estimated_annual"], design=data["design"],
                                              report=data["report"])
        return services.renewal_request(
            subject=subject, user=request.user, validation_doe=data["validation_doe"],
            baseline_update=data["baseline_update"], additionality_update=data["additionality_update"],
            estimated_annual=data["estimated_annual"], design=data["design"],
            methodology_version=data.get("methodology_version"), methodology_change=data.get("methodology_change", ""))

    return form_run(
        request, form=form, call=call, success=_("Renewal opened."), done_url=subject_url(subject),
        show_again=lambda: render(request, "renewals/renewal_open.html", {"subject": subject, "form": form,
                                                                          "kind": kind}, status=400),
    )
