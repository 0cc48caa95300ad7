"""The DOE's liability machine (projects/poa/liability.py, A6.4-PROC-AC-003 v03.0 para 139): for
every state and persona, what `available_actions` offers is what the write skeleton accepts (as
tests/renewals/test_offers.py for the renewals)."""
import pytest

from projects.poa.liability import LIABILITY
from projects.poa.models import InclusionLiability
from tests.engine.test_offers_match_services import check_machine

from .issuance_world import poa_world  # noqa: F401  (the fixture pw)
from .test_liability import _exclude, issued  # noqa: F401  (the fixture issued)

pytestmark = pytest.mark.django_db


def test_liability_offers_are_what_the_services_accept(world, pw, issued):  # noqa: F811
    """Para 139: the DOE at fault settles what it owes; the timer marks it overdue."""
    _exclude(world, issued)
    liability = InclusionLiability.objects.get(component=issued)
    persons = len(LIABILITY.writes) - len(LIABILITY.timed_names) - sum(1 for w in LIABILITY.writes.values()
                                                                      if w.internal)
    assert persons > 0
    assert check_machine(LIABILITY, liability, world, LIABILITY.states.values) == (
        len(LIABILITY.states.values) * 9 * persons)
