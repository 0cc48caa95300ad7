"""Payload shapes of the events pacm.people and pacm.demo record (pacm.events.shapes)."""
from pacm.events.models import EventKind
from pacm.events.shapes import shape_register

shape_register(EventKind.PEOPLE_INVITED, required={"invitation", "email", "role", "expires_at"})
shape_register(EventKind.PEOPLE_JOINED, required={"invitation", "member", "role"}, optional={"existing_login"})
shape_register(EventKind.PEOPLE_DISABLED, required={"member", "was_admin"},
               optional={"sessions_ended", "tokens_revoked"})
shape_register(EventKind.PEOPLE_ENABLED, required={"member", "role"})
shape_register(EventKind.PEOPLE_ROLE_ASSIGNED, required={"member", "from_role", "to_role"})
shape_register(EventKind.PEOPLE_INVITATION_REVOKED, required={"invitation", "email", "role"})
shape_register(EventKind.DEMO_CLOCK_ADVANCED, required={"by_seconds", "offset_seconds", "demo_now"})
