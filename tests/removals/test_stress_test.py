"""The buffer pool's stress test (A6.4-STAN-METH-002 v01.0 paras 60-61): scenarios against
the pool as the ledger stood at a mark, coverage per authorization status, reproducible from the
ledger with its inputs recorded; the next test falls due after the rule set's interval."""
import datetime
import io
import json

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from methodologies.models import RuleSet
from pacm.common.errors import Refused, ServiceError
from pacm.events.models import Event, EventKind
from pacm.notifications.models import Notification
from pacm.registry.models import LedgerTransaction
from pacm.registry.services import buffer_remediate
from projects.removals.cycle import StressTestState as S
from projects.removals.models import StressTest
from projects.removals.stress import ledger_mark_now, stress_figures, stress_test_run
from projects.timers import timers_run
from tests import factories as f
from tests.registry.conftest import activity_make, issue, reg  # noqa: F401

PARAMS = {"largest": 2, "region": "africa", "region_share_bp": 5_000, "band_low_bp": 2_500, "band_high_bp": 3_500,
          "band_share_bp": 5_000}


@pytest.fixture
def pool(reg):  # noqa: F811
    """Three activities linked to the pool and one that is not (rule set: 10/20/30 % buffer, up)."""
    world = reg
    assert world.host.region == world.other.region == "africa"  # Ghana, Kenya (pacm.parties.regions)
    vanuatu = f.party("VU", "Vanuatu")
    assert vanuatu.region == "asia_pacific"
    world.a = activity_make(world)                # Ghana: 1,000 authorized, 10 %: 100 to the pool
    world.b = activity_make(world, host=vanuatu)  # Vanuatu: 2,000 mitigation contribution, 30 %: 600
    world.c = activity_make(world)                # Ghana: 500 authorized, 20 %: 100
    world.d = activity_make(world)                # no reversal risk: nothing to the pool
    issue(world.a, 1_000, to=world.acct, risk_rating=10)
    issue(world.b, 2_000, to=world.acct, status="mc", risk_rating=30)
    issue(world.c, 500, to=world.acct, risk_rating=20)
    issue(world.d, 5_000, to=world.acct)
    return world


def scenario(test, key):
    return next(s for s in test.results["scenarios"] if s["key"] == key)


def test_scenarios_report_coverage_per_authorization_status(pool):
    test = stress_test_run(user=pool.sam, parameters=PARAMS)
    assert test.ledger_mark == LedgerTransaction.objects.order_by("-id").first().id
    assert test.results["pool"] == {"authorized": 200, "mc": 600}
    assert test.results["activities_linked"] == 3
    largest = scenario(test, "largest")  # B (2,000) and A (1,000) reverse fully
    assert largest["activity_ids"] == sorted([pool.a.pk, pool.b.pk])
    assert largest["loss"] == {"authorized": 1_000, "mc": 2_000}
    assert largest["covered"] == {"authorized": 200, "mc": 600}
    assert largest["shortfall"] == {"authorized": 800, "mc": 1_400}
    assert largest["coverage_percent"] == {"authorized": "20.00", "mc": "30.00"}
    region = scenario(test, "region")  # half of A and C (Africa), rounded up
    assert (region["activities"], region["loss"]) == (2, {"authorized": 750, "mc": 0})
    assert region["coverage_percent"] == {"authorized": "26.66", "mc": None}
    band = scenario(test, "band")  # buffer rate 30 %: B only; half of it
    assert band["activity_ids"] == [pool.b.pk]
    assert (band["loss"], band["shortfall"]) == ({"authorized": 0, "mc": 1_000},
                                                 {"authorized": 0, "mc": 400})
    assert test.rule_set == RuleSet.objects.in_force()


