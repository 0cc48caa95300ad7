"""The rest of the activity's, the period's and the later subjects' writes through the API (pacm issue 9).

Each adapter reads its inputs with the web page's own form (`form_read`, `form_read_files`) and calls
the service the web view calls; the service checks actor, state and guards again. A write that takes
a file is declared with its file parts (`api_write(..., files=...)`): it is posted as
multipart/form-data to `POST .../actions/{name}/upload` (pacm.api.actions.upload_routes), whose
parts the web form reads as it reads the page's upload (pacm.common.uploads in the form's service).

- activity `edit_pdd`: ActivityForm, `services.activity_update`; the fields not given keep their value;
- activity `notify_observed_event`: ObservedEventNotifyForm, `observed_event_notify` (STAN-METH-002 para 43);
- activity `request_monitoring_termination`: TerminationRequestForm (its evidence optional), para 28;
- activity / PoA `request_renewal`: RenewalRequestForm with the design file, `renewal_request`
  (PROC-AC-002 v03.0 paras 235, 238; PROC-AC-003 v03.0 paras 274-293);
- activity / period `upload_document`: DocumentUploadForm, `services.document_upload`;
- activity `submit_monitoring_report`: PeriodSubmitForm + ClaimFormSet with the report, `period_submit` (RMP 50);
- observed event `submit_preliminary` / `submit_full_report`: the event page's ReportForm (paras 45-47);
- transition request `vote_as_board`: the Board panel's vote; `submit_finalised_period`: the revised
  report (PROC-AC-001 v06.0 para 55(a)(i));
- renewal / PoA renewal `validate_renewal`: the DOE's validation report (PROC-AC-002 v03.0 para 241);
- stress test `run_stress_test`: StressTestForm, `stress_test_run` (STAN-METH-002 paras 60-61),
  with the stress test's own subject routes (`/stress-tests/{pk}`).
"""
import json
from types import SimpleNamespace

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Path as PathParam
from ninja import Router

from pacm.api.actions import api_write, form_read, form_read_files, formset_read, subject_routes, upload_routes
from pacm.api.api import api
from pacm.common.errors import ServiceError

from . import services
from .api_routes import NUMBER, REF, activity_or_404, activity_subject, period_or_404, period_subject
from .api_routes import router as activities_router
from .api_subjects import _renewal, _subject, _transition
from .api_subjects import router as subjects_router
from .api_writes import board_vote_write, monitoring_report_submitted
from .forms import ActivityForm, ClaimFormSet, DocumentUploadForm, PeriodSubmitForm
from .machines import ACTIVITY, PERIOD
from .removals import services as removal_services
from .removals.forms import StressTestForm, TerminationRequestForm
from .removals.machine import STRESS_TEST
from .removals.models import StressTest
from .removals.stress import stress_test_run
from .renewals import services as renewal_services
from .renewals.forms import write_form as renewal_write_form
from .renewals.machine import MACHINES as RENEWAL_MACHINES
from .renewals.views import open_form as renewal_open_form
from .reversals.forms import ObservedEventNotifyForm, write_form
from .reversals.machine import EVENT
from .reversals.views import _accounts, event_get_or_404
from .services.design import PDD_FIELDS, RISK_FIELDS
from .transition.machine import TRANSITION_MACHINE
from .transition.views import FORMS as TRANSITION_FORMS
from .views.activity_page import activity_offers
from .views.period_page import period_offers


def _invalid(message, field):
    return ServiceError(message, field=field, code="invalid_input")


# --- The activity's own forms ---------------------------------------------------------------------

def _current(form, name):
    """A field's current value as the page's form would post it (its initial, prepared)."""
    field = form.fields[name]
    value = field.prepare_value(form.initial.get(name))
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    if isinstance(value, bool):
        return "on" if value else ""
    return "" if value is None else str(value)


def _edit_pdd(obj, user, body, item):
    """inputs: any of the PDD fields (services.design.PDD_FIELDS, RISK_FIELDS); the others keep their value."""
    initial = {f: getattr(obj, f) for f in (*PDD_FIELDS, *RISK_FIELDS)}
    blank = ActivityForm(initial=initial)
    given = dict(body.inputs)
    unknown = sorted(set(given) - set(blank.fields))
    if unknown:
        raise _invalid(_("These fields cannot be edited: %(unknown)s.") % {"unknown": ", ".join(unknown)}, unknown[0])
    values = {name: _current(blank, name) for name in blank.fields if name not in given}
    values = {k: v for k, v in values.items() if v not in ("", [])}
    form = form_read(lambda data: ActivityForm(data, initial=initial, prefix="pdd"),
                     SimpleNamespace(inputs={**values, **given}), prefix="pdd")
    return services.activity_update(activity=obj, user=user, expected_state=body.expected_state or None,
                                    **form.cleaned_data)


