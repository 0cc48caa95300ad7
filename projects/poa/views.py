"""The PoA and CP pages and their forms, on the activity page's patterns: each write view posts
back to its page; bad input shows the page again with the message on the form and saves nothing;
a form the page does not offer is refused (403) before any input is read."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pacm.common.errors import Refused, ServiceError
from pacm.common.paging import page_get
from pacm.engine.offers import available_actions
from pacm.parties.models import Organisation
from pacm.parties.roles import Role

from ..forms import AuthorizationStatementForm, DocumentUploadForm, EngageDOEForm, FeePaymentForm
from ..models import Document
from ..services import authorization_statement_issue, document_upload, fee_record_payment
from ..services.design import POA_UPLOADERS
from ..views.activity_page import form_run
from . import selectors
from . import services as poa_services
from .forms import CPDocumentForm, CPNotifyForm, CPTransitionForm, DesignForm, PoAForm, PoAHostApprovalForm
from .machines import COMPONENT, CP_KINDS, POA
from .models import ComponentProject, Programme
from .services import CP_UPLOADERS

# PoA documents by role (the activity's UPLOADERS; the PoA-DD is the PoA's design document).
POA_KINDS = (Document.Kind.PDD, Document.Kind.GENERIC_CP_DD, Document.Kind.LOCAL_CONSULTATION, Document.Kind.SD_REPORT,
             Document.Kind.VALIDATION_REPORT, Document.Kind.HOST_APPROVAL_LETTER,
             Document.Kind.AUTHORIZATION_STATEMENT, Document.Kind.OTHER)


def _refuse(what):
    params = {"what": what}
    raise Refused(_("You may not %(what)s here now.") % params, code="not_offered", params=params)


def _poa_or_404(user, reference):
    try:
        return selectors.poa_page_get(user=user, reference=reference)
    except Programme.DoesNotExist:
        raise Http404(_("There is no PoA with this reference that you may see.")) from None


def _cp_or_404(user, reference):
    try:
        return selectors.cp_page_get(user=user, reference=reference)
    except ComponentProject.DoesNotExist:
        raise Http404(_("There is no component project with this reference that you may see.")) from None


def poa_url(poa, anchor=""):
    url = reverse("poa-detail", kwargs={"reference": poa.reference})
    return f"{url}#{anchor}" if anchor else url


def cp_url(cp, anchor=""):
    url = reverse("cp-detail", kwargs={"reference": cp.reference})
    return f"{url}#{anchor}" if anchor else url


def _upload_kinds(roles, table):
    allowed = set()
    for role in roles:
        allowed |= set(table.get(role, ()))
    return tuple(k for k in POA_KINDS if k in allowed)


def poa_list(request):
    page = page_get(request, selectors.poa_list(request.user))
    return render(request, "poa/poa_list.html", {"page": page})


@login_required
def poa_create(request):
    organisations = list(Organisation.objects.filter(memberships__user=request.user, kind=Organisation.Kind.PARTICIPANT)
                         .order_by("pk"))
    if not organisations:
        raise Refused(_("Only activity participants may coordinate a PoA."), code="not_a_participant")
    form = PoAForm(request.POST or None)
    if request.method == "POST":
        def call(data):
            return poa_services.poa_create(user=request.user, organisation=organisations[0], **data)

        if form.is_valid():
            from pacm.common.forms import form_add_service_error
            from pacm.common.submission import submit_once

            try:
                outcome = submit_once(request, form=form, call=lambda: call(form.cleaned_data),
                                      done=lambda poa: (poa_url(poa), _("%(reference)s drafted.") % {"reference": poa.reference}))
            except ServiceError as error:
                if isinstance(error, Refused):
                    raise
                form_add_service_error(form, error)
            else:
                messages.success(request, outcome.message)
                return redirect(outcome.url)
    return render(request, "poa/poa_form.html", {"form": form})


def _poa_page(request, poa, *, bound=None, status=200):
    bound = bound or {}
    offers = available_actions(request.user, poa)

    def form(key, factory):
        return bound.get(key) or factory()

    forms = {}
    if offers.get("engage_doe") is not None and offers.get("engage_doe").blocked is None:
        forms["engage"] = form("engage", lambda: EngageDOEForm(prefix="engage"))
    if offers.has("edit_design"):
        design = getattr(poa, "poa_design", None)
        initial = {"criteria": "\n".join(c.text for c in poa.eligibility_criteria.all()),
                   "typical_cps": design.typical_cps if design else ""}
        forms["design"] = form("design", lambda: DesignForm(prefix="design", initial=initial))
    if offers.has("upload_document"):
        kinds = _upload_kinds(offers.roles, POA_UPLOADERS)
        if kinds:
            forms["upload"] = form("upload", lambda: DocumentUploadForm(kinds=kinds, prefix="upload"))
    if offers.has("issue_authorization"):
        forms["auth"] = form("auth", lambda: AuthorizationStatementForm(prefix="auth"))
    if offers.get("engage_verification_doe") is not None and offers.get("engage_verification_doe").blocked is None:
        forms["verification"] = form("verification", lambda: EngageDOEForm(prefix="verification"))
    if offers.has("submit_monitoring_report"):
        from .forms import BatchForm

        forms["batch"] = form("batch", lambda: BatchForm(prefix="batch"))
    host_forms = {h.pk: form(f"host-{h.pk}", lambda h=h: PoAHostApprovalForm(prefix=f"host-{h.pk}"))
                  for h in offers.items("issue_host_approval")}
    payable = {fee.pk for fee in offers.items("record_fee_payment")}
    fees = [(fee, form(f"fee-{fee.pk}", lambda fee=fee: FeePaymentForm(prefix=f"fee-{fee.pk}")) if fee.pk in payable
             else None) for fee in poa.fees.all()]
    transitions = []
    for offer in offers.transitions():
        key = f"t-{offer.write.name}"
        transitions.append((offer.write, offer.blocked,
                            bound.get(key) or CPTransitionForm(spec=offer.write, obj=poa, prefix=key)))
    documents = [d for d in poa.documents.all() if d.kind not in CP_KINDS]
    context = {
        "poa": poa, "offers": offers, "forms": forms, "host_forms": host_forms, "fees": fees,
        "transitions": transitions, "hosts": selectors.poa_hosts(poa), "documents": documents,
        "page": page_get(request, selectors.poa_components(poa, request.user)),
        "notify": offers.has("notify_inclusion"),
        "batches": page_get(request, selectors.poa_batches(poa), param="batches", per_page=10),
    }
    return render(request, "poa/poa_detail.html", context, status=status)


def poa_page_render(request, poa, *, status=200):
    """The PoA page, for the consultation's views (projects.consultation.subjects_more)."""
    return _poa_page(request, poa, status=status)


