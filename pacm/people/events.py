"""Payload shapes of the events pacm.people and pacm.demo record (pacm.events.shapes)."""
from pacm.events.models import EventKind
from pacm.events.shapes import shape_register

shape_register(EventKind.PEOPLE_INVITED, required={"invitation", "email", "role", "expires_at"})
shape_register(EventKind.PEOPLE_JOINED, required={"invitation", "member", "role"})
shape_register(EventKind.PEOPLE_DISABLED, required={"member", "was_admin"})
shape_register(EventKind.PEOPLE_ENABLED, required={"member", "role"})
shape_register(EventKind.PEOPLE_ROLE_ASSIGNED, required={"member", "from_role", "to_role"})
shape_register(EventKind.DEMO_CLOCK_ADVANCED, required={"by_seconds", "offset_seconds", "demo_now"})
