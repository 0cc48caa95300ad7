"""Issue 11.1: the verification DOE cannot be swapped partway through a verification, an
unaccredited DOE is never engaged, and a finding is closed by the DOE that raised it.

Rules: rules.md §2.3 S1->S2 and S13->S15 (the engaged DOE, accredited for the scope); RMP 51
(the DOE that verifies a period certifies it); policy.md §4 (findings).
"""
import pytest

from pacm.common.errors import Refused, ServiceError
from pacm.events.models import EventKind
from pacm.parties.models import Organisation
from projects import services
from projects.cycle import ActivityState as A
from projects.cycle import PeriodState as P
from projects.models import Activity, Finding

from .. import factories as f
from ..issuance.conftest import period_over, registered, submit  # noqa: F401  (fixtures)


def _events(activity):
    return list(Activity.objects.get(pk=activity.pk).events.order_by("sequence").values_list("kind", flat=True))


def test_the_verification_doe_cannot_be_changed_while_a_period_is_under_verification(world, registered, submit):  # noqa: F811
    period = submit(registered)
    services.period_start_verification(period=period, user=world.dora)
    before = _events(registered)
    with pytest.raises(ServiceError, match="being verified by the engaged DOE"):
        services.activity_engage_doe(activity=registered, user=world.ama, doe=world.orgs["doe2"])
    assert Activity.objects.get(pk=registered.pk).verification_doe_id == world.orgs["doe"].pk
    assert _events(registered) == before
    # The other DOE cannot act on the period either: it is not engaged.
    with pytest.raises(Refused):
        services.period_certify(period=period, user=world.otto, verified={period.start.year: 1})


def test_a_change_of_doe_between_periods_is_its_own_event(world, registered):  # noqa: F811
    services.activity_engage_doe(activity=registered, user=world.ama, doe=world.orgs["doe2"])
    activity = Activity.objects.get(pk=registered.pk)
    assert activity.verification_doe_id == world.orgs["doe2"].pk
    event = activity.events.order_by("-sequence").first()
    assert event.kind == EventKind.DOE_CHANGED
    assert event.payload == {
        "doe": "Orbis Assurance", "doe_id": world.orgs["doe2"].pk, "previous": "Terra Verification",
        "previous_id": world.orgs["doe"].pk, "stage": "verification",
    }


def test_an_unaccredited_organisation_is_never_engaged(world, registered):  # noqa: F811
    unaccredited = f.organisation("Unaccredited Audits", Organisation.Kind.DOE)
    before = _events(registered)
    with pytest.raises(ServiceError, match="not accredited for sectoral scope 13") as error:
        services.activity_engage_doe(activity=registered, user=world.ama, doe=unaccredited)
    assert error.value.code == "doe_not_accredited"
    assert Activity.objects.get(pk=registered.pk).verification_doe_id == world.orgs["doe"].pk
    assert _events(registered) == before


def test_a_finding_is_closed_only_by_the_doe_that_raised_it(world, activity, advance_to):
    activity = advance_to(activity, A.UNDER_VALIDATION)
    finding = services.finding_raise(activity=activity, user=world.dora, kind="car", text="Baseline data missing.")
    # Another DOE organisation, even one engaged later, may not close the first DOE's finding.
    Activity.objects.filter(pk=activity.pk).update(validation_doe=world.orgs["doe2"])
    with pytest.raises(Refused):
        services.finding_close(finding=finding, user=world.otto, comment="Closed by someone else.")
    assert Finding.objects.get(pk=finding.pk).status == Finding.Status.OPEN
    Activity.objects.filter(pk=activity.pk).update(validation_doe=world.orgs["doe"])
    services.finding_close(finding=finding, user=world.dora, comment="Resolved.")
    assert Finding.objects.get(pk=finding.pk).status == Finding.Status.CLOSED


def test_period_state_guard_names_the_period(world, registered, submit):  # noqa: F811
    period = submit(registered)
    services.period_start_verification(period=period, user=world.dora)
    assert period.__class__.objects.get(pk=period.pk).state == P.UNDER_VERIFICATION
    with pytest.raises(ServiceError) as error:
        services.activity_change_doe(activity=registered, user=world.ama, doe=world.orgs["doe2"])
    assert error.value.code == "no_period_under_verification" and "period 1" in error.value.message