def poa_detail(request, reference):
    return _poa_page(request, _poa_or_404(request.user, reference))


PRESSABLE = {t.name: t for t in POA.transitions if Role.TIMER not in t.actors}
CP_PRESSABLE = {t.name: t for t in COMPONENT.transitions if Role.TIMER not in t.actors}


def _transition_run(request, *, machine, obj, spec, form, kwargs, url):
    if not form.is_valid():
        for _field, errors in form.errors.items():
            messages.error(request, _("%(write)s: %(errors)s") % {"write": spec.label, "errors": " ".join(errors)})
        return redirect(url)
    try:
        obj = machine.call(spec.name, obj, user=request.user, comment=form.cleaned_data["comment"],
                           expected_state=form.cleaned_data.get("expected_state") or None, **kwargs)
    except Refused:
        raise
    except ServiceError as error:
        messages.error(request, _("%(write)s: %(message)s") % {"write": spec.label, "message": error.message})
        return redirect(url)
    messages.success(request, _("%(write)s: done.") % {"write": spec.label})
    return redirect(url)


@require_POST
@login_required
def poa_transition(request, reference, name):
    spec = PRESSABLE.get(name)
    if spec is None:
        raise Http404(_("No such action."))
    poa = _poa_or_404(request.user, reference)
    form = CPTransitionForm(request.POST, spec=spec, obj=poa, prefix=f"t-{name}")
    return _transition_run(request, machine=POA, obj=poa, spec=spec, form=form, kwargs={}, url=poa_url(poa))


def _poa_form(request, poa, *, key, form, call, success, anchor=""):
    return form_run(request, form=form, call=call, success=success, done_url=poa_url(poa, anchor),
                    show_again=lambda: _poa_page(request, poa, bound={key: form}))


def _engage(request, reference, *, name, key, what, success, service):
    poa = _poa_or_404(request.user, reference)
    offer = available_actions(request.user, poa).get(name)
    if offer is None or offer.blocked is not None:
        _refuse(what)
    form = EngageDOEForm(request.POST, prefix=key)
    return _poa_form(request, poa, key=key, form=form, success=success,
                     call=lambda d: service(poa=poa, user=request.user, doe=d["doe"]))


@require_POST
@login_required
def poa_engage_doe(request, reference):
    return _engage(request, reference, name="engage_doe", key="engage", what=_("engage a DOE"),
                   success=_("DOE engaged."), service=poa_services.poa_engage_doe)


