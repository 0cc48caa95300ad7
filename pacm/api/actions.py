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

from pacm.common.errors import ServiceError
from pacm.engine.machines import machine_for
from pacm.engine.offers import available_actions
from pacm.events.models import Event

from .events import event_out, viewer_of
from .problems import ApiProblem

# {(machine name, write name): adapter(obj, user, body, item) -> the subject after the write, or an Answer}
_ADAPTERS = {}
# {(machine name, write name): (the file parts it takes, whether a JSON body without them will do)}
FILE_WRITES = {}
UPLOAD_PARTS = ("file", "report", "design", "evidence")  # the web forms' FileFields the uploads route takes


@dataclass(frozen=True)
class Answer:
    """An adapter's answer with what only this response shows (`result`: a new key's secret, once)."""

    subject: object = None
    result: dict | None = None


def api_write(machine, name, *, files=(), files_optional=False):
    """Decorator: how the API calls write `name` of `machine` (its inputs, its service).

    `files`: the write takes files (the web form's FileFields, named as the form names them); it is
    then posted as multipart/form-data to `POST .../actions/{name}/upload` (`upload_routes`), and a
    JSON `POST .../actions/{name}` is answered with a problem naming that route, unless
    `files_optional` (the file is optional on the web form too: JSON takes the write without it)."""
    machine.write(name)
    unknown = set(files) - set(UPLOAD_PARTS)
    if unknown:
        raise ValueError(f"{machine.name}.{name}: no upload part {sorted(unknown)} (UPLOAD_PARTS)")

    def register(fn):
        _ADAPTERS[(machine.name, name)] = fn
        if files:
            FILE_WRITES[(machine.name, name)] = (tuple(files), files_optional)
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


def upload_endpoint(machine, spec, base):
    """The multipart route of a write that takes a file (`base`: the subject's path), else None."""
    if (machine.name, spec.name) not in FILE_WRITES or base is None:
        return None
    return f"{base}/actions/{spec.name}/upload"


def offers_out(user, subject, base=None):
    """`base`: the subject's API path, to name the multipart route of the writes that take a file."""
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
            "in_api": adapter_for(machine, spec) is not None, "endpoint": upload_endpoint(machine, spec, base),
            "needs_reason": spec.needs_reason,
            "inputs": list(spec.inputs),
        })
    return {"state": subject.state, "actions": rows}


def _created_out(obj):
    """What a write created (a CP notified on its PoA, a renewal, a period, an observed event)."""
    machine = machine_for(obj)
    reference = getattr(obj, "reference", None)
    if not reference and getattr(obj, "number", None) is not None:
        owner = getattr(obj, "activity", None) or getattr(obj, "subject", None)
        reference = f"{getattr(owner, 'reference', '')}/{obj.number}" if owner is not None else str(obj.number)
    return {"kind": machine.name, "reference": str(reference or obj.pk), "state": str(obj.state)}


def _registered(obj):
    try:
        return machine_for(obj)
    except LookupError:  # not a subject of any machine: nothing created to name
        return None


def _stream(obj):
    """The event stream `obj`'s writes record on (its machine's owner's); None for a subject without one."""
    try:
        return machine_for(obj).stream_of(obj)
    except AttributeError:
        from pacm.registry.models import Account
        from pacm.registry.services.accounts import account_stream

        return account_stream(obj) if isinstance(obj, Account) else None


def action_take(*, user, subject, name, body, describe, base=None, upload=False):
    """Take write `name` on `subject` for `user`; {"subject", "events", "created"} or a problem (ServiceError).

    `upload`: the body came as multipart (`upload_routes`), with its files in `body.files`."""
    machine = machine_for(subject)
    spec = machine.writes.get(name)
    if spec is None:
        raise ApiProblem(404, "write_unknown", _("There is no write %(name)s here.") % {"name": name}, field="name")
    takes_files = FILE_WRITES.get((machine.name, name))
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
    if upload and takes_files is None:
        raise ApiProblem(400, "no_file_taken", _("%(write)s takes no file: post it as JSON to %(endpoint)s.")
                         % {"write": spec.label, "endpoint": f"{base}/actions/{name}"}, field="name",
                         params={"endpoint": f"{base}/actions/{name}"})
    if getattr(body, "invalid_inputs", False):
        raise ServiceError(_("Give the inputs as a JSON object."), field="inputs", code="invalid_input")
    if takes_files is not None and not upload and not takes_files[1]:
        endpoint = upload_endpoint(machine, spec, base)
        raise ApiProblem(400, "multipart_required",
                         _("%(write)s takes a file: post it as multipart/form-data to %(endpoint)s.")
                         % {"write": spec.label, "endpoint": endpoint}, field="name", params={"endpoint": endpoint})
    stream = _stream(subject)
    before = Event.objects.filter(stream=stream).aggregate(last=Max("sequence"))["last"] or 0
    result = adapter(subject, user, body, item)
    answer = result if isinstance(result, Answer) else Answer(subject=result)
    result = answer.subject
    created = None
    if result is not None and not isinstance(result, machine.model) and _registered(result) is not None:
        created = result  # a new subject of its own machine (a CP, a renewal, a period, an account)
    if isinstance(result, machine.model) and result.pk != subject.pk:
        created = result  # a new subject of the same machine (the next stress test)
    after = result if isinstance(result, machine.model) and created is None else type(subject).objects.get(pk=subject.pk)
    events = []
    if stream is not None:
        events = list(Event.objects.filter(stream=stream, sequence__gt=before).select_related("organisation")
                      .order_by("sequence")[:50])
    own = None if created is None else _stream(created)
    if own is not None and own != stream:  # its own new stream: every event on it is this write's
        events += list(Event.objects.filter(stream=own).select_related("organisation").order_by("sequence")[:50])
    viewer = viewer_of(user, after, machine)
    return {"subject": describe(after), "events": [event_out(e, viewer) for e in events[:50]],
            "created": None if created is None else _created_out(created), "result": answer.result}


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
        return offers_out(request.auth.user, lookup(request.auth.user, **kwargs), base=_base(request.path, "/actions"))

    def act(request, body, name, **kwargs):
        subject = lookup(request.auth.user, **kwargs)
        return action_take(user=request.auth.user, subject=subject, name=name, body=body, describe=describe,
                           base=_base(request.path, f"/actions/{name}"))

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


