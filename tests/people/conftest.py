"""ama administers Kpone Green Energy (the world's `dev`); kofi administers Savannah Carbon."""
import pytest

from pacm.events.models import Event
from pacm.parties.models import Membership


@pytest.fixture
def admins(world):
    Membership.objects.filter(user=world.ama, organisation=world.orgs["dev"]).update(is_admin=True)
    Membership.objects.filter(user=world.kofi, organisation=world.orgs["dev2"]).update(is_admin=True)
    return world


def people_events(org):
    """(kind, actor, payload) of the organisation's stream, in order."""
    return [(e.kind, e.actor_label, e.payload)
            for e in Event.objects.filter(stream=f"organisation:{org.pk}").order_by("sequence")]
