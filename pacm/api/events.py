"""Events as the API shows them: what happened, by which role and organisation, between which
states. Login names, comments and payloads stay on the web pages, which mask them per viewer."""


def event_out(event):
    return {
        "sequence": event.sequence, "kind": event.kind, "created_at": event.created_at.isoformat(),
        "role": event.role, "organisation": event.organisation.name if event.organisation_id else None,
        "from_state": event.from_state, "to_state": event.to_state,
    }


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
