"""The methodology an updated design document applies at renewal (A6.4-STAN-AC-002 v01.0 para 163;
A6.4-STAN-METH-002 v01.0 para 35; docs/rules-coverage.md renewal-12 to renewal-15).

Personas: ama (participant) requests, otto (Orbis, the DOE contracted) validates and submits."""
import datetime

import pytest

from pacm.common.errors import ServiceError
from pacm.events.models import Event
from projects.renewals import services as rs
from projects.renewals.cycle import RenewalState as S
from projects.renewals.models import RenewalRequest
from tests import factories as f

from .helpers import fresh, registered_renewable, request, validate  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(world, advance_to):
    return registered_renewable(world, advance_to)


def _to(clock, day):
    clock.move_to(datetime.datetime.combine(day, datetime.time(9), tzinfo=datetime.UTC), tick=False)


def _request(world, project, **kw):
    return rs.renewal_request(
        subject=project, user=world.ama, validation_doe=world.orgs["doe2"],
        baseline_update="Baseline updated; downward adjustment 2 % a year.", estimated_annual=45_000,
        design=f.pdf("pdd-v2.pdf", content=f.pdf_bytes("PDD for renewal")), **kw)


def test_by_default_the_latest_version_in_force_of_the_registered_methodology(world, project, time_machine):
    # Para 163(a): the latest version at the time of the request; v1.1 superseded v1.0 in 2024.
    world.version.valid_to = datetime.date(2024, 6, 30)  # v1.0's grace period ends
    world.version.save()
    newer = f.methodology_version(version="1.1", valid_from=datetime.date(2024, 5, 1))
    _to(time_machine, project.crediting_end - datetime.timedelta(days=100))
    renewal = request(world, project)
    assert renewal.methodology_version == newer
    event = Event.objects.filter(stream=project.stream, kind="renewal.requested").get()
    assert event.payload["methodology_version"] == "A6.4-AMM-001 v1.1"


def test_a_superseded_version_out_of_its_grace_period_is_refused(world, project, time_machine):
    world.version.valid_to = datetime.date(2024, 6, 30)
    world.version.save()
    f.methodology_version(version="1.1", valid_from=datetime.date(2024, 5, 1))
    _to(time_machine, project.crediting_end - datetime.timedelta(days=100))
    with pytest.raises(ServiceError) as refused:
        _request(world, project, methodology_version=world.version)
    assert refused.value.code == "renewal_methodology_not_valid" and refused.value.field == "methodology_version"
    assert "A6.4-STAN-AC-002 para 163(a)" in refused.value.message
    assert not RenewalRequest.objects.exists()


def test_the_previous_version_within_its_grace_period_is_accepted_then_checked_at_submission(
        world, project, time_machine):
    # Para 163(a): "or the previous version if the submission ... is still within the grace period".
    end = project.crediting_end
    world.version.valid_to = end - datetime.timedelta(days=50)  # grace until 50 days before the end
    world.version.save()
    f.methodology_version(version="1.1", valid_from=end - datetime.timedelta(days=200))
    _to(time_machine, end - datetime.timedelta(days=100))
    renewal = _request(world, project, methodology_version=world.version)
    assert renewal.methodology_version == world.version
    validate(world, renewal)
    # The DOE submits after the grace period: the guard of the submission refuses.
    _to(time_machine, end - datetime.timedelta(days=40))
    with pytest.raises(ServiceError) as refused:
        rs.renewal_submit(renewal=fresh(renewal), user=world.otto)
    assert refused.value.code == "renewal_methodology_not_valid"
    assert fresh(renewal).state == S.VALIDATED


def test_removals_apply_the_latest_version_only(world, project, time_machine):
    # STAN-METH-002 para 35: "the latest version of the applicable methodology", no grace period.
    # The registered methodology made a removals one after registration (as tests/removals/conftest.py).
    old = world.version
    old.methodology.kind = "removals"
    old.methodology.save()
    end = project.crediting_end
    old.valid_to = end
    old.save()
    newer = f.methodology_version(version="2.0", valid_from=end - datetime.timedelta(days=200))
    _to(time_machine, end - datetime.timedelta(days=100))
    with pytest.raises(ServiceError) as refused:
        _request(world, project, methodology_version=old)
    assert refused.value.code == "renewal_methodology_not_latest"
    assert "A6.4-STAN-METH-002 para 35" in refused.value.message
    assert _request(world, project, methodology_version=newer).methodology_version == newer


def test_another_methodology_needs_its_reason_and_the_scope(world, project, time_machine):
    # Para 163(b)-(c): a consolidated or another applicable methodology, with the reason.
    other = f.methodology_version("A6.4-AMM-009", version="1.0")
    off_scope = f.methodology_version("A6.4-AMS-003", version="1.0", scope_number=3)
    _to(time_machine, project.crediting_end - datetime.timedelta(days=100))
    with pytest.raises(ServiceError) as refused:
        _request(world, project, methodology_version=other)
    assert refused.value.code == "renewal_methodology_change_reason" and refused.value.field == "methodology_change"
    with pytest.raises(ServiceError) as refused:
        _request(world, project, methodology_version=off_scope, methodology_change="AMM-001 was withdrawn.")
    assert refused.value.code == "renewal_methodology_scope"
    renewal = _request(world, project, methodology_version=other,
                       methodology_change="AMM-001 was withdrawn and consolidated into AMM-009.")
    assert (renewal.methodology_version, renewal.methodology_change) == (
        other, "AMM-001 was withdrawn and consolidated into AMM-009.")


def test_no_version_in_force_asks_for_the_consolidated_methodology(world, project, time_machine):
    world.version.status = "withdrawn"
    world.version.save()
    _to(time_machine, project.crediting_end - datetime.timedelta(days=100))
    with pytest.raises(ServiceError) as refused:
        request(world, project)
    assert refused.value.code == "renewal_methodology_none_in_force"
    assert "para 163(b)-(c)" in refused.value.message
    assert not RenewalRequest.objects.exists()
