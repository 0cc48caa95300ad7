"""The other subjects of `/api/v1/` (pacm issue 9): PoAs, component projects and CDM transition
requests, each with `GET .../actions` and `POST .../actions/{name}` (pacm.api.actions). Lookups go
through their apps' selectors, the same visibility as their web pages."""
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Path as PathParam
from ninja import Router

from pacm.api.actions import subject_routes
from pacm.api.api import api

from .poa import selectors as poa_selectors
from .poa.models import ComponentProject, Programme
from .transition import selectors as transition_selectors
from .transition.models import TransitionRequest

router = Router(tags=["programmes and transitions"])


def _ref():
    return PathParam(..., max_length=40, pattern=r"^[A-Za-z0-9-]+$")


def _poa(user, reference):
    try:
        return poa_selectors.poa_page_get(user=user, reference=reference)
    except Programme.DoesNotExist:
        raise Http404(_("There is no programme with this reference that you may see.")) from None


def _cp(user, reference):
    try:
        return poa_selectors.cp_page_get(user=user, reference=reference)
    except ComponentProject.DoesNotExist:
        raise Http404(_("There is no component project with this reference that you may see.")) from None


def _transition(user, pk):
    try:
        return transition_selectors.transition_request_page_get(user=user, pk=pk)
    except TransitionRequest.DoesNotExist:
        raise Http404(_("There is no transition request with this number that you may see.")) from None


def _subject(kind, reference):
    return lambda obj: {"kind": kind, "reference": str(reference(obj)), "state": obj.state}


subject_routes(router, kind="poa", path="/poas/{reference}", params=[("reference", str, _ref())], lookup=_poa,
               describe=_subject("poa", lambda o: o.reference), what="this programme of activities")
subject_routes(router, kind="cp", path="/cps/{reference}", params=[("reference", str, _ref())], lookup=_cp,
               describe=_subject("component", lambda o: o.reference), what="this component project")
subject_routes(router, kind="transition", path="/transitions/{pk}",
               params=[("pk", int, PathParam(..., ge=1, le=2**63 - 1))], lookup=_transition,
               describe=_subject("transition", lambda o: o.pk), what="this CDM transition request")



# --- Observed events and report due dates (A6.4-STAN-METH-002 v01.0 paras 21-25, 43-58) ----------
# Each write is read by the form the event page uses (reversals.forms.write_form) and runs through
# its machine's service (`EVENT.call` / `DUE.call`), as projects.reversals.views does. A write whose
# form takes a file (a report) is left to the web page.

from django import forms as django_forms  # noqa: E402

from pacm.api.actions import api_write, form_read  # noqa: E402

from .reversals.forms import FORMS as REVERSAL_FORMS  # noqa: E402
from .reversals.forms import WriteForm, write_form  # noqa: E402
from .reversals.machine import DUE, EVENT  # noqa: E402
from .reversals.models import ReportDue  # noqa: E402
from .reversals.views import _accounts, event_get_or_404  # noqa: E402
from .views.activity_page import activity_get_or_404  # noqa: E402


def _event(user, reference, number):
    return event_get_or_404(user=user, reference=reference, number=number)


def _due(user, reference, number):
    activity = activity_get_or_404(user=user, reference=reference)
    due = ReportDue.objects.select_related("activity").filter(activity=activity, number=number).first()
    if due is None:
        raise Http404(_("There is no such due date."))
    return due


def _reversal_write(machine, spec):
    def call(obj, user, body, item):
        accounts = _accounts(user, obj, spec.name) if machine is EVENT else ()
        form = form_read(lambda data: write_form(spec, obj, data, None, accounts=accounts), body,
                         prefix=f"w-{spec.name}", with_write_fields=True)
        return machine.call(spec.name, obj, user=user, **form.service_kwargs())

    return call


def _takes_a_file(spec):
    form_class = REVERSAL_FORMS.get(spec.name, WriteForm)
    return any(isinstance(f, django_forms.FileField) for f in form_class.base_fields.values())


for _machine in (EVENT, DUE):
    for _spec in _machine.writes.values():
        if _spec.internal or _spec.name in _machine.timed_names or _takes_a_file(_spec):
            continue
        api_write(_machine, _spec.name)(_reversal_write(_machine, _spec))

NUMBER = PathParam(..., ge=1, le=2**31 - 1)
subject_routes(router, kind="observed_event", path="/activities/{reference}/observed-events/{number}",
               params=[("reference", str, _ref()), ("number", int, NUMBER)], lookup=_event,
               describe=_subject("observed_event", lambda o: f"{o.activity.reference}/{o.number}"),
               what="this observed event")
subject_routes(router, kind="report_due", path="/activities/{reference}/report-dues/{number}",
               params=[("reference", str, _ref()), ("number", int, NUMBER)], lookup=_due,
               describe=_subject("report_due", lambda o: f"{o.activity.reference}/{o.number}"),
               what="this monitoring-report due date")



# --- Component project transitions with inputs, read by the CP page's own form --------------------

from .poa.forms import CPTransitionForm  # noqa: E402
from .poa.machines import COMPONENT  # noqa: E402
from .poa.views import cp_transition_kwargs  # noqa: E402