def _base(path, tail):
    """The subject's API path, from the request's (`.../actions`, `.../actions/{name}[/upload]`)."""
    return path[: path.rfind(tail)] if tail in path else path


def upload_routes(router, *, kind, path, params, lookup, describe, what):
    """`POST {path}/actions/{name}/upload` on `router`: a write that takes a file, as multipart/form-data.

    The parts: `inputs` (the write's inputs as a JSON object), `comment`, `expected_state`, `item`
    (as in the JSON body of `POST .../actions/{name}`), and the file parts the write's web form
    takes (`file`, `report`, `design`, `evidence`; `GET .../actions` names the route in `endpoint`).
    The same refusals, then the adapter reads the fields and files with the web's own form (the
    web's upload checks: pacm.common.uploads, in the form and the service)."""
    import json
    from types import SimpleNamespace

    from ninja import File, Form
    from ninja import Path as PathParam
    from ninja.files import UploadedFile

    from .api import ERRORS
    from .auth import SIGNED_IN
    from .schemas import ActionOut

    keyword = inspect.Parameter.KEYWORD_ONLY
    path_params = [inspect.Parameter(n, keyword, default=d, annotation=t) for n, t, d in params]

    def upload(request, name, inputs, comment, expected_state, item, **kwargs):
        try:
            values = json.loads(inputs or "{}")
        except ValueError:
            values = None
        files = {part: kwargs.pop(part) for part in UPLOAD_PARTS if kwargs.get(part) is not None}
        for part in UPLOAD_PARTS:
            kwargs.pop(part, None)
        subject = lookup(request.auth.user, **kwargs)
        body = SimpleNamespace(inputs=values if isinstance(values, dict) else {}, comment=comment or "",
                               expected_state=expected_state or None, item=item, files=files,
                               invalid_inputs=not isinstance(values, dict))  # refused after the offers
        return action_take(user=request.auth.user, subject=subject, name=name, body=body, describe=describe,
                           base=_base(request.path, f"/actions/{name}/upload"), upload=True)

    upload.__signature__ = inspect.Signature([
        inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD),
        inspect.Parameter("name", keyword, annotation=str,
                          default=PathParam(..., max_length=60, pattern=r"^[a-z_]+$")),
        inspect.Parameter("inputs", keyword, annotation=str, default=Form(
            "{}", max_length=20_000, description="The write's own inputs, a JSON object (see the docs)")),
        inspect.Parameter("comment", keyword, annotation=str, default=Form("", max_length=5000)),
        inspect.Parameter("expected_state", keyword, annotation=str | None, default=Form(
            None, max_length=40, description="The state you saw: refused if it changed")),
        inspect.Parameter("item", keyword, annotation=int | None, default=Form(None, ge=1, le=2**63 - 1)),
        *[inspect.Parameter(part, keyword, annotation=UploadedFile | None, default=File(None))
          for part in UPLOAD_PARTS],
        *path_params,
    ])
    router.post(f"{path}/actions/{{name}}/upload", response={200: ActionOut, **ERRORS}, auth=SIGNED_IN,
                url_name=f"{kind}_upload", operation_id=f"{kind}_upload",
                summary=f"Take a write that takes a file on {what} (multipart)")(upload)


def form_read_files(make_form, body, *, prefix, with_write_fields=False):
    """`form_read` for a form that takes files: `make_form(data, files)`; the body's files (the
    multipart parts, `upload_routes`) under the form's prefix, as the web page posts them."""
    from django.utils.datastructures import MultiValueDict

    files = MultiValueDict({f"{prefix}-{name}": [upload] for name, upload in (getattr(body, "files", None) or {}).items()})
    return form_read(lambda data: make_form(data, files), body, prefix=prefix, with_write_fields=with_write_fields)


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