def _observed_event_notify(obj, user, body, item):
    """inputs: description, location, occurred_from, occurred_to (optional), aware_on (para 43)."""
    form = form_read(lambda data: ObservedEventNotifyForm(data, prefix="observed"), body, prefix="observed")
    return services.observed_event_notify(activity=obj, user=user, **form.cleaned_data)


def _termination_request(obj, user, body, item):
    """inputs: ground (a, b), demonstration; the optional part `evidence` (para 28)."""
    form = form_read_files(lambda data, files: TerminationRequestForm(data, files, prefix="termination"), body,
                           prefix="termination")
    return removal_services.termination_request(activity=obj, user=user, **form.cleaned_data)


def _renewal_request(obj, user, body, item):
    """inputs: validation_doe, baseline_update, additionality_update, estimated_annual, methodology_version,
    methodology_change; part `design` (the updated design document)."""
    data = form_read_files(lambda data, files: renewal_open_form(obj, data, files), body, prefix="renewal").cleaned_data
    return renewal_services.renewal_request(
        subject=obj, user=user, validation_doe=data["validation_doe"], baseline_update=data["baseline_update"],
        additionality_update=data["additionality_update"], estimated_annual=data["estimated_annual"],
        design=data["design"], methodology_version=data.get("methodology_version"),
        methodology_change=data.get("methodology_change", ""))


def _upload_read(offers, body):
    """The web's upload form over the kinds the page offers the caller (none: refused as on the page)."""
    offers.require(offers.upload_kinds, "upload documents")
    return form_read_files(lambda data, files: DocumentUploadForm(data, files, kinds=offers.upload_kinds,
                                                                  prefix="upload"), body, prefix="upload").cleaned_data


def _activity_upload(obj, user, body, item):
    """inputs: kind (one the caller's roles upload), title; part `file`."""
    d = _upload_read(activity_offers(activity=obj, user=user), body)
    services.document_upload(activity=obj, user=user, kind=d["kind"], uploaded=d["file"], title=d["title"])
    return obj


def _period_upload(obj, user, body, item):
    """inputs: kind (one the caller's roles upload on a period), title; part `file`."""
    d = _upload_read(period_offers(period=obj, user=user), body)
    services.document_upload(activity=obj.activity, user=user, kind=d["kind"], uploaded=d["file"], title=d["title"],
                             period=obj)
    return obj


def _monitoring_report(obj, user, body, item):
    """inputs: start, end, claims [{vintage, quantity, storage}]; part `report` (RMP 50)."""
    values = {k: v for k, v in body.inputs.items() if k != "claims"}
    body_form = SimpleNamespace(inputs={**values, "comment": body.comment}, files=getattr(body, "files", None))
    form = form_read_files(lambda data, files: PeriodSubmitForm(data, files, prefix="report"), body_form,
                           prefix="report")
    claims = body.inputs.get("claims")
    if isinstance(claims, str):  # a multipart field holds the rows as JSON text
        try:
            claims = json.loads(claims)
        except ValueError:
            raise _invalid(_("Give the claims as a JSON list of rows."), "claims") from None
    formset = formset_read(lambda q: ClaimFormSet(q, prefix="claims"), claims, prefix="claims", field="claims")
    return monitoring_report_submitted(activity=obj, user=user, form=form, formset=formset)


api_write(ACTIVITY, "edit_pdd")(_edit_pdd)
api_write(ACTIVITY, "notify_observed_event")(_observed_event_notify)
api_write(ACTIVITY, "request_monitoring_termination", files=("evidence",), files_optional=True)(_termination_request)
api_write(ACTIVITY, "request_renewal", files=("design",))(_renewal_request)
api_write(ACTIVITY, "upload_document", files=("file",))(_activity_upload)
api_write(ACTIVITY, "submit_monitoring_report", files=("report",))(_monitoring_report)
api_write(PERIOD, "upload_document", files=("file",))(_period_upload)


# --- The observed event's reports (A6.4-STAN-METH-002 v01.0 paras 45-47) -----------------------------

def _event_report(name):
    spec = EVENT.write(name)

    def call(obj, user, body, item):
        """inputs: as the event page's form; part `report`."""
        accounts = _accounts(user, obj, name)
        form = form_read_files(lambda data, files: write_form(spec, obj, data, files, accounts=accounts), body,
                               prefix=f"w-{name}", with_write_fields=True)
        return EVENT.call(name, obj, user=user, **form.service_kwargs())

    return call


