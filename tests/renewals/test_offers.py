"""The renewal machines, every state and persona: what `available_actions` offers is what the
skeleton accepts (as tests/engine/test_offers_match_services.py for the other machines); every
transition has its service; the timed states fire declared timer transitions."""
import datetime

import pytest

from pacm.parties.roles import Role
from projects.renewals.machine import CP_RENEWAL_MACHINE, MACHINES, POA_RENEWAL_MACHINE, RENEWAL_MACHINE
from tests.engine.test_offers_match_services import check_machine

from .helpers import registered_renewable, request

pytestmark = pytest.mark.django_db


def test_a_projects_renewal_offers_what_the_services_accept(world, advance_to, time_machine):
    activity = registered_renewable(world, advance_to)
    time_machine.move_to(datetime.datetime.combine(activity.crediting_end - datetime.timedelta(days=100),
                                                   datetime.time(9), tzinfo=datetime.UTC), tick=False)
    renewal = request(world, activity)
    checked = check_machine(RENEWAL_MACHINE, renewal, world, RENEWAL_MACHINE.states.values)
    assert checked == len(RENEWAL_MACHINE.states.values) * 9 * (
        len(RENEWAL_MACHINE.writes) - len(RENEWAL_MACHINE.timed_names))


def test_a_cps_renewal_offers_what_the_services_accept(world, time_machine):
    from projects.renewals.services import cp_renewal_notify
    from tests import factories as f

    from .poa_helpers import included_cp, registered_poa

    cp = included_cp(world, registered_poa(world, years=20))
    time_machine.move_to(datetime.datetime.combine(cp.crediting_end - datetime.timedelta(days=30), datetime.time(9),
                                                   tzinfo=datetime.UTC), tick=False)
    renewal = cp_renewal_notify(cp=cp, user=world.otto, baseline_update="Updated.", estimated_annual=20_000,
                                design=f.pdf("cpdd.pdf", content=f.pdf_bytes("cpdd offers")),
                                report=f.pdf("vr.pdf", content=f.pdf_bytes("vr offers")))
    assert check_machine(CP_RENEWAL_MACHINE, renewal, world, CP_RENEWAL_MACHINE.states.values) > 0


@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: m.name)
def test_every_transition_has_its_service_and_timers_fire_timer_transitions(machine):
    missing = {name for name, spec in machine.writes.items() if spec.is_transition and name not in machine.services}
    assert missing == set()
    for state, name in machine.timed.items():
        spec = machine.write(name)
        assert state in spec.source and Role.TIMER in spec.actors


def test_the_poa_renewal_shares_the_projects_table():
    assert POA_RENEWAL_MACHINE.transitions is RENEWAL_MACHINE.transitions
    assert POA_RENEWAL_MACHINE.owner == "poa" and RENEWAL_MACHINE.owner == "activity"
