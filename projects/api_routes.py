"""The cycle's part of `/api/v1/` (pacm issue 9): activities, their periods, PoAs, component projects
and CDM transition requests: reads through projects' selectors (the web's visibility), writes
through `pacm.api.actions` (available_actions, then the same services the web forms call).

Found by `pacm.api.apps.ApiConfig.ready()` (autodiscovery of `api_routes`): pacm/ never imports us.
"""
import re

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja import Path as PathParam

from pacm.api.actions import api_write, form_read, subject_routes
from pacm.api.api import ERRORS, api
from pacm.api.events import EventViewer, event_out
from pacm.api.paging import LIMIT_DEFAULT, LIMIT_MAX, cursor_page
from pacm.api.schemas import EventOut
from pacm.parties.roles import user_kinds

from . import selectors, services
from .forms import AuthorizationStatementForm, EngageDOEForm, TransitionForm
from .machines import ACTIVITY, PERIOD
from .models import Activity, MonitoringPeriod

router = Router(tags=["activities"])
REF = PathParam(..., max_length=40, pattern=r"^[A-Za-z0-9-]+$")
NUMBER = PathParam(..., ge=1, le=2**31 - 1)
NESTED_MAX = 50  # each nested list of the activity: its newest/first 50; the full lists are paged apart


class ActivityOut(Schema):
    reference: str
    title: str
    state: str
    host: str
    methodology: str
    scope: int
    crediting_type: str
    crediting_start: str
    crediting_end: str


class ActivityPage(Schema):
    items: list[ActivityOut]
    next: str | None


class DocumentOut(Schema):
    kind: str
    version: int | None
    sha256: str | None
    uploaded_at: str | None


class FindingOut(Schema):
    id: int
    number: int
    kind: str
    status: str
    raised_by: str


class RequestOut(Schema):
    units_requested: int
    gross: int | None
    net: int | None
    requested_at: str
    issued_at: str | None


class PeriodOut(Schema):
    number: int
    start: str
    end: str
    state: str
    issuance: RequestOut | None = None


class PeriodPage(Schema):
    items: list[PeriodOut]
    next: str | None


class EventPage(Schema):
    items: list[EventOut]
    next: str | None


class ActivityDetailOut(ActivityOut):
    participants: list[str]
    documents: list[DocumentOut]
    findings: list[FindingOut]
    periods: list[PeriodOut]
    events: list[EventOut]
    truncated: list[str] = Field(description="Nested lists cut at their first 50 rows (page them apart)")


class ActivitiesIn(Schema):
    cursor: str | None = Field(None, max_length=40)
    limit: int = Field(LIMIT_DEFAULT, ge=1, le=LIMIT_MAX)
    host: str | None = Field(None, min_length=2, max_length=2, description="Host Party, ISO 3166 alpha-2")
    state: str | None = Field(None, max_length=40)
    methodology: str | None = Field(None, max_length=40, description="Methodology code")
    scope: int | None = Field(None, ge=1, le=99, description="Sectoral scope number")
    type: Activity.CreditingType | None = Field(None, description="Crediting type")
    participant: int | None = Field(None, ge=1, le=2**63 - 1, description="A participant organisation's id")
    search: str | None = Field(None, max_length=200, description="In the reference or title")


def activity_out(a):
    return {"reference": a.reference, "title": a.title, "state": a.state, "host": a.host_party.iso2,
            "methodology": a.methodology_version.methodology.code, "scope": a.sectoral_scope.number,
            "crediting_type": a.crediting_type, "crediting_start": a.crediting_start.isoformat(),
            "crediting_end": a.crediting_end.isoformat()}


def _visible(user):
    return selectors.activities_visible_to(user, kinds=user_kinds(user))


@router.get("", response={200: ActivityPage, **ERRORS}, summary="Activities you may see, newest first")
def activities(request, params: Query[ActivitiesIn]):
    rows = selectors.activity_detail_queryset().filter(pk__in=_visible(request.auth.user).values("pk"))
    if params.host:
        rows = rows.filter(host_party__iso2=params.host.upper())
    if params.state:
        rows = rows.filter(state=params.state)
    if params.methodology:
        rows = rows.filter(methodology_version__methodology__code=params.methodology)
    if params.scope:
        rows = rows.filter(sectoral_scope__number=params.scope)
    if params.type:
        rows = rows.filter(crediting_type=params.type)
    if params.participant:
        rows = rows.filter(participants=params.participant)
    if params.search:
        rows = rows.filter(Q(reference__iexact=params.search.strip()) | Q(title__icontains=params.search.strip()))
    return cursor_page(rows, cursor=params.cursor, limit=params.limit, row=activity_out)