for _name in ("submit_preliminary", "submit_full_report"):
    api_write(EVENT, _name, files=("report",))(_event_report(_name))


# --- The CDM transition request: the Board member's vote, the finalised period's report --------------

def _finalised_period(obj, user, body, item):
    """item: the provisional row; part `report` (the revised monitoring report, PROC-AC-001 v06.0 para 55(a)(i))."""
    make, run = TRANSITION_FORMS["submit_finalised_period"]
    inputs = {**body.inputs, "item": item.pk} if item is not None else dict(body.inputs)
    form = form_read_files(lambda data, files: _with_files(make(data, obj), files),
                           SimpleNamespace(inputs=inputs, files=getattr(body, "files", None)), prefix="t")
    return run(obj, user, form.cleaned_data)


def _with_files(form, files):
    form.files = files  # as the page's view gives the transition forms their files (transition_act)
    return form


api_write(TRANSITION_MACHINE, "vote_as_board")(board_vote_write)
api_write(TRANSITION_MACHINE, "submit_finalised_period", files=("report",))(_finalised_period)


# --- The DOE's validation of a renewal (PROC-AC-002 v03.0 para 241; PROC-AC-003 v03.0 para 289) -------

def _validate_renewal(machine):
    spec = machine.write("validate_renewal")

    def call(obj, user, body, item):
        """part `report`: the validation report for the renewal."""
        form = form_read_files(lambda data, files: renewal_write_form(spec, obj, data, files), body,
                               prefix="w-validate_renewal", with_write_fields=True)
        return machine.call("validate_renewal", obj, user=user, **form.service_kwargs())

    return call


for _machine in RENEWAL_MACHINES:
    if "validate_renewal" in _machine.writes:
        api_write(_machine, "validate_renewal", files=("report",))(_validate_renewal(_machine))


# --- The buffer pool's stress test (A6.4-STAN-METH-002 v01.0 paras 60-61) -----------------------------

def _stress_run(obj, user, body, item):
    """inputs: largest, region, region_share, band_low, band_high, band_share (percent); the new test."""
    form = form_read(lambda data: StressTestForm(data, prefix="stress"), body, prefix="stress")
    return stress_test_run(user=user, parameters=form.parameters())


api_write(STRESS_TEST, "run_stress_test")(_stress_run)


def _stress_test(user, pk):
    """The secretariat and the SB see the stress tests (para 60); anyone else: not found."""
    from pacm.parties.roles import Role, actor_for_role

    if not (actor_for_role(user, Role.SECRETARIAT) or actor_for_role(user, Role.SB)):
        raise Http404(_("There is no stress test that you may see."))
    test = StressTest.objects.select_related("rule_set").filter(pk=pk).first()
    if test is None:
        raise Http404(_("There is no stress test that you may see."))
    return test


stress_router = Router(tags=["reversal risk buffer"])
PK = PathParam(..., ge=1, le=2**63 - 1)
subject_routes(stress_router, kind="stress_test", path="/stress-tests/{pk}", params=[("pk", int, PK)],
               lookup=_stress_test, describe=lambda t: {"kind": "stress_test", "reference": str(t.pk), "state": t.state},
               what="this stress test of the buffer pool")
api.add_router("", stress_router)


# --- The multipart routes of the subjects whose writes take a file ------------------------------------

upload_routes(activities_router, kind="activity", path="/{reference}", params=[("reference", str, REF)],
              lookup=activity_or_404, describe=activity_subject, what="this activity")
upload_routes(activities_router, kind="period", path="/{reference}/periods/{number}",
              params=[("reference", str, REF), ("number", int, NUMBER)], lookup=period_or_404,
              describe=period_subject, what="this monitoring period")
upload_routes(subjects_router, kind="observed_event", path="/activities/{reference}/observed-events/{number}",
              params=[("reference", str, REF), ("number", int, NUMBER)],
              lookup=lambda user, reference, number: event_get_or_404(user=user, reference=reference, number=number),
              describe=_subject("observed_event", lambda o: f"{o.activity.reference}/{o.number}"),
              what="this observed event")
upload_routes(subjects_router, kind="transition", path="/transitions/{pk}", params=[("pk", int, PK)],
              lookup=_transition, describe=_subject("transition", lambda o: o.pk), what="this CDM transition request")
upload_routes(subjects_router, kind="renewal", path="/renewals/{pk}", params=[("pk", int, PK)], lookup=_renewal,
              describe=_subject("renewal", lambda o: f"{o.subject_reference}/{o.number}"),
              what="this renewal of a crediting period")
