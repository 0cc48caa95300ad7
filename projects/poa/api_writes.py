"""The PoA's and the component project's own-form writes through the API (pacm issue 9).

Each adapter reads its inputs with the PoA page's (or CP page's) own form and calls the service
its view calls (projects.poa.views); the service checks actor, state and guards again:

- PoA `edit_design`: DesignForm, `poa_edit_design` (PROC-AC-003 v03.0 paras 16(d), 20);
- PoA `engage_doe` / `engage_verification_doe`: EngageDOEForm, `poa_engage_doe` /
  `poa_engage_verification_doe` (para 203);
- PoA `issue_host_approval`: item the PoA's host row (each host's DNA its own, para 26),
  PoAHostApprovalForm with the maximum annual amount (para 25(d)), `poa_host_approve`;
- PoA `raise_finding`, `answer_finding`, `close_finding`, `reopen_finding`, `issue_authorization`,
  `record_fee_payment`: the activity's adapters (a PoA is an Activity row; projects.api_routes);
- PoA `notify_inclusion`: CPNotifyForm, `poa_notify_inclusion` (para 91); the answer names the new CP;
- PoA `submit_monitoring_report`: BatchForm with the report, `poa_period_submit` (paras 201, 217-220);
- PoA `upload_document`, CP `upload_document`: the pages' upload forms (a file);
- PoA `request_renewal`: the activity's renewal adapter (projects.api_writes_more);
  CP `notify_renewal`: CPRenewalNotifyForm with the CP-DD and the report, `cp_renewal_notify` (paras 294-300).
"""
from pacm.api.actions import api_write, form_read, form_read_files, upload_routes
from pacm.engine.offers import available_actions

from ..api_routes import (
    _fee_record_payment,
    _finding_answer,
    _finding_close,
    _finding_raise,
    _finding_reopen,
    _issue_authorization,
    form_inputs,
)
from ..api_subjects import _cp, _poa, _ref, _subject
from ..api_subjects import router as subjects_router
from ..api_writes_more import _renewal_request
from ..forms import DocumentUploadForm, EngageDOEForm
from ..renewals import services as renewal_services
from ..renewals.forms import CPRenewalNotifyForm
from ..services import document_upload
from ..services.design import POA_UPLOADERS
from . import services as poa_services
from .forms import BatchForm, CPDocumentForm, CPNotifyForm, DesignForm, PoAHostApprovalForm
from .issuance import poa_period_submit
from .machines import COMPONENT, POA
from .services import CP_UPLOADERS
from .views import _upload_kinds


def _edit_design(obj, user, body, item):
    """inputs: criteria (one a line), typical_cps."""
    data = form_inputs(DesignForm, body)
    poa_services.poa_edit_design(poa=obj, user=user, expected_state=body.expected_state or None, **data)
    return obj


def _engage(service):
    def call(obj, user, body, item):
        """inputs: doe (the DOE organisation's id)."""
        service(poa=obj, user=user, doe=form_inputs(EngageDOEForm, body)["doe"])
        return obj

    return call


def _host_approval(obj, user, body, item):
    """item: the host row (offered to that host's DNA only); inputs: max_annual, sd_confirmation,
    ndc_relation, renewal_approved, sop_exemption_opt_out (paras 25-26)."""
    data = form_inputs(PoAHostApprovalForm, body)
    poa_services.poa_host_approve(poa=obj, user=user, host=item.pk, **data)
    return obj


def _notify_inclusion(obj, user, body, item):
    """inputs: title, host (the PoA's host row id), participants [ids], doe, location, technologies,
    start_date, crediting_type, crediting_start, crediting_end, estimated_annual. The answer's
    `created` is the new CP."""
    data = form_read(lambda d: CPNotifyForm(d, poa=obj, prefix="cp"), body, prefix="cp").cleaned_data
    return poa_services.poa_notify_inclusion(poa=obj, user=user, **data)


def _poa_upload(obj, user, body, item):
    """inputs: kind (one the caller's roles upload on a PoA), title; part `file`."""
    offers = available_actions(user, obj)
    kinds = _upload_kinds(offers.roles, POA_UPLOADERS)
    offers.require("upload_document" if kinds else "", "upload a document")
    form = form_read_files(lambda data, files: DocumentUploadForm(data, files, kinds=kinds, prefix="upload"), body,
                           prefix="upload")
    d = form.cleaned_data
    document_upload(activity=obj, user=user, kind=d["kind"], uploaded=d["file"], title=d["title"])
    return obj


def _batch_report(obj, user, body, item):
    """inputs: start, end, lines ("CP reference, vintage, t CO2e", one a line); part `report`."""
    form = form_read_files(lambda data, files: BatchForm(data, files, prefix="batch"), body, prefix="batch")
    d = form.cleaned_data
    return poa_period_submit(poa=obj, user=user, start=d["start"], end=d["end"], claims=d["lines"], report=d["report"])


api_write(POA, "edit_design")(_edit_design)
api_write(POA, "engage_doe")(_engage(poa_services.poa_engage_doe))
api_write(POA, "engage_verification_doe")(_engage(poa_services.poa_engage_verification_doe))
api_write(POA, "issue_host_approval")(_host_approval)
api_write(POA, "raise_finding")(_finding_raise)
api_write(POA, "answer_finding")(_finding_answer)
api_write(POA, "close_finding")(_finding_close)
api_write(POA, "reopen_finding")(_finding_reopen)
api_write(POA, "issue_authorization")(_issue_authorization)
api_write(POA, "record_fee_payment")(_fee_record_payment)
api_write(POA, "notify_inclusion")(_notify_inclusion)
api_write(POA, "upload_document", files=("file",))(_poa_upload)
api_write(POA, "submit_monitoring_report", files=("report",))(_batch_report)
api_write(POA, "request_renewal", files=("design",))(_renewal_request)


# --- The component project ----------------------------------------------------------------------

def _cp_upload(obj, user, body, item):
    """inputs: kind (CP-DD, validation report, inclusion form: as the caller's role uploads); part `file`."""
    offers = available_actions(user, obj)
    roles = {str(r) for r in offers.roles}
    kinds = tuple(k for k, who in CP_UPLOADERS.items() if set(who) & roles)
    offers.require("upload_document" if kinds else "", "upload a document")
    form = form_read_files(lambda data, files: CPDocumentForm(data, files, kinds=kinds, prefix="upload"), body,
                           prefix="upload")
    d = form.cleaned_data
    poa_services.cp_document_upload(cp=obj, user=user, kind=d["kind"], uploaded=d["file"])
    return obj


def _cp_renewal(obj, user, body, item):
    """inputs: baseline_update, estimated_annual; parts `design` (the updated CP-DD), `report` (its
    validation report)."""
    data = form_read_files(lambda d, files: CPRenewalNotifyForm(d, files, prefix="renewal"), body,
                           prefix="renewal").cleaned_data
    return renewal_services.cp_renewal_notify(cp=obj, user=user, **data)


api_write(COMPONENT, "upload_document", files=("file",))(_cp_upload)
api_write(COMPONENT, "notify_renewal", files=("design", "report"))(_cp_renewal)

upload_routes(subjects_router, kind="poa", path="/poas/{reference}", params=[("reference", str, _ref())],
              lookup=_poa, describe=_subject("poa", lambda o: o.reference), what="this programme of activities")
upload_routes(subjects_router, kind="cp", path="/cps/{reference}", params=[("reference", str, _ref())],
              lookup=_cp, describe=_subject("component", lambda o: o.reference), what="this component project")
