"""Events as the API shows them: what happened, by which role and organisation, between which
states. With a viewer (`EventViewer`: an activity's events, pacm issue 9), also what the web
timeline shows that person: the login name only to those with a role on the activity (or a system
actor's label), the comment, and the payload masked by the timeline's own function
(pacm_tags.event_payload_masked: a fee's payment reference, the receiving accounts of an issuance)."""


class EventViewer:
    """What `user` may read of `activity`'s events, computed once per answer, as the page does."""

    def __init__(self, user, activity):
        from pacm.parties.roles import Role, roles_on
        from pacm.registry.selectors import account_numbers_revealed_to

        self.roles = roles_on(user, activity)  # the page's `actors`: login names shown to them
        self.people = bool(self.roles)
        # payment_details_shown: the participants who pay the fees and the secretariat who records them.
        self.payments = bool({Role.PARTICIPANT, Role.SECRETARIAT} & set(self.roles))
        self.revealed = account_numbers_revealed_to(user)

    def account_shown(self, number):
        return self.revealed is None or str(number) in self.revealed


def event_out(event, viewer=None):
    row = {
        "sequence": event.sequence, "kind": event.kind, "created_at": event.created_at.isoformat(),
        "role": event.role, "organisation": event.organisation.name if event.organisation_id else None,
        "from_state": event.from_state, "to_state": event.to_state,
    }
    if viewer is None:
        return row
    from pacm.common.templatetags.pacm_tags import event_payload_masked

    payload = dict(event_payload_masked(event, payments_shown=lambda: viewer.payments,
                                        account_shown=viewer.account_shown))
    for key in ("sha256", "documents"):  # shown apart on the timeline, to everyone who sees it
        if (event.payload or {}).get(key):
            payload[key] = event.payload[key]
    row.update(actor=event.actor_label if (viewer.people or not event.actor_id) else None,
               comment=event.comment, payload=payload)
    return row


# The app that knows which activity a subject's events belong to registers how (pacm/ never
# imports projects/): projects.api_routes registers `activity_of(subject, machine)`.
_ACTIVITY_OF = []


def activity_of_register(fn):
    _ACTIVITY_OF.append(fn)
    return fn


def viewer_of(user, subject, machine=None):
    """The viewer of `subject`'s events: its activity's (an activity, a period...), or None (the
    events answered without actor, comment and payload)."""
    for find in _ACTIVITY_OF:
        activity = find(subject, machine)
        if activity is not None:
            return EventViewer(user, activity)
    return None


# --- A person's API tokens (pacm.api.tokens): typed events on the person's own stream -------------

from pacm.events.models import EventKind  # noqa: E402
from pacm.events.services import event_record  # noqa: E402
from pacm.events.shapes import shape_register  # noqa: E402

# The token's id, name and shown prefix; never its secret nor its hash.
shape_register(EventKind.API_TOKEN_CREATED, required={"token", "name", "prefix"})
shape_register(EventKind.API_TOKEN_REVOKED, required={"token", "name", "prefix"})

# A token is a person's, not an organisation's: the event's role says so (no organisation, no role of one).
PERSON_ROLE = "person"


def person_stream(user):
    return f"person:{user.pk}"


def _token_event(kind, token, user):
    from pacm.parties.roles import Actor

    actor = Actor(user=user, organisation=None, role=PERSON_ROLE)
    return event_record(stream=person_stream(user), kind=kind, actor=actor,
                        payload={"token": token.pk, "name": token.name, "prefix": token.prefix})


def api_token_created(*, token, user):
    return _token_event(EventKind.API_TOKEN_CREATED, token, user)


def api_token_revoked(*, token, user):
    return _token_event(EventKind.API_TOKEN_REVOKED, token, user)
