"""`GET .../actions` and `POST .../actions/{name}` for any subject of a registered machine.

The list is `available_actions(user, subject)` as it is (each offer with its blocker); a POST is
refused unless that list offers the write (`Offers.require`, as the web's views do), then runs the
same service the web form calls: a transition through `machine.call(name, ...)` (the service the
machine registered), an action through the adapter its app registered (`api_write`), which calls
that action's service. The service checks actor, state and guards again. The answer is the new
state and the events the write recorded on the subject's stream.
"""
import inspect
from dataclasses import dataclass

from django.db.models import Max
from django.utils.translation import gettext as _

from pacm.engine.machines import machine_for
from pacm.engine.offers import available_actions
from pacm.events.models import Event

from .events import event_out, viewer_of
from .problems import ApiProblem

# {(machine name, write name): adapter(obj, user, body, item) -> the subject after the write, or an Answer}
_ADAPTERS = {}


@dataclass(frozen=True)
class Answer:
    """An adapter's answer with what only this response shows (`result`: a new key's secret, once)."""

    subject: object = None
    result: dict | None = None


def api_write(machine, name):
    """Decorator: how the API calls write `name` of `machine` (its inputs, its service)."""
    machine.write(name)

    def register(fn):
        _ADAPTERS[(machine.name, name)] = fn
        return fn

    return register


def _transition_adapter(machine, spec):
    """A transition without inputs of its own: its registered service with comment and stale-page state."""
    if spec.inputs or not spec.is_transition:
        return None
    service = machine.services.get(spec.name)
    if service is None:
        return None
    params = inspect.signature(service).parameters

    def call(obj, user, body, item):
        kwargs = {"user": user}
        if "comment" in params:  # a few services take no reasons (the transition request's publish)
            kwargs["comment"] = body.comment
        if "expected_state" in params:
            kwargs["expected_state"] = body.expected_state or None
        return machine.call(spec.name, obj, **kwargs)

    return call


def adapter_for(machine, spec):
    return _ADAPTERS.get((machine.name, spec.name)) or _transition_adapter(machine, spec)


def offers_out(user, subject):
    machine = machine_for(subject)
    offers = available_actions(user, subject)
    rows = []
    for offer in offers:
        spec = offer.write
        rows.append({
            "name": spec.name, "label": str(spec.label), "kind": "transition" if spec.is_transition else "action",
            "role": str(offer.actor.role.value) if getattr(offer.actor, "role", None) else "",
            "blocked": None if offer.blocked is None else {
                "code": getattr(offer.blocked, "code", "blocked"), "message": str(offer.blocked)},
            "item": getattr(offer.item, "pk", None), "item_label": None if offer.item is None else str(offer.item),
            "in_api": adapter_for(machine, spec) is not None, "needs_reason": spec.needs_reason,
            "inputs": list(spec.inputs),
        })
    return {"state": subject.state, "actions": rows}


def action_take(*, user, subject, name, body, describe):
    """Take write `name` on `subject` for `user`; {"subject", "events"} or a problem (ServiceError)."""
    machine = machine_for(subject)
    spec = machine.writes.get(name)
    if spec is None:
        raise ApiProblem(404, "write_unknown", _("There is no write %(name)s here.") % {"name": name}, field="name")
    offers = available_actions(user, subject)
    item = None
    if getattr(spec, "items", None) is not None:
        offers.require(name, spec.label.lower())  # deny by default: refused before the item is read
        if body.item is None:
            raise ApiProblem(400, "item_required", _("Name the item (its id) this write applies to."), field="item")
        item = next((o.item for o in offers if o.name == name and getattr(o.item, "pk", None) == body.item), None)
        if item is None:
            offers.require(name, spec.label.lower(), item=object())  # refused: not offered on this item
    else:
        offers.require(name, spec.label.lower())
    adapter = adapter_for(machine, spec)
    if adapter is None:
        raise ApiProblem(400, "not_in_api", _("%(write)s is taken on the web page; the API does not take it yet.")
                         % {"write": spec.label}, field="name")
    stream = machine.stream_of(subject)
    before = Event.objects.filter(stream=stream).aggregate(last=Max("sequence"))["last"] or 0
    result = adapter(subject, user, body, item)
    answer = result if isinstance(result, Answer) else Answer(subject=result)
    after = answer.subject if isinstance(answer.subject, machine.model) else type(subject).objects.get(pk=subject.pk)
    events = Event.objects.filter(stream=stream, sequence__gt=before).select_related("organisation").order_by("sequence")
    viewer = viewer_of(user, after, machine)
    return {"subject": describe(after), "events": [event_out(e, viewer) for e in events[:50]], "result": answer.result}


