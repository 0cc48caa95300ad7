"""A renewal approved after the crediting period expired (A6.4-PROC-AC-002 v03.0 para 234;
docs/rules-coverage.md renewal-16): the approval's event says so and the renewal page tells the
participants to request a temporary deviation. Personas: ama (participant), otto (Orbis, the DOE)."""
import datetime

import pytest

from pacm.events.models import Event
from projects.renewals.cycle import RenewalState as S

from .helpers import drive, registered_renewable, request

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(world, advance_to):
    return registered_renewable(world, advance_to)


def _at(clock, day):
    clock.move_to(datetime.datetime.combine(day, datetime.time(9), tzinfo=datetime.UTC), tick=False)


def _approval(project):
    return Event.objects.filter(stream=project.stream, kind="renewal.transitioned",
                                payload__transition="approve_by_timer").get()


def test_an_approval_after_expiry_asks_for_a_temporary_deviation(world, project, time_machine, client):
    _at(time_machine, project.crediting_end + datetime.timedelta(days=20))  # the period ended 20 days ago
    renewal = drive(world, time_machine, request(world, project), S.RENEWED)
    assert _approval(project).payload["approved_after_expiry"] is True
    client.force_login(world.ama)
    page = client.get(f"/renewals/{renewal.pk}/").content.decode()
    assert 'data-rule="PROC-AC-002-234"' in page and "temporary deviation" in page
    assert "Methodology applied" in page and str(renewal.methodology_version) in page


def test_an_approval_before_expiry_says_nothing(world, project, time_machine, client):
    _at(time_machine, project.crediting_end - datetime.timedelta(days=200))
    renewal = drive(world, time_machine, request(world, project), S.RENEWED)
    assert "approved_after_expiry" not in _approval(project).payload
    client.force_login(world.ama)
    assert 'data-rule="PROC-AC-002-234"' not in client.get(f"/renewals/{renewal.pk}/").content.decode()