@require_POST
@login_required
def poa_design(request, reference):
    poa = _poa_or_404(request.user, reference)
    if not available_actions(request.user, poa).has("edit_design"):
        _refuse(_("edit the PoA's design"))
    form = DesignForm(request.POST, prefix="design")
    return _poa_form(request, poa, key="design", form=form, success=_("Design saved."),
                     call=lambda d: poa_services.poa_edit_design(poa=poa, user=request.user, **d))


@require_POST
@login_required
def poa_host_approve(request, reference, host_id):
    poa = _poa_or_404(request.user, reference)
    hosts = {h.pk for h in available_actions(request.user, poa).items("issue_host_approval")}
    if host_id not in hosts:
        _refuse(_("approve the PoA for this Party"))
    form = PoAHostApprovalForm(request.POST, prefix=f"host-{host_id}")
    return _poa_form(request, poa, key=f"host-{host_id}", form=form, success=_("Host approval recorded."),
                     call=lambda d: poa_services.poa_host_approve(poa=poa, user=request.user, host=host_id, **d))


@require_POST
@login_required
def poa_document_upload(request, reference):
    poa = _poa_or_404(request.user, reference)
    offers = available_actions(request.user, poa)
    kinds = _upload_kinds(offers.roles, POA_UPLOADERS) if offers.has("upload_document") else ()
    if not kinds:
        _refuse(_("upload a document"))
    form = DocumentUploadForm(request.POST, request.FILES, kinds=kinds, prefix="upload")
    return _poa_form(request, poa, key="upload", form=form, success=_("Document uploaded."), anchor="documents",
                     call=lambda d: document_upload(activity=poa, user=request.user, kind=d["kind"],
                                                    uploaded=d["file"], title=d["title"]))


@require_POST
@login_required
def poa_authorization(request, reference):
    poa = _poa_or_404(request.user, reference)
    if not available_actions(request.user, poa).has("issue_authorization"):
        _refuse(_("issue the authorization statement"))
    form = AuthorizationStatementForm(request.POST, prefix="auth")
    return _poa_form(request, poa, key="auth", form=form, success=_("Authorization statement issued."),
                     call=lambda d: authorization_statement_issue(activity=poa, user=request.user, **d))


@require_POST
@login_required
def poa_fee_pay(request, reference, fee_id):
    poa = _poa_or_404(request.user, reference)
    fees = {fee.pk: fee for fee in available_actions(request.user, poa).items("record_fee_payment")}
    if fee_id not in fees:
        _refuse(_("record this fee"))
    form = FeePaymentForm(request.POST, prefix=f"fee-{fee_id}")
    return _poa_form(request, poa, key=f"fee-{fee_id}", form=form, success=_("Payment recorded."),
                     call=lambda d: fee_record_payment(fee=fees[fee_id], user=request.user, reference=d["reference"]))


@login_required
def cp_notify(request, reference):
    poa = _poa_or_404(request.user, reference)
    if not available_actions(request.user, poa).has("notify_inclusion"):
        _refuse(_("notify a component project"))
    form = CPNotifyForm(request.POST or None, poa=poa)
    if request.method == "POST":
        return form_run(
            request, form=form, success=_("Component project notified."), done_url=poa_url(poa, "components"),
            call=lambda d: poa_services.poa_notify_inclusion(poa=poa, user=request.user, **d),
            show_again=lambda: render(request, "poa/cp_form.html", {"form": form, "poa": poa}),
        )
    return render(request, "poa/cp_form.html", {"form": form, "poa": poa})


def _cp_page(request, cp, *, bound=None, status=200):
    bound = bound or {}
    offers = available_actions(request.user, cp)
    transitions = []
    for offer in offers.transitions():
        key = f"t-{offer.write.name}"
        transitions.append((offer.write, offer.blocked,
                            bound.get(key) or CPTransitionForm(spec=offer.write, obj=cp, prefix=key)))
    upload = None
    if offers.has("upload_document"):
        kinds = tuple(k for k, roles in CP_UPLOADERS.items() if set(roles) & {str(r) for r in offers.roles})
        if kinds:
            upload = bound.get("upload") or CPDocumentForm(kinds=kinds, prefix="upload")
    liability = selectors.cp_liability(cp)
    settle = None
    if liability is not None and available_actions(request.user, liability).has("settle"):
        from .forms import LiabilitySettleForm

        settle = bound.get("settle") or LiabilitySettleForm(doe=liability.doe, prefix="settle")
    engage = None
    if offers.get("engage_doe") is not None and offers.get("engage_doe").blocked is None:
        engage = bound.get("engage") or EngageDOEForm(prefix="engage")
    context = {"cp": cp, "offers": offers, "transitions": transitions, "upload": upload, "engage": engage,
               "liability": liability, "settle": settle, "exclusion": selectors.cp_exclusion(cp),
               "documents": selectors.cp_documents(cp),
               "confirmed": {c.pk for c in cp.criteria_confirmed.all()}}
    return render(request, "poa/cp_detail.html", context, status=status)


