"""The writes whose web form is composite or a formset, through `POST .../actions/{name}` (pacm issue 9).

Each adapter reads its inputs with the web's own form (and formset: `pacm.api.actions.formset_read`)
and calls the service the web view calls; the service checks actor, state and guards again:

- period `certify`: `inputs.verified` {vintage: units} (a PoA batch: {CP reference: {vintage: units}}),
  CertifyForm / BatchCertifyForm, `certify_call` (RMP 51; PROC-AC-003 v03.0 para 220);
- period `request_issuance` / `resubmit_issuance`: `inputs.units_requested`, `inputs.omge_rate` (the
  OMGE election, RMP 59), `inputs.lines` [{account, units | percent}] (RMP 60), IssuanceRequestForm +
  DistributionFormSet, `services.period_request_issuance` (RMP 52);
- activity `issue_host_approval`: HostApprovalForm, `services.host_approval_issue` (RMP 40-41);
- activity / period `decide_as_board`: `inputs.mode` "meeting" (MeetingDecisionForm) or "electronic"
  (ElectronicDecisionForm), the Board panel's services (RMP 22; PROC-AC-002 v03.0 paras 102-103);
  `vote_as_board`: `inputs.choice` on the subject's open decision (VoteForm, `board_vote_cast`);
- risk assessment `submit_revision`: RiskRevisionForm, `RISK.call` (A6.4-STAN-METH-002 v01.0 paras 38-41, 49),
  with the revision's own subject routes (`/activities/{reference}/risk-assessments/{number}`).

The monitoring report (RMP 50) takes a file: `POST /activities/{reference}/monitoring-reports` (multipart), below.
"""
import json
from types import SimpleNamespace

from django.db.models import Max
from django.http import Http404, QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import File, Form, Schema
from ninja.files import UploadedFile

from pacm.api.actions import api_write, form_read, formset_read, subject_routes
from pacm.api.api import ERRORS
from pacm.api.auth import ApiAuth
from pacm.api.events import EventViewer, activity_of_register, event_out
from pacm.api.schemas import EventOut, SubjectOut
from pacm.common.errors import ServiceError
from pacm.events.models import Event

from . import services
from .api_routes import NUMBER, REF, activity_before_body, activity_or_404, period_subject, router
from .board.forms import ElectronicDecisionForm, MeetingDecisionForm, VoteForm
from .board.models import Decision
from .board.services import board_decision_open_electronic, board_decision_record_meeting, board_vote_cast
from .board.subjects import subject_kind_of
from .board.views import _proposals
from .forms import ClaimFormSet, HostApprovalForm, PeriodSubmitForm, RiskRevisionForm
from .machines import ACTIVITY, PERIOD
from .models import Activity
from .risk import services as _risk_services  # noqa: F401  (the revision's services, registered on RISK)
from .risk.machine import RISK
from .views.activity_page import activity_offers
from .views.issuance import SERVICES as ISSUANCE_SERVICES
from .views.period_page import certify_call, certify_form, issuance_forms


@activity_of_register
def _activity_of(subject, machine):
    """The activity whose timeline shows `subject`'s events (pacm.api.events.viewer_of)."""
    if isinstance(subject, Activity):
        return subject
    find = getattr(machine, "event_activity", None)
    activity = find(subject) if find else None
    return activity if isinstance(activity, Activity) else None


def _body(inputs, comment="", expected_state=None):
    """A body as `form_read` reads it, with the inputs the adapter built."""
    return SimpleNamespace(inputs=inputs, comment=comment, expected_state=expected_state)


def _invalid(message, field):
    return ServiceError(message, field=field, code="invalid_input")


# --- The DOE's verification and certification opinion (RMP 51) -----------------------------------

def _certify(obj, user, body, item):
    """inputs: verified {vintage: units}; for a PoA batch {CP reference: {vintage: units}}."""
    given = body.inputs.get("verified")
    if not isinstance(given, dict) or not given:
        raise _invalid(_("Give the verified quantity for every vintage claimed, as {vintage: units}."), "verified")
    blank = certify_form(period=obj)
    values, paths = {}, {}
    if obj.activity.kind == "poa":  # a PoA batch: one field per CP line (PROC-AC-003 v03.0 para 220)
        names = {(reference, str(vintage)): name for name, (reference, vintage) in blank.keys.items()}
        for reference, per in given.items():
            if not isinstance(per, dict):
                raise _invalid(_("Give this CP's verified quantities as {vintage: units}."), f"verified.{reference}")
            for vintage, units in per.items():
                name = names.get((reference, str(vintage)))
                if name is None:
                    raise _invalid(_("Nothing is claimed for this CP and vintage."), f"verified.{reference}.{vintage}")
                values[name], paths[name] = units, f"verified.{reference}.{vintage}"
    else:
        claimed = {str(v) for v in blank.vintages}
        for vintage, units in given.items():
            if str(vintage) not in claimed:
                raise _invalid(_("Nothing is claimed for this vintage."), f"verified.{vintage}")
            values[f"verified_{vintage}"], paths[f"verified_{vintage}"] = units, f"verified.{vintage}"
    values["comment"] = body.comment
    try:
        form = form_read(lambda data: certify_form(period=obj, data=data), _body(values), prefix="certify")
    except ServiceError as error:
        error.field = paths.get(error.field, error.field)
        raise
    return certify_call(period=obj, form=form, user=user)