def activity_or_404(user, reference):
    try:
        return selectors.activity_page_get(user=user, reference=reference)
    except Activity.DoesNotExist:
        raise Http404(_("There is no activity with this reference that you may see.")) from None


REF_SHAPE = re.compile(r"[A-Za-z0-9-]{1,40}")  # REF's pattern and bound


def activity_before_body(user, reference):
    """`activity_or_404` for a route's `ApiAuth(check=...)`, which runs before ninja validates the
    path (REF): a reference of another shape is no activity (404)."""
    if not isinstance(reference, str) or not REF_SHAPE.fullmatch(reference):
        raise Http404(_("There is no activity with this reference that you may see."))
    return activity_or_404(user, reference)


def period_out(p):
    issuance = getattr(p, "issuance", None)  # a period without a request has none
    return {"number": p.number, "start": p.start.isoformat(), "end": p.end.isoformat(), "state": p.state,
            "issuance": None if issuance is None else {
                "units_requested": issuance.units_requested, "gross": issuance.gross, "net": issuance.net,
                "requested_at": issuance.requested_at.isoformat(),
                "issued_at": issuance.issued_at.isoformat() if issuance.issued_at else None}}


def _periods(activity):
    return MonitoringPeriod.objects.filter(activity=activity).select_related("issuance")


def _document_out(document):
    latest = next(iter(document.versions.all()), None)  # prefetched newest first
    return {"kind": document.kind, "version": latest.number if latest else None,
            "sha256": latest.sha256 if latest else None,
            "uploaded_at": latest.uploaded_at.isoformat() if latest else None}


@router.get("/{reference}", response={200: ActivityDetailOut, **ERRORS},
            summary="One activity with its documents, findings, periods (with their requests) and events")
def activity(request, reference: str = REF):
    a = activity_or_404(request.auth.user, reference)
    documents, findings = list(a.documents.all()), list(a.findings.all())
    periods = list(_periods(a).order_by("-number")[: NESTED_MAX + 1])
    events = list(selectors.activity_timeline(a).order_by("-sequence")[: NESTED_MAX + 1])
    viewer = EventViewer(request.auth.user, a)  # the payloads as the page's timeline shows them to this caller
    cut = [name for name, rows in (("documents", documents), ("findings", findings), ("periods", periods),
                                   ("events", events)) if len(rows) > NESTED_MAX]
    return {**activity_out(a), "participants": [o.name for o in a.participants.all()],
            "documents": [_document_out(d) for d in documents[:NESTED_MAX]],
            "findings": [{"id": f.pk, "number": f.number, "kind": f.kind, "status": f.status,
                          "raised_by": f.raised_by.name} for f in findings[:NESTED_MAX]],
            "periods": [period_out(p) for p in periods[:NESTED_MAX]],
            "events": [event_out(e, viewer) for e in events[:NESTED_MAX]], "truncated": cut}


class PageIn(Schema):
    cursor: str | None = Field(None, max_length=40)
    limit: int = Field(LIMIT_DEFAULT, ge=1, le=LIMIT_MAX)


@router.get("/{reference}/events", response={200: EventPage, **ERRORS}, summary="The activity's events, newest first")
def activity_events(request, page: Query[PageIn], reference: str = REF):
    a = activity_or_404(request.auth.user, reference)
    viewer = EventViewer(request.auth.user, a)
    return cursor_page(selectors.activity_timeline(a), key="sequence", cursor=page.cursor, limit=page.limit,
                       row=lambda e: event_out(e, viewer))


@router.get("/{reference}/periods", response={200: PeriodPage, **ERRORS}, summary="The monitoring periods, newest first")
def activity_periods(request, page: Query[PageIn], reference: str = REF):
    a = activity_or_404(request.auth.user, reference)
    return cursor_page(_periods(a), key="number", cursor=page.cursor, limit=page.limit, row=period_out)


def activity_subject(a):
    return {"kind": "activity", "reference": a.reference, "state": a.state}


def period_or_404(user, reference, number):
    try:
        return selectors.period_page_get(user=user, reference=reference, number=number)
    except MonitoringPeriod.DoesNotExist:
        raise Http404(_("There is no such monitoring period that you may see.")) from None


