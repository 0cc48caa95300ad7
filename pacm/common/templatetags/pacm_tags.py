"""Small display helpers for the templates: due dates, states, hashes."""

from django import template
from django.utils import timezone

register = template.Library()

# Styles by state value, for the states every machine shares by name; others are "primary".
_STATE_STYLE = {
    "draft": "secondary",
    "registered": "success",
    "issued": "success",
    "withdrawn": "dark",
    "rejected": "danger",
    "deregistered": "danger",
    "request_incomplete": "warning",
    "issuance_incomplete": "warning",
}


def _state_labels():
    """Every registered machine's state labels (pacm.engine.machines: the tag names no app).

    Later machines first, so the activity's labels win over a period's for a value both share."""
    from pacm.engine.machines import machines

    labels = {}
    for machine in reversed(machines()):
        labels.update(dict(machine.states.choices))
    return labels


@register.filter
def state_label(value):
    """The human label of an activity or monitoring-period state value."""
    return _state_labels().get(value, value)


@register.filter
def state_style(value):
    return _STATE_STYLE.get(value, "primary")


@register.filter
def days_left(due_at):
    """Whole calendar days from today to the due date (negative once overdue), or None."""
    if not due_at:
        return None
    from pacm.common import clock

    return (timezone.localdate(due_at) - clock.today()).days  # the demo clock's day in a demo


@register.inclusion_tag("includes/due.html")
def due(due_at):
    """A badge: 'N days left', 'due today' or 'N days overdue'."""
    days = days_left(due_at)
    return {"due_at": due_at, "days": days, "overdue": -days if days is not None and days < 0 else 0}


@register.filter
def short_hash(value, length=12):
    return (value or "")[: int(length)]


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key)


_PAYLOAD_SHOWN_APART = {"documents", "transition", "sha256"}


@register.filter
def payload_items(payload):
    """An event payload's simple fields, without those the timeline shows on their own."""
    items = []
    for key, value in (payload or {}).items():
        if key in _PAYLOAD_SHOWN_APART or value in (None, "", [], {}):
            continue
        if isinstance(value, (list, tuple)):
            value = ", ".join(str(v) for v in value)
        items.append((key.replace("_", " "), value))
    return items


@register.filter
def role_label(value):
    """'dna' -> 'Host Party DNA'; the timer and unknown roles are shown as they are."""
    from pacm.parties.models import Organisation
    from pacm.parties.roles import ORG_KIND_ROLE_REVERSE, Role

    try:
        return Organisation.Kind(ORG_KIND_ROLE_REVERSE[Role(value)]).label
    except (KeyError, ValueError):
        return value


@register.filter
def duration_words(value):
    """A timedelta in words: '30 minutes', '2 hours', '1 day'."""
    seconds = int(value.total_seconds()) if value else 0
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            n = seconds // size
            return f"{n} {unit}{'' if n == 1 else 's'}"
    return f"{seconds} seconds"


# --- What the page's viewer may read (item 5 of issue 11) -------------------------------------
# Each is computed once per request: the templates ask it row by row.
_MISSING = object()


def _request_cached(context, key, compute):
    request = context.get("request")
    if request is None:
        return compute(None)
    cache = request.__dict__.setdefault("_pacm_viewer_cache", {})
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = cache[key] = compute(getattr(request, "user", None))
    return value


def _revealed_numbers(context):
    from pacm.registry.selectors import account_numbers_revealed_to

    return _request_cached(context, "accounts", account_numbers_revealed_to)


@register.simple_tag(takes_context=True)
def account_revealed(context, number):
    """Whether the viewer may see this account's number and holder: its holder or the secretariat.

    Anyone else reads what the public unit registry shows of a private holding account
    (pacm.registry.selectors.PRIVATE_HOLDER), never its number or name.
    """
    revealed = _revealed_numbers(context)
    return revealed is None or str(number) in revealed


@register.simple_tag(takes_context=True)
def payment_details_shown(context, activity):
    """Whether the viewer may read the payment references of this activity's fees."""
    from pacm.parties.roles import Role, roles_on

    # The participants who pay the fees and the secretariat who records them (issue 11).
    return _request_cached(
        context, ("payments", activity.pk),
        lambda user: bool(roles_on(user, activity, {Role.PARTICIPANT, Role.SECRETARIAT})),
    )


@register.simple_tag(takes_context=True)
def event_items(context, event, activity):
    """payload_items of a timeline event, with what the viewer may not read masked: the payment
    reference of a fee (fee_payment_visible) and the receiving accounts of an issuance
    (account_revealed)."""
    items = []
    masked = event_payload_masked(event, payments_shown=lambda: payment_details_shown(context, activity),
                                  account_shown=lambda number: account_revealed(context, number))
    for key, value in masked:
        if isinstance(value, (list, tuple)):
            value = ", ".join(str(v) for v in value)
        items.append((key.replace("_", " "), value))
    return items


def event_payload_masked(event, *, payments_shown, account_shown):
    """(key, value) of an event's simple payload fields as one viewer may read them: the timeline's
    and the API's (pacm.api.events) one masking. `payments_shown()`: whether the viewer reads the
    payment references of the activity's fees; `account_shown(number)`: whether they read this
    account's number (else the public registry's PRIVATE_HOLDER)."""
    from pacm.events.models import EventKind
    from pacm.registry.selectors import PRIVATE_HOLDER

    items = []
    for key, value in payload_items_raw(event.payload):
        if key == "reference" and event.kind == EventKind.FEE_PAID and not payments_shown():
            continue
        if key == "distribution" and isinstance(value, (list, tuple)):
            shown = []
            for row in value:
                number, units = (row[0], row[1]) if isinstance(row, (list, tuple)) and len(row) == 2 else (row, None)
                label = number if account_shown(number) else PRIVATE_HOLDER
                shown.append(f"{label}: {units}" if units is not None else str(label))
            value = shown
        items.append((key, value))
    return items


def payload_items_raw(payload):
    """The payload's simple fields as (key, value), unformatted, without those shown on their own."""
    return [
        (key, value) for key, value in (payload or {}).items()
        if key not in _PAYLOAD_SHOWN_APART and value not in (None, "", [], {})
    ]


@register.simple_tag
def private_holder():
    """What the public unit registry shows for a private holder (registry.selectors.PRIVATE_HOLDER)."""
    from pacm.registry.selectors import PRIVATE_HOLDER

    return PRIVATE_HOLDER