def subject_routes(router, *, kind, path, params, lookup, describe, what):
    """`GET {path}/actions` and `POST {path}/actions/{name}` on `router` for one kind of subject.

    `params`: [(name, type, ninja.Path(...))] of the path; `lookup(user, **params)` the subject the
    user may see (Http404 otherwise); `describe(obj)` its {"kind", "reference", "state"}.
    """
    from ninja import Path as PathParam

    from .api import ERRORS
    from .auth import SIGNED_IN
    from .schemas import ActionIn, ActionOut, OffersOut

    keyword = inspect.Parameter.KEYWORD_ONLY
    path_params = [inspect.Parameter(n, keyword, default=d, annotation=t) for n, t, d in params]
    request_param = inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD)

    def offers(request, **kwargs):
        return offers_out(request.auth.user, lookup(request.auth.user, **kwargs))

    def act(request, body, name, **kwargs):
        subject = lookup(request.auth.user, **kwargs)
        return action_take(user=request.auth.user, subject=subject, name=name, body=body, describe=describe)

    offers.__signature__ = inspect.Signature([request_param, *path_params])
    act.__signature__ = inspect.Signature([
        request_param, inspect.Parameter("body", keyword, annotation=ActionIn),
        inspect.Parameter("name", keyword, annotation=str,
                          default=PathParam(..., max_length=60, pattern=r"^[a-z_]+$")),
        *path_params,
    ])
    router.get(f"{path}/actions", response={200: OffersOut, **ERRORS}, url_name=f"{kind}_actions",
               operation_id=f"{kind}_actions", summary=f"What you may do on {what} now, and what blocks it")(offers)
    router.post(f"{path}/actions/{{name}}", response={200: ActionOut, **ERRORS}, auth=SIGNED_IN,
                url_name=f"{kind}_act", operation_id=f"{kind}_act", summary=f"Take a write on {what}")(act)


def form_read(make_form, body, *, prefix, with_write_fields=False):
    """The write's inputs read by the web form itself (its bounds and id checks): `make_form(data)`
    builds the bound form from a query dict with the form's `prefix`. Its first error is a
    ServiceError naming the field. `with_write_fields`: the form also carries comment and
    expected_state (the reversal writes' forms)."""
    from django.http import QueryDict

    from pacm.common.errors import ServiceError

    values = dict(body.inputs)
    if with_write_fields:
        values.update(comment=body.comment, expected_state=body.expected_state or "")
    query = QueryDict(mutable=True)
    for name, value in values.items():
        items = value if isinstance(value, list) else [value]
        query.setlist(f"{prefix}-{name}", ["" if v is None else str(v) for v in items])
    form = make_form(query)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise ServiceError(" ".join(str(e) for e in errors), field=None if field == "__all__" else field,
                           code="invalid_input")
    return form


ROWS_MAX = 100  # a body's rows (claims, distribution lines) at most; the formsets' own max_num bound them further


def formset_read(make_formset, rows, *, prefix, field):
    """The rows of a write read by the web's own formset: `rows` is a list of objects, each row's
    keys the formset form's fields. `make_formset(data)` builds the bound formset with `prefix`.
    A bad row is a ServiceError whose field is its path (`lines.1.account`); `field` names the list."""
    from django.http import QueryDict

    from pacm.common.errors import ServiceError

    if rows is None:
        rows = []
    if not isinstance(rows, list) or len(rows) > ROWS_MAX or not all(isinstance(r, dict) for r in rows):
        raise ServiceError(_("Give %(field)s as a list of at most %(max)s objects.") % {"field": field, "max": ROWS_MAX},
                           field=field, code="invalid_input")
    query = QueryDict(mutable=True)
    query.update({f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0",
                  f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"})
    for index, row in enumerate(rows):
        for name, value in row.items():
            if isinstance(value, (dict, list)):
                raise ServiceError(_("Give a plain value here."), field=f"{field}.{index}.{name}", code="invalid_input")
            query[f"{prefix}-{index}-{name}"] = "" if value is None else str(value)
    formset = make_formset(query)
    if not formset.is_valid():
        for index, errors in enumerate(formset.errors):
            for name, messages in errors.items():
                path = f"{field}.{index}" if name == "__all__" else f"{field}.{index}.{name}"
                raise ServiceError(" ".join(str(m) for m in messages), field=path, code="invalid_input")
        messages = formset.non_form_errors()
        raise ServiceError(" ".join(str(m) for m in messages), field=field, code="invalid_input")
    return formset