def cp_detail(request, reference):
    return _cp_page(request, _cp_or_404(request.user, reference))


@require_POST
@login_required
def cp_transition(request, reference, name):
    spec = CP_PRESSABLE.get(name)
    if spec is None:
        raise Http404(_("No such action."))
    cp = _cp_or_404(request.user, reference)
    form = CPTransitionForm(request.POST, spec=spec, obj=cp, prefix=f"t-{name}")
    kwargs = cp_transition_kwargs(name, form.cleaned_data) if form.is_valid() else {}
    return _transition_run(request, machine=COMPONENT, obj=cp, spec=spec, form=form, kwargs=kwargs, url=cp_url(cp))


def cp_transition_kwargs(name, data):
    """The inputs a CP transition's service takes beyond comment and state, from its valid form
    (the page and the API, projects/api_subjects.py)."""
    if name == "validate":
        return {"criteria": list(data.get("criteria") or [])}
    if name == "upload_inclusion":
        return {"crediting_start": data["crediting_start"], "crediting_end": data["crediting_end"]}
    if name == "include":
        return {"reference": data.get("reference", "")}
    return {}


@require_POST
@login_required
def cp_document_upload(request, reference):
    cp = _cp_or_404(request.user, reference)
    offers = available_actions(request.user, cp)
    kinds = tuple(k for k, roles in CP_UPLOADERS.items() if set(roles) & {str(r) for r in offers.roles}) \
        if offers.has("upload_document") else ()
    if not kinds:
        _refuse(_("upload a document"))
    form = CPDocumentForm(request.POST, request.FILES, kinds=kinds, prefix="upload")
    return form_run(request, form=form, success=_("Document uploaded."), done_url=cp_url(cp, "documents"),
                    call=lambda d: poa_services.cp_document_upload(cp=cp, user=request.user, kind=d["kind"],
                                                                   uploaded=d["file"]),
                    show_again=lambda: _cp_page(request, cp, bound={"upload": form}))



@require_POST
@login_required
def cp_engage_doe(request, reference):
    """PROC-AC-003 v03.0 paras 297, 304 (renewal-20): the participants name the DOE of a CP that records none."""
    cp = _cp_or_404(request.user, reference)
    offer = available_actions(request.user, cp).get("engage_doe")
    if offer is None or offer.blocked is not None:
        _refuse(_("engage a DOE for this component project"))
    form = EngageDOEForm(request.POST, prefix="engage")
    return form_run(request, form=form, success=_("DOE engaged."), done_url=cp_url(cp),
                    call=lambda d: poa_services.cp_engage_doe(cp=cp, user=request.user, doe=d["doe"]),
                    show_again=lambda: _cp_page(request, cp, bound={"engage": form}, status=400))

# --- monitoring per batch of CPs and the DOE's liability (PROC-AC-003 v03.0 paras 139, 217-222) ---

@require_POST
@login_required
def poa_monitoring_submit(request, reference):
    from .forms import BatchForm
    from .issuance import poa_period_submit

    poa = _poa_or_404(request.user, reference)
    if not available_actions(request.user, poa).has("submit_monitoring_report"):
        _refuse(_("submit a monitoring report"))
    form = BatchForm(request.POST, request.FILES, prefix="batch")
    return _poa_form(request, poa, key="batch", form=form, success=_("Monitoring report submitted."),
                     anchor="batches",
                     call=lambda d: poa_period_submit(poa=poa, user=request.user, start=d["start"], end=d["end"],
                                                      claims=d["lines"], report=d["report"]))


@require_POST
@login_required
def cp_liability_settle(request, reference):
    from .forms import LiabilitySettleForm
    from .liability import liability_settle

    cp = _cp_or_404(request.user, reference)
    liability = selectors.cp_liability(cp)
    if liability is None or not available_actions(request.user, liability).has("settle"):
        _refuse(_("settle the liability"))
    form = LiabilitySettleForm(request.POST, doe=liability.doe, prefix="settle")
    return form_run(request, form=form, success=_("The units owed are cancelled."), done_url=cp_url(cp, "liability"),
                    call=lambda d: liability_settle(liability=liability, user=request.user,
                                                    from_account=d["from_account"]),
                    show_again=lambda: _cp_page(request, cp, bound={"settle": form}))


@require_POST
@login_required
def poa_engage_verification_doe(request, reference):
    """PROC-AC-003 v03.0 para 203: the CME engages the DOE that verifies the PoA's batches."""
    return _engage(request, reference, name="engage_verification_doe", key="verification",
                   what=_("engage the verification DOE"), success=_("Verification DOE engaged."),
                   service=poa_services.poa_engage_verification_doe)