# --- The issuance request: the OMGE election and the distribution lines (RMP 52, 59-60) ----------

def _issuance(name):
    def call(obj, user, body, item):
        """inputs: units_requested, omge_rate (empty: the rule set's minimum), lines [{account, units | percent}]."""
        values = {k: v for k, v in body.inputs.items() if k != "lines"}
        values["comment"] = body.comment
        form = form_read(lambda data: issuance_forms(period=obj, data=data)[0], _body(values), prefix="issue")
        lines = formset_read(lambda data: issuance_forms(period=obj, data=data)[1], body.inputs.get("lines"),
                             prefix="lines", field="lines")
        data = form.cleaned_data
        return ISSUANCE_SERVICES[name](period=obj, user=user, units_requested=data["units_requested"],
                                       lines=lines.lines(), omge_rate=data["omge_rate"], comment=data["comment"])

    return call


# --- The DNA's host approval (RMP 40-41) ---------------------------------------------------------

def _host_approval(obj, user, body, item):
    """inputs: sd_confirmation, ndc_relation, authorized_participants [organisation ids], renewal_approved,
    sop_exemption_opt_out."""
    form = form_read(lambda data: HostApprovalForm(data, activity=obj, prefix="host"), body, prefix="host")
    services.host_approval_issue(activity=obj, user=user, **form.cleaned_data)
    return obj


# --- The Board: a meeting's decision, an electronic decision opened, a member's vote --------------

BOARD_MODES = {
    "meeting": (MeetingDecisionForm, "board-meeting", board_decision_record_meeting,
                "record a decision of the Board"),
    "electronic": (ElectronicDecisionForm, "board-open", board_decision_open_electronic,
                   "open an electronic decision of the Board"),
}


def board_decide_write(obj, user, body, item):
    """inputs: mode (meeting, electronic), transition (the proposal); for a meeting: meeting, agenda_item,
    outcome, by, yes, no, abstain; the reasons in comment."""
    mode = body.inputs.get("mode")
    if mode not in BOARD_MODES:
        raise _invalid(_("Say how the Board decides: mode is meeting or electronic."), "mode")
    form_class, prefix, service, what = BOARD_MODES[mode]
    proposals = _proposals(SimpleNamespace(user=user), obj, what)  # the panel's own refusal
    inputs = {k: v for k, v in body.inputs.items() if k != "mode"}
    form = form_read(lambda data: form_class(data, proposals=proposals, prefix=prefix),
                     _body(inputs, body.comment), prefix=prefix, with_write_fields=True)
    service(subject=obj, user=user, **form.cleaned_data)
    return None  # the subject is read again: an adopted decision moved it


def board_vote_write(obj, user, body, item):
    """inputs: choice (yes, no, abstain) on the subject's open electronic decision."""
    kind = subject_kind_of(obj)
    decision = (Decision.objects.filter(subject_kind=kind.key, subject_id=obj.pk, status=Decision.Status.OPEN)
                .order_by("-pk").first())
    if decision is None:
        raise ServiceError(_("No decision of the Board is open for votes here."), code="no_open_board_decision")
    form = form_read(lambda data: VoteForm(data, prefix="board-vote"), body, prefix="board-vote")
    board_vote_cast(decision=decision, user=user, choice=form.cleaned_data["choice"])
    return None  # the last vote may close the decision and move the subject


# --- The reversal risk rating's revision (A6.4-STAN-METH-002 v01.0 paras 38-41, 49) ---------------

def _risk_submit(obj, user, body, item):
    """inputs: rating (percent), negligible (true when the assessment finds a negligible risk)."""
    spec = RISK.write("submit_revision")
    form = form_read(lambda data: RiskRevisionForm(data, spec=spec, assessment=obj, prefix="risk"), body,
                     prefix="risk", with_write_fields=True)
    data = form.cleaned_data
    return RISK.call("submit_revision", obj, user=user, comment=data["comment"],
                     expected_state=data.get("expected_state") or None, rating=data["rating"],
                     negligible=data["negligible"])