def period_subject(p):
    return {"kind": "period", "reference": f"{p.activity.reference}/{p.number}", "state": p.state}


subject_routes(router, kind="activity", path="/{reference}", params=[("reference", str, REF)], lookup=activity_or_404,
               describe=activity_subject, what="this activity")
subject_routes(router, kind="period", path="/{reference}/periods/{number}",
               params=[("reference", str, REF), ("number", int, NUMBER)], lookup=period_or_404,
               describe=period_subject, what="this monitoring period")


# --- The actions' inputs: each calls the service its web form calls ------------------------------

def _input(body, name):
    value = body.inputs.get(name, "")
    return value if isinstance(value, str) else str(value)


def _finding_raise(obj, user, body, item):
    """inputs: kind (car, cl, far), text."""
    where = {"activity": obj, "period": None} if isinstance(obj, Activity) else {"activity": obj.activity, "period": obj}
    services.finding_raise(user=user, kind=_input(body, "kind"), text=_input(body, "text"),
                           expected_state=body.expected_state or None, **where)
    return obj


def _finding_answer(obj, user, body, item):
    """inputs: response."""
    services.finding_answer(finding=item, user=user, response=_input(body, "response"))
    return obj


def _finding_close(obj, user, body, item):
    services.finding_close(finding=item, user=user, comment=body.comment)
    return obj


def _finding_reopen(obj, user, body, item):
    services.finding_reopen(finding=item, user=user, comment=body.comment)
    return obj


def _fee_record_payment(obj, user, body, item):
    """inputs: reference (the payment's)."""
    services.fee_record_payment(fee=item, user=user, reference=_input(body, "reference"))
    return obj


def form_inputs(form_class, body, **kwargs):
    """The inputs read by the web's own form (pacm.api.actions.form_read); its cleaned data."""
    return form_read(lambda data: form_class(data, prefix="api", **kwargs), body, prefix="api").cleaned_data


def _engage(name):
    def call(obj, user, body, item):
        """inputs: doe (the DOE organisation's id)."""
        data = form_inputs(EngageDOEForm, body)
        service = services.activity_change_doe if name == "change_doe" else services.activity_engage_doe
        service(activity=obj, user=user, doe=data["doe"])
        return obj

    return call


def _issue_authorization(obj, user, body, item):
    """inputs: the authorization statement form's fields (uses, effective_from, first_transfer, ...)."""
    services.authorization_statement_issue(activity=obj, user=user, **form_inputs(AuthorizationStatementForm, body))
    return obj


def _validate(obj, user, body, item):
    """inputs: risk_rating_accepted (true) where the methodology needs a buffer (A6.4-STAN-METH-002 paras 38-40)."""
    spec = ACTIVITY.write("validate")
    form = form_read(lambda data: TransitionForm(data, spec=spec, activity=obj, prefix="t-validate"), body,
                     prefix="t-validate", with_write_fields=True)
    data = form.cleaned_data
    extra = {"risk_rating_accepted": data["risk_rating_accepted"]} if "risk_rating_accepted" in data else {}
    return ACTIVITY.call("validate", obj, user=user, comment=data["comment"],
                         expected_state=data.get("expected_state") or None, **extra)


api_write(ACTIVITY, "validate")(_validate)
api_write(ACTIVITY, "engage_doe")(_engage("engage_doe"))
api_write(ACTIVITY, "change_doe")(_engage("change_doe"))
api_write(ACTIVITY, "issue_authorization")(_issue_authorization)

for _machine in (ACTIVITY, PERIOD):
    api_write(_machine, "raise_finding")(_finding_raise)
    api_write(_machine, "answer_finding")(_finding_answer)
    api_write(_machine, "close_finding")(_finding_close)
    api_write(_machine, "reopen_finding")(_finding_reopen)
    api_write(_machine, "record_fee_payment")(_fee_record_payment)

# Document uploads (multipart), the composite and formset writes and the monitoring report: on this router.
from . import api_documents, api_writes  # noqa: E402,F401

api.add_router("/activities", router)

# pacm issue 9: the remaining writes, and the multipart routes of the writes that take a file.
from . import api_subjects, api_writes_more  # noqa: E402,F401  (PoAs, CPs, transition requests; the rest)
from .poa import api_writes as _poa_api_writes  # noqa: E402,F401
