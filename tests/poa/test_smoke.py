from projects.cycle import ActivityState as A
from projects.poa.cycle import CPState as C

from .conftest import notify_cp, reach_cp, reach_poa


def test_poa_to_registered_and_a_cp_included(world, poa):
    poa = reach_poa(world, poa, A.REGISTERED)
    cp = notify_cp(world, poa)
    cp = reach_cp(world, cp, C.INCLUDED)
    assert cp.included_at is not None
