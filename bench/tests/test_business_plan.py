"""The business-plan workload (bench/business_plan.py): its fixture is the SB's forecast with a
source per row, and a scaled year of it runs through the real services to issued units.
Run: .venv/bin/pytest -q bench/tests/test_business_plan.py
"""
import pytest

from bench import business_plan, checks, world
from pacm.registry.models import UnitBlock
from projects.cycle import ActivityState, PeriodState
from projects.models import MonitoringPeriod
from projects.poa.cycle import CPState
from projects.poa.models import ComponentProject, Programme


def test_the_fixture_is_the_plans_table_with_a_source_per_row():
    """A6.4-INFO-GOV-024, Appendix para 4, table 2 (forecasted volume per year, 2026 and 2027)."""
    plan = business_plan.plan_load()
    assert all("A6.4-INFO-GOV-024" in row["source"] and "table 2" in row["source"] for row in plan["rows"])
    for year in (2026, 2027):
        assert business_plan.volumes(plan, year=year, scale=1) == {
            "activity_registration": 50, "activity_issuance": 150, "poa_registration": 10,
            "cp_inclusion": 50, "poa_issuance": 15}
    assert sorted(row["per_year"][2026] for row in plan["rows"] if row.get("not_modelled")) == [15, 25, 35]


def test_a_row_without_its_source_or_its_drive_is_refused(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text("source: x\nrows:\n  - {output: Registrations, per_year: {2026: 5}, drive: activity_registration}\n")
    with pytest.raises(ValueError, match="has no source"):
        business_plan.plan_load(path)
    path.write_text("source: x\nrows:\n  - {output: PRC, per_year: {2026: 5}, source: 'GOV-024 table 2'}\n")
    with pytest.raises(ValueError, match="needs a drive"):
        business_plan.plan_load(path)


def test_scaling_keeps_one_request_of_each_kind():
    plan = business_plan.plan_load()
    assert business_plan.volumes(plan, year=2026, scale=0.02) == {
        "activity_registration": 1, "activity_issuance": 3, "poa_registration": 1, "cp_inclusion": 1,
        "poa_issuance": 1}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_scaled_year_runs_through_the_services_to_issued_units(settings, tmp_path):
    # Real commits: the issuing task is dispatched on commit, as in production.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world.world_build(activities=3, issuances=3, seed=7)
    result = business_plan.business_plan_run(year=2026, scale=0.02)
    assert {kind: figures["count"] for kind, figures in result["requests"].items()} == {
        "activity_registration": 1, "activity_issuance": 3, "poa_registration": 1, "cp_inclusion": 1,
        "poa_issuance": 1}
    assert result["requests"]["activity_issuance"]["planned_per_year"] == 150
    assert [row["per_year"] for row in result["not_modelled"]] == [35, 15, 25]
    project_periods = MonitoringPeriod.objects.filter(activity__title__startswith="Bench business-plan project")
    assert list(project_periods.values_list("state", flat=True)) == [PeriodState.ISSUED] * 3
    # The three periods of the one project follow each other without a gap.
    spans = list(project_periods.order_by("start").values_list("start", "end"))
    assert all((b[0] - a[1]).days == 1 for a, b in zip(spans, spans[1:], strict=False))
    poa = Programme.objects.get(title="Bench business-plan PoA 1")
    assert poa.state == ActivityState.REGISTERED
    cp = ComponentProject.objects.get(poa=poa)
    assert cp.state == CPState.INCLUDED
    batch = MonitoringPeriod.objects.get(activity=poa)
    assert batch.state == PeriodState.ISSUED
    # The batch's units carry their CP (PROC-AC-003 v03.0 para 220), and the registry is whole.
    assert UnitBlock.objects.filter(component=cp).exists()
    assert checks.checks_run(chains=True)["ok"]
