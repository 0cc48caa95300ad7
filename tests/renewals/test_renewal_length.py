"""The length of a renewed crediting period: 5 years for reductions, 15 for removals (RMP 31(f);
A6.4-PROC-AC-002 v03.0 section 10, para 233; A6.4-STAN-AC-002 para 83; RuleSet
`reductions_renewable_years`, `removals_renewable_years`), cut to the host's shorter period where
the host sets one (RMP 27(b), `Party.crediting_period_max_years`); projects/renewals/periods.py
`renewal_years`. Personas: ama requests, otto (Orbis) validates, sam the secretariat."""
import datetime

import pytest
from dateutil.relativedelta import relativedelta

from pacm.events.models import Event
from projects.models import Activity
from projects.renewals.cycle import RenewalState as S

from .helpers import DAY, drive, registered_renewable, request

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind, host_max, years", [
    ("reductions", None, 5),   # RMP 31(f): 5 years, renewable
    ("reductions", 3, 3),      # RMP 27(b): the host's shorter period cuts it
    ("reductions", 20, 5),     # a host's longer period never lengthens it
    ("removals", None, 15),    # RMP 31(f): 15 years for removals
    ("removals", 10, 10),      # the host's shorter period cuts a removals one too
])
def test_the_renewed_period_lasts_the_rule_set_years_or_the_hosts_shorter_period(
        world, advance_to, time_machine, kind, host_max, years):
    """RMP 31(f), 27(b); PROC-AC-002 v03.0 para 233: the renewed period starts the day after the
    end and lasts `years`; the activity's crediting end and the renewed event carry it."""
    project = registered_renewable(world, advance_to)
    if kind == "removals":  # the registered methodology made a removals one (as tests/removals/conftest.py)
        methodology = world.version.methodology
        methodology.kind = "removals"
        methodology.save()
    world.host.crediting_period_max_years = host_max
    world.host.save()
    old_end = project.crediting_end
    time_machine.move_to(datetime.datetime.combine(old_end - datetime.timedelta(days=100), datetime.time(9),
                                                   tzinfo=datetime.UTC), tick=False)
    renewal = request(world, project)
    expected = (old_end + DAY, old_end + DAY + relativedelta(years=years) - DAY)
    assert (renewal.new_start, renewal.new_end) == expected
    renewal = drive(world, time_machine, renewal, S.RENEWED)
    assert Activity.objects.get(pk=project.pk).crediting_end == expected[1]
    renewed = Event.objects.filter(stream=project.stream, kind="renewal.transitioned").order_by("-sequence").first()
    assert renewed.payload["transition"] == "renew_after_appeal"
    assert renewed.payload["crediting_end"] == expected[1].isoformat()