def test_the_same_inputs_at_the_same_mark_give_the_same_figures(pool):
    first = stress_test_run(user=pool.sam, parameters=PARAMS)
    # The ledger moves on: more units issued and a remediation cancelled from the pool.
    issue(pool.a, 4_000, to=pool.acct, risk_rating=10)
    buffer_remediate(quantities={"authorized": 50}, reference="A64-X observed event 1", actor_label="sam")
    again = stress_test_run(user=pool.sofia, parameters=PARAMS, mark=first.ledger_mark)
    assert (again.ledger_mark, again.parameters, again.results) == (first.ledger_mark, first.parameters, first.results)
    now = stress_test_run(user=pool.sam, parameters=PARAMS)
    assert now.ledger_mark > first.ledger_mark
    assert sum(now.results["pool"].values()) == 800 + 400 - 50  # A's 10 % buffer, less the cancellation


def test_each_run_is_recorded_and_supersedes_the_last(pool):
    first = stress_test_run(user=pool.sam, parameters=PARAMS)
    [event] = Event.objects.filter(stream=first.stream)
    assert (event.kind, event.actor, event.role) == (EventKind.STRESS_TEST_RUN, pool.sam, "secretariat")
    assert event.payload["ledger_mark"] == first.ledger_mark and event.payload["parameters"] == first.parameters
    assert event.payload["results"] == first.results
    second = stress_test_run(user=pool.sofia, parameters={**PARAMS, "largest": 1})
    first.refresh_from_db()
    assert (first.state, second.state) == (S.SUPERSEDED, S.CURRENT)
    kinds = [(e.kind, e.payload.get("transition"), e.actor) for e in Event.objects.filter(stream=first.stream)]
    assert kinds == [(EventKind.STRESS_TEST_RUN, None, pool.sam),
                     (EventKind.STRESS_TEST_TRANSITIONED, "supersede", pool.sofia)]
    assert [e.kind for e in Event.objects.filter(stream=second.stream)] == [EventKind.STRESS_TEST_RUN]


@pytest.mark.parametrize("persona", ["ama", "dora", "dina", "kofi"])
def test_only_the_secretariat_and_the_sb_run_it(pool, persona):
    with pytest.raises(Refused):
        stress_test_run(user=getattr(pool, persona), parameters=PARAMS)
    stress_test_run(user=pool.sam, parameters=PARAMS)
    with pytest.raises(Refused):
        stress_test_run(user=getattr(pool, persona), parameters=PARAMS)
    assert StressTest.objects.count() == 1


@pytest.mark.parametrize("params, code", [
    ({"band_low_bp": 5_000, "band_high_bp": 1_000}, "stress_band_inverted"),
    ({"region": "atlantis"}, "stress_region_unknown"),
    ({"largest": -1}, "stress_parameter_out_of_range"),
    ({"region_share_bp": 10_001}, "stress_parameter_out_of_range"),
    ({"largest": "many"}, "stress_parameter_invalid"),
])
def test_bad_inputs_are_refused_with_a_code(pool, params, code):
    with pytest.raises(ServiceError) as error:
        stress_test_run(user=pool.sam, parameters={**PARAMS, **params})
    assert error.value.code == code
    assert not StressTest.objects.exists()


def test_a_mark_beyond_the_ledger_is_refused(pool):
    with pytest.raises(ServiceError) as error:
        stress_test_run(user=pool.sam, parameters=PARAMS, mark=10**9)
    assert error.value.code == "stress_parameter_out_of_range"