def _risk_assessment(user, reference, number):
    activity = activity_or_404(user, reference)
    assessment = activity.risk_assessments.select_related("activity").filter(number=number).first()
    if assessment is None:
        raise Http404(_("There is no such risk assessment."))
    return assessment


def _issuance_confirm(obj, user, body, item):
    """pacm issue 9: the participants confirm the request as submitted; no inputs (the comment, the
    state the client saw)."""
    return services.period_confirm_issuance_request(period=obj, user=user, comment=body.comment,
                                                    expected_state=body.expected_state or None)


api_write(PERIOD, "certify")(_certify)
api_write(PERIOD, "confirm_issuance_request")(_issuance_confirm)
api_write(PERIOD, "request_issuance")(_issuance("request_issuance"))
api_write(PERIOD, "resubmit_issuance")(_issuance("resubmit_issuance"))
api_write(ACTIVITY, "issue_host_approval")(_host_approval)
for _machine in (ACTIVITY, PERIOD):
    api_write(_machine, "decide_as_board")(board_decide_write)
    api_write(_machine, "vote_as_board")(board_vote_write)
api_write(RISK, "submit_revision")(_risk_submit)

subject_routes(router, kind="risk_assessment", path="/{reference}/risk-assessments/{number}",
               params=[("reference", str, REF), ("number", int, NUMBER)], lookup=_risk_assessment,
               describe=lambda r: {"kind": "risk_assessment", "reference": f"{r.activity.reference}/{r.number}",
                                   "state": r.state},
               what="this reversal risk assessment")


# --- The monitoring report with its claims per vintage (RMP 50): a file, so multipart -------------

class PeriodSubmitOut(Schema):
    subject: SubjectOut
    events: list[EventOut]


def _reports_on(user, *, reference, **_path):
    """Before the multipart body is read (deny by default): the activity visible (404), the report
    offered to the caller (403); then ninja's 422 for a body of the wrong shape."""
    activity = activity_before_body(user, reference)
    offers = activity_offers(activity=activity, user=user)
    offers.require(offers.period_submit, "submit a monitoring report")
    return activity


def monitoring_report_submitted(*, activity, user, form, formset):
    """`services.period_submit` from the web's validated PeriodSubmitForm and ClaimFormSet; the upload
    check's refusal names the API's part (`report`), not the form's file field."""
    d = form.cleaned_data
    try:
        return services.period_submit(activity=activity, user=user, start=d["start"], end=d["end"],
                                      claims=formset.claims(), report=d["report"], comment=d["comment"],
                                      storage=formset.storage() or None)
    except ServiceError as error:
        if error.field == "file":
            error.field = "report"
        raise


REPORTS_ON = ApiAuth(anonymous=False, check=_reports_on)


@router.post("/{reference}/monitoring-reports", response={200: PeriodSubmitOut, **ERRORS}, auth=REPORTS_ON,
             url_name="monitoring_report_submit", operation_id="monitoring_report_submit",
             summary="Submit a monitoring report with its claims per vintage (multipart)")
def monitoring_report_submit(request, start: str = Form(..., max_length=10), end: str = Form(..., max_length=10),
                  claims: str = Form(..., max_length=5000,
                                     description='JSON: [{"vintage": 2025, "quantity": 1000, "storage": null}]'),
                  comment: str = Form("", max_length=5000), report: UploadedFile = File(...),
                  reference: str = REF):
    """The web's PeriodSubmitForm and ClaimFormSet, then `services.period_submit` (RMP 50)."""
    user, activity = request.auth.user, request.auth.subject  # visible, the report offered (_reports_on)
    try:
        rows = json.loads(claims)
    except ValueError:
        raise _invalid(_("Give the claims as a JSON list of rows."), "claims") from None
    data = QueryDict(mutable=True)
    data.update({"start": start, "end": end, "comment": comment})
    form = PeriodSubmitForm(data, MultiValueDict({"report": [report]}))
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise _invalid(" ".join(str(e) for e in errors), None if field == "__all__" else field)
    formset = formset_read(lambda q: ClaimFormSet(q, prefix="claims"), rows, prefix="claims", field="claims")
    stream = ACTIVITY.stream_of(activity)
    before = Event.objects.filter(stream=stream).aggregate(last=Max("sequence"))["last"] or 0
    period = monitoring_report_submitted(activity=activity, user=user, form=form, formset=formset)
    events = Event.objects.filter(stream=stream, sequence__gt=before).select_related("organisation").order_by("sequence")
    viewer = EventViewer(request.auth.user, activity)  # as the page's timeline shows them to this caller
    return {"subject": period_subject(period), "events": [event_out(e, viewer) for e in events[:50]]}
