"""Events as the API shows them: what happened, by which role and organisation, between which
states. Login names, comments and payloads stay on the web pages, which mask them per viewer."""


def event_out(event):
    return {
        "sequence": event.sequence, "kind": event.kind, "created_at": event.created_at.isoformat(),
        "role": event.role, "organisation": event.organisation.name if event.organisation_id else None,
        "from_state": event.from_state, "to_state": event.to_state,
    }