def test_the_next_test_falls_due_after_the_interval_and_the_secretariat_is_told(
        pool, django_capture_on_commit_callbacks):
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False):
        test = stress_test_run(user=pool.sam, parameters=PARAMS)
    days = RuleSet.objects.in_force(start.date()).stress_test_interval_days
    assert days == 1095  # A6.4-STAN-METH-002 v01.0 para 61: at least every three years
    assert test.due_at == start + datetime.timedelta(days=days)
    with time_machine.travel(test.due_at - datetime.timedelta(seconds=1), tick=False):
        assert timers_run() == []
    with time_machine.travel(test.due_at + datetime.timedelta(seconds=1), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        assert timers_run() == [(f"Buffer stress test {test.pk}", "fall_due")]
    test.refresh_from_db()
    assert test.state == S.DUE
    event = Event.objects.filter(stream=test.stream).last()
    assert (event.kind, event.payload, event.actor_label) == (
        EventKind.STRESS_TEST_TRANSITIONED, {"transition": "fall_due"}, "timer:fall_due")
    told = set(Notification.objects.filter(write="fall_due").values_list("recipient__username", flat=True))
    assert told == {"sam", "sofia"}
    # Running the next test answers it.
    stress_test_run(user=pool.sam, parameters=PARAMS)
    test.refresh_from_db()
    assert test.state == S.SUPERSEDED


def test_the_command_runs_and_prints_the_figures(pool):
    out = io.StringIO()
    call_command("buffer_stress_test", "--user", "sam", "--largest", "1", "--region", "asia_pacific", stdout=out)
    printed = json.loads(out.getvalue())
    test = StressTest.objects.get()
    assert printed["stress_test"] == test.pk and printed["ledger_mark"] == test.ledger_mark
    assert printed["scenarios"] == test.results["scenarios"]
    again = io.StringIO()
    call_command("buffer_stress_test", "--user", "sofia", "--largest", "1", "--region", "asia_pacific",
                 "--mark", str(test.ledger_mark), stdout=again)
    assert json.loads(again.getvalue())["scenarios"] == printed["scenarios"]
    with pytest.raises(CommandError, match="No active user"):
        call_command("buffer_stress_test", "--user", "nobody")
    with pytest.raises(CommandError, match="not_permitted"):
        call_command("buffer_stress_test", "--user", "ama")


def test_the_pages_are_the_secretariats_and_the_sbs(client, pool):
    client.force_login(pool.ama)
    assert client.get("/buffer/stress-tests/").status_code == 403
    client.force_login(pool.sofia)
    assert client.get("/buffer/stress-tests/").status_code == 200
    response = client.post("/buffer/stress-tests/", {"stress-largest": 2, "stress-region": "africa",
                                                     "stress-region_share": "50", "stress-band_low": "25",
                                                     "stress-band_high": "35", "stress-band_share": "50"})
    test = StressTest.objects.get()
    assert response.status_code == 302 and response["Location"] == "/buffer/stress-tests/"
    assert test.parameters == PARAMS
    assert f"/buffer/stress-tests/{test.pk}/" in client.get(response["Location"]).content.decode()
    page = client.get(f"/buffer/stress-tests/{test.pk}/")
    assert page.status_code == 200 and 'id="scenario-region"' in page.content.decode()
    bad = client.post("/buffer/stress-tests/", {"stress-largest": 2, "stress-region_share": "150",
                                                "stress-band_low": "0", "stress-band_high": "100",
                                                "stress-band_share": "50"})
    assert bad.status_code == 400 and StressTest.objects.count() == 1
    client.force_login(pool.dora)
    assert client.get(f"/buffer/stress-tests/{test.pk}/").status_code == 403


def test_the_pages_take_the_same_queries_for_few_tests_and_many(client, pool):
    client.force_login(pool.sam)
    stress_test_run(user=pool.sam, parameters=PARAMS)

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few, detail = count("/buffer/stress-tests/"), count(f"/buffer/stress-tests/{StressTest.objects.get().pk}/")
    for _ in range(5):
        stress_test_run(user=pool.sam, parameters=PARAMS)
    assert count("/buffer/stress-tests/") == few
    assert count(f"/buffer/stress-tests/{StressTest.objects.first().pk}/") == detail


def test_the_figures_are_a_fixed_number_of_aggregates(pool, django_assert_num_queries):
    """Bounded: the buffer account, the pool by status, deposits and issuance per activity."""
    mark = ledger_mark_now()
    with django_assert_num_queries(4):
        few = stress_figures(parameters={**PARAMS}, mark=mark)
    for _ in range(3):
        issue(activity_make(pool), 700, to=pool.acct, risk_rating=30)
    mark = ledger_mark_now()
    with django_assert_num_queries(4):
        many = stress_figures(parameters={**PARAMS}, mark=mark)
    assert (few["activities_linked"], many["activities_linked"]) == (3, 6)
