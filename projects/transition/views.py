"""The transition request's pages: the list, the request form, the request page with its
deadlines and the forms of the writes offered to this person, and one POST view per write.

The forms follow `available_actions` (the declarations the services check again); bad input or
a rule the service enforces shows the page again with the message on the form and saves nothing
(`form_run`); a refusal is the middleware's 403 page.
"""
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pacm.common.paging import page_get
from pacm.engine.offers import available_actions

from ..views.activity_page import form_run
from . import forms, selectors, services
from .cycle import TRANSITION_BY_NAME
from .deadlines import deadline_end, host_approval_deadline, request_deadline, rules, summary_note_due
from .machine import TRANSITION_MACHINE as M
from .models import TransitionRequest

PAGE = 25
# PROC-AC-001 v06.0 paras 17-18: the comments' writes, on the page's consultation panel.
CONSULTATION_WRITES = frozenset({"publish_comment", "answer_comment", "assess_comment"})
BOARD_WRITES = ("decide_as_board", "vote_as_board")


def request_get_or_404(*, user, pk):
    try:
        return selectors.transition_request_page_get(user=user, pk=pk)
    except TransitionRequest.DoesNotExist:
        raise Http404(_("There is no transition request with this number that you may see.")) from None


def request_url(request_obj, anchor=""):
    return reverse("transition-detail", kwargs={"pk": request_obj.pk}) + (f"#{anchor}" if anchor else "")


def _data_form(cls, **kw):
    return lambda data, request_obj: cls(data, prefix="t", **kw)


def _board_form(data, request_obj):
    return forms.BoardDecisionForm(data, prefix="t", proposals=services.board_proposals(request_obj))


def _documentation_call(name):
    def call(request_obj, user, data):
        return M.call(name, request_obj, user=user, documentation=data["documentation"], summary=data["summary"],
                      fnrb=data["fnrb"], leakage_factor=data["leakage_factor"],
                      validation_doe=data["validation_doe"])
    return call


# The writes with their own form: (form factory, call(request, user, cleaned data)).
FORMS = {
    "approve_transition": (_data_form(forms.HostApprovalForm), lambda r, u, d: M.call(
        "approve_transition", r, user=u, sd_confirmation=d["sd_confirmation"], ndc_relation=d["ndc_relation"],
        sop_exemption_opt_out=d["sop_exemption_opt_out"], max_annual=d["max_annual"])),
    "approve_poa_host": (_data_form(forms.PoAHostApprovalForm), lambda r, u, d: M.call(
        "approve_poa_host", r, user=u, sd_confirmation=d["sd_confirmation"], ndc_relation=d["ndc_relation"],
        sop_exemption_opt_out=d["sop_exemption_opt_out"], max_annual=d["max_annual"])),
    "add_cpa": (_data_form(forms.AddCPAForm), lambda r, u, d: M.call(
        "add_cpa", r, user=u, cpa_reference=d["cpa_reference"], title=d["title"], host_party=d["host_party"],
        estimated_annual=d["estimated_annual"])),
    "remove_cpa": (_data_form(forms.RemoveCPAForm), lambda r, u, d: M.call("remove_cpa", r, user=u, cpa=d["item"])),
    "submit_documentation": (_data_form(forms.DocumentationForm), _documentation_call("submit_documentation")),
    "resubmit_documentation": (_data_form(forms.DocumentationForm), _documentation_call("resubmit_documentation")),
    "record_fee_payment": (_data_form(forms.FeePaymentForm), lambda r, u, d: M.call(
        "record_fee_payment", r, user=u, reference=d["reference"])),
    "record_summary_note": (_data_form(forms.SummaryNoteForm), lambda r, u, d: M.call(
        "record_summary_note", r, user=u, note=d["note"])),
    "record_cdm_deregistration": (_data_form(forms.DeregistrationForm), lambda r, u, d: M.call(
        "record_cdm_deregistration", r, user=u, date=d["date"])),
    "record_provisional_issuance": (_data_form(forms.ProvisionalIssuanceForm), lambda r, u, d: M.call(
        "record_provisional_issuance", r, user=u, cdm_request_reference=d["cdm_request_reference"],
        period_start=d["period_start"], period_end=d["period_end"], quantity=d["quantity"])),
    "request_provisional_finalisation": (_data_form(forms.ProvisionalFinalisationForm), lambda r, u, d: M.call(
        "request_provisional_finalisation", r, user=u, provisional=d["item"],
        double_issuance_declared=d["double_issuance_declared"],
        revised_monitoring_report=d["revised_monitoring_report"],
        other_scheme_confirmation=d["other_scheme_confirmation"])),
    "decide_as_board": (_board_form, lambda r, u, d: M.call(
        "decide_as_board", r, user=u, transition=d["transition"], meeting=d["meeting"],
        agenda_item=d["agenda_item"], comment=d["comment"])),
}