def _cp_write(name):
    spec = COMPONENT.write(name)

    def call(obj, user, body, item):
        """inputs: criteria (ids) for validate; crediting_start, crediting_end for upload_inclusion;
        reference for include."""
        form = form_read(lambda data: CPTransitionForm(data, spec=spec, obj=obj, prefix=f"t-{name}"), body,
                         prefix=f"t-{name}", with_write_fields=True)
        data = form.cleaned_data
        return COMPONENT.call(name, obj, user=user, comment=data["comment"],
                              expected_state=data.get("expected_state") or None, **cp_transition_kwargs(name, data))

    return call


for _name in ("validate", "upload_inclusion", "include"):
    api_write(COMPONENT, _name)(_cp_write(_name))


@api_write(COMPONENT, "engage_doe")
def _cp_engage_doe(obj, user, body, item):
    """inputs: doe (the DOE organisation's id); PROC-AC-003 v03.0 para 297 (renewal-20)."""
    from .forms import EngageDOEForm
    from .poa.services import cp_engage_doe

    data = form_read(lambda d: EngageDOEForm(d, prefix="api"), body, prefix="api").cleaned_data
    return cp_engage_doe(cp=obj, user=user, doe=data["doe"])



# --- The CDM transition request's own-form writes: the page's FORMS (form, call), as transition_act --

from .transition.machine import TRANSITION_MACHINE  # noqa: E402
from .transition.views import FORMS as TRANSITION_FORMS  # noqa: E402


def _transition_write(name):
    make, run = TRANSITION_FORMS[name]

    def call(obj, user, body, item):
        if item is not None:
            body.inputs.setdefault("item", item.pk)
        form = form_read(lambda data: make(data, obj), body, prefix="t")
        return run(obj, user, form.cleaned_data)

    return call


def _transition_form_takes_a_file(name):
    if name == "decide_as_board":  # its form needs the request (the proposals); it takes no file
        return False
    return any(isinstance(f, django_forms.FileField) for f in TRANSITION_FORMS[name][0](None, None).fields.values())


for _name in TRANSITION_FORMS:
    if not _transition_form_takes_a_file(_name):
        api_write(TRANSITION_MACHINE, _name)(_transition_write(_name))



# --- Consultation comments: the answer and the assessment, each on one published comment (item) -----

from pacm.engine.machines import machines as _machines  # noqa: E402

from .consultation.views import ANSWER, ASSESS  # noqa: E402


def _comment_write(spec_of):
    def call(obj, user, body, item):
        """item: the comment's id; inputs: text (and outcome for an assessment), as the page's form."""
        form = form_read(lambda data: spec_of["form_class"](data, prefix="api"), body, prefix="api")
        spec_of["call"](comment=item, user=user, **form.cleaned_data)
        return obj

    return call


for _m in _machines():
    for _spec_of in (ANSWER, ASSESS):
        if _spec_of["write"] in _m.writes:
            api_write(_m, _spec_of["write"])(_comment_write(_spec_of))



# --- Crediting-period renewals (A6.4-PROC-AC-002 v03.0 section 10; PROC-AC-003 v03.0 paras 277-305) ----
# Each write is read by the form the renewal page uses (renewals.forms.write_form) and runs through its
# machine (`machine.call`), as projects.renewals.views.renewal_act does. A write whose form takes a file
# (the DOE's validation report) is left to the web page.

from .api_writes import board_decide_write, board_vote_write  # noqa: E402
from .poa.machines import POA  # noqa: E402
from .renewals.forms import FORMS as RENEWAL_FORMS  # noqa: E402
from .renewals.forms import write_form as renewal_write_form  # noqa: E402
from .renewals.machine import MACHINES as RENEWAL_MACHINES  # noqa: E402
from .renewals.views import renewal_get_or_404  # noqa: E402

BOARD_WRITES = ("decide_as_board", "vote_as_board")


def _renewal(user, pk):
    return renewal_get_or_404(user=user, pk=pk)


def _renewal_write(machine, spec):
    def call(obj, user, body, item):
        form = form_read(lambda data: renewal_write_form(spec, obj, data, None), body, prefix=f"w-{spec.name}",
                         with_write_fields=True)
        return machine.call(spec.name, obj, user=user, **form.service_kwargs())

    return call


def _renewal_takes_a_file(spec):
    form_class = RENEWAL_FORMS.get(spec.name, WriteForm)
    return any(isinstance(f, django_forms.FileField) for f in form_class.base_fields.values())


for _machine in RENEWAL_MACHINES:
    for _spec in _machine.writes.values():
        if (_spec.internal or _spec.name in _machine.timed_names or _renewal_takes_a_file(_spec)
                or _spec.name in BOARD_WRITES):
            continue
        api_write(_machine, _spec.name)(_renewal_write(_machine, _spec))

# The Board's writes on every later subject go through the Board panel's adapters, as an activity's do
# (projects.api_writes: `decide_as_board` by meeting or electronically, `vote_as_board`).
for _machine in (*RENEWAL_MACHINES, POA, COMPONENT):
    api_write(_machine, "decide_as_board")(board_decide_write)
    api_write(_machine, "vote_as_board")(board_vote_write)

subject_routes(router, kind="renewal", path="/renewals/{pk}", params=[("pk", int, PathParam(..., ge=1, le=2**63 - 1))],
               lookup=_renewal, describe=_subject("renewal", lambda o: f"{o.subject_reference}/{o.number}"),
               what="this renewal of a crediting period")

api.add_router("", router)
