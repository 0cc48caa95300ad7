"""What a refused write says to a person when the page they pressed it on was out of date
(pacm issue 9, "People"): what changed, who changed it and when, and a link back to the object's
page, instead of the generic "you may not do this".

A write is refused as stale when the subject's state moved since the page was rendered
(`stale_page`: the form carried `expected_state`) or when the write is no longer possible in the
state it is in now (`wrong_state`); pacm.engine.run.write_run raises both with the subject attached
(`error.subject`).
"""
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme

STALE_CODES = frozenset({"stale_page", "wrong_state"})

# The page of each kind of subject a machine writes on (model name → URL name and its kwargs).
_PAGES = {
    "activity": ("activity-detail", lambda o: {"reference": o.reference}),
    "programme": ("poa-detail", lambda o: {"reference": o.reference}),
    "componentproject": ("cp-detail", lambda o: {"reference": o.reference}),
    "monitoringperiod": ("period-detail", lambda o: {"reference": o.activity.reference, "number": o.number}),
    "transitionrequest": ("transition-detail", lambda o: {"pk": o.pk}),
    "renewalrequest": ("renewal-detail", lambda o: {"pk": o.pk}),
    "account": ("registry-account", lambda o: {"number": o.number}),
}


def subject_url(subject):
    """The URL of the subject's own page, or None when it has none."""
    page = _PAGES.get(type(subject)._meta.model_name)
    if page is None:
        for model in type(subject).__mro__:
            meta = getattr(model, "_meta", None)
            if meta is not None and meta.model_name in _PAGES:
                page = _PAGES[meta.model_name]
                break
    if page is None:
        return None
    name, kwargs = page
    try:
        return reverse(name, kwargs=kwargs(subject))
    except (NoReverseMatch, AttributeError):
        return None


def last_change(subject):
    """The event that brought the subject into its present state (who, when, which step), or None."""
    from pacm.engine.machines import machine_for
    from pacm.events.models import Event

    try:
        machine = machine_for(subject)
    except LookupError:
        return None
    context = machine.event_context(subject) if machine.event_context is not None else {}
    filters = {f"payload__{key}": value for key, value in (context or {}).items()}
    return (
        Event.objects.filter(stream=machine.stream_of(subject), to_state=subject.state, **filters)
        .select_related("organisation").order_by("-sequence").first()
    )


def stale_context(request, error):
    """The stale-page template's context for a refusal, or None when it is no stale-page refusal."""
    subject = getattr(error, "subject", None)
    if error.code not in STALE_CODES or subject is None:
        return None
    from pacm.engine.machines import machine_for
    from pacm.engine.run import describe

    subject.refresh_from_db()
    event = last_change(subject)
    step = ""
    if event is not None and event.payload.get("transition"):
        try:
            step = str(machine_for(subject).write(event.payload["transition"]).label)
        except (LookupError, KeyError, AttributeError):
            step = ""
    back = subject_url(subject)
    referer = request.headers.get("referer", "")
    if back is None and referer and url_has_allowed_host_and_scheme(referer, {request.get_host()}):
        back = referer
    return {
        "exception": error.message, "subject": describe(subject), "state": subject.get_state_display(),
        "event": event, "step": step, "back_url": back,
    }
