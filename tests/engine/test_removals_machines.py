"""The two machines of projects.removals (A6.4-STAN-METH-002 v01.0 paras 28, 60-61): for every
state and persona the writes offered are those the skeleton accepts; every transition has its
service; the timed state fires a timer transition."""
import pytest

from projects.models import Activity
from projects.removals.machine import STRESS_TEST, TERMINATION
from projects.removals.services import termination_request
from projects.removals.stress import stress_test_run

from ..issuance.conftest import period_dates, registered  # noqa: F401  (fixtures)
from .test_offers_match_services import check_machine


def test_termination_offers_are_what_the_services_accept(world, registered):  # noqa: F811
    m = registered.methodology_version.methodology
    m.kind = "removals"
    m.save()
    Activity.objects.filter(pk=registered.pk).update(crediting_end=period_dates(registered, 1)[1])
    termination = termination_request(activity=Activity.objects.get(pk=registered.pk), user=world.ama,
                                      ground="negligible_risk", demonstration="Mineralised.")
    assert check_machine(TERMINATION, termination, world, TERMINATION.states.values) > 0


def test_stress_test_offers_are_what_the_services_accept(world):
    test = stress_test_run(user=world.sam, parameters={"largest": 1})
    assert check_machine(STRESS_TEST, test, world, STRESS_TEST.states.values) > 0


@pytest.mark.parametrize("machine", [TERMINATION, STRESS_TEST], ids=lambda m: m.name)
def test_every_transition_has_its_service_and_timers_are_declared(machine):
    assert {n for n, spec in machine.writes.items() if spec.is_transition and n not in machine.services} == set()
    for state, name in machine.timed.items():
        spec = machine.write(name)
        assert spec.is_transition and state in spec.source and spec.actors == {"timer"}
