"""Small display helpers for the templates: due dates, states, hashes."""

from django import template
from django.utils import timezone

from projects.cycle import ActivityState, PeriodState

register = template.Library()

_STATE_LABELS = {**dict(PeriodState.choices), **dict(ActivityState.choices)}
_STATE_STYLE = {
    ActivityState.DRAFT: "secondary",
    ActivityState.REGISTERED: "success",
    ActivityState.WITHDRAWN: "dark",
    ActivityState.REJECTED: "danger",
    ActivityState.DEREGISTERED: "danger",
    ActivityState.REQUEST_INCOMPLETE: "warning",
    PeriodState.ISSUED: "success",
    PeriodState.ISSUANCE_INCOMPLETE: "warning",
}


@register.filter
def state_label(value):
    """The human label of an activity or monitoring-period state value."""
    return _STATE_LABELS.get(value, value)


@register.filter
def state_style(value):
    return _STATE_STYLE.get(value, "primary")


@register.filter
def days_left(due_at):
    """Whole calendar days from today to the due date (negative once overdue), or None."""
    if not due_at:
        return None
    return (timezone.localdate(due_at) - timezone.localdate()).days


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
# Fields that name private entities' holding accounts: shown only to those with a role on the
# activity (registry selectors._holder: the public registry withholds private holders too).
_PAYLOAD_ACCOUNTS = {"distribution"}


@register.filter
def payload_items(payload, accounts_shown=False):
    """An event payload's simple fields, without those the timeline shows on their own, and without
    the holding accounts it names unless `accounts_shown` (deny by default)."""
    items = []
    for key, value in (payload or {}).items():
        if key in _PAYLOAD_SHOWN_APART or value in (None, "", [], {}):
            continue
        if key in _PAYLOAD_ACCOUNTS and not accounts_shown:
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