# Para 55, footnote 18: the finalisation request's steps (projects/transition/finalisation_forms.py).
from .finalisation_forms import FORMS as _FINALISATION_FORMS  # noqa: E402

FORMS.update(_FINALISATION_FORMS)


def _form_for(offer, request_obj, data=None):
    if offer.name in FORMS:
        form = FORMS[offer.name][0](data, request_obj)
        if offer.item is not None:
            form.fields["item"].initial = offer.item.pk
        return form
    return forms.ReasonsForm(data, prefix="t", spec=offer.write, request_obj=request_obj)


def _deadlines(request_obj):
    """The request's deadlines, each with its rule (PROC-AC-001 v06.0), as the page lists them."""
    rule_set = rules()
    rows = [
        (_("Request (para %(para)s)") % {"para": 13 if request_obj.is_afforestation else 12},
         deadline_end(request_deadline(rule_set, request_obj.is_afforestation))),
        (_("Host Party approval (para 21, CMA7 extension)"), deadline_end(host_approval_deadline(rule_set))),
        (_("Addendum (para 30)"), deadline_end(rule_set.transition_addendum_deadline)),
    ]
    if request_obj.published_at and request_obj.state in ("review_window", "under_review"):
        rows.append((_("Summary note (para 39)"), deadline_end(summary_note_due(rule_set, request_obj.published_at))))
    if request_obj.due_at:
        rows.append((_("Current step: %(state)s") % {"state": request_obj.get_state_display()}, request_obj.due_at))
    return rows


def _page(request, request_obj, *, bound=None, status=200):
    offers = available_actions(request.user, request_obj) if request.user.is_authenticated else []
    cards = []
    for offer in offers:
        if offer.name in CONSULTATION_WRITES:  # the consultation panel's own forms
            continue
        if offer.name in BOARD_WRITES and not (bound and bound[0] == offer.name):
            continue  # the Board panel offers them ({% board_panel %}, projects.board)
        form = bound[1] if bound and bound[0] == offer.name else _form_for(offer, request_obj)
        if bound and bound[0] == offer.name and offer.item is not None and str(offer.item.pk) != str(
                bound[1].data.get("t-item")):
            form = _form_for(offer, request_obj)
        cards.append({"offer": offer, "form": form,
                      "url": reverse("transition-act", kwargs={"pk": request_obj.pk, "name": offer.name})})
    context = {
        "req": request_obj, "cards": cards, "deadlines": _deadlines(request_obj),
        "cpas": list(request_obj.cpas.select_related("host_party", "component")), "now": timezone.now(),
        "provisional": list(request_obj.provisional_issuances.all()),
    }
    return render(request, "transition/request_detail.html", context, status=status)


def transition_page_render(request, request_obj, *, status=200):
    """The request page, for the consultation's views (projects.consultation.subjects_more)."""
    return _page(request, request_obj, status=status)


def transition_list(request):
    rows = selectors.transition_requests_visible_to(request.user).order_by("-created_at", "-pk")
    return render(request, "transition/request_list.html", {"page": page_get(request, rows, per_page=PAGE)})


@login_required
def transition_create(request):
    form = forms.TransitionRequestForm(request.POST or None)
    if request.method == "POST":
        def call(data):
            data = dict(data)
            return services.transition_request_create(user=request.user, **data)

        return form_run(request, form=form, call=call, success=_("Transition request recorded."),
                        done_url=reverse("transition-list"),
                        show_again=lambda: render(request, "transition/request_form.html", {"form": form}))
    return render(request, "transition/request_form.html", {"form": form})


def transition_detail(request, pk):
    return _page(request, request_get_or_404(user=request.user, pk=pk))


@require_POST
@login_required
def transition_act(request, pk, name):
    spec = M.writes.get(name)
    if spec is None:
        raise Http404(_("No such action."))
    request_obj = request_get_or_404(user=request.user, pk=pk)
    offers = available_actions(request.user, request_obj)
    offers.require(name, spec.label.lower())
    offer = offers.get(name)
    form = _form_for(offer, request_obj, request.POST)
    form.files = request.FILES  # the revised monitoring report of submit_finalised_period
    if name in FORMS:
        call = lambda data: FORMS[name][1](request_obj, request.user, data)  # noqa: E731
    else:
        def call(data):
            kwargs = {"user": request.user}
            if spec.needs_reason:
                kwargs["comment"] = data["comment"]
            if name in TRANSITION_BY_NAME:
                kwargs["expected_state"] = data.get("expected_state") or None
            return M.call(name, request_obj, **kwargs)
    return form_run(request, form=form, call=call, success=_("%(write)s: done.") % {"write": spec.label},
                    done_url=request_url(request_obj),
                    show_again=lambda: _page(request, request_obj, bound=(name, form)))

