"""The mechanism's real activities in `seed_demo` (issue 7): the SB's 2025 transition approvals as
its meeting reports name them (A6.4-SBM015 para 49; A6.4-SBM016 paras 37-39; A6.4-SBM017 paras
36, 38), loaded through the services from projects/fixtures/real_activities.yaml, each with its
CDM reference and source, in the states the reports give; a second run adds nothing."""
import datetime
import io
from decimal import Decimal

from django.core.management import call_command

from pacm.demo.models import RealActivity
from pacm.events.models import Event
from pacm.registry.models import UnitBlock
from projects.cycle import ActivityState as A
from projects.cycle import PeriodState as P
from projects.models import Activity
from projects.poa.models import ComponentProject, PoAHost
from projects.real_activities import fixture_load
from projects.transition.cycle import TransitionState as S
from projects.transition.models import TransitionRequest

REPORTED = {"10415", "10077", "10559", "10560", "10561", "10562", "10430", "10431", "5962", "10576", "10471"}


def check_every_reported_activity_is_loaded_with_its_cdm_reference_and_source(demo):
    rows = {r.cdm_reference: r for r in RealActivity.objects.all()}
    assert set(rows) == REPORTED | {"DEMO-2HOST"}
    for ref in REPORTED:
        assert rows[ref].source.startswith("A6.4-SBM01"), ref
    assert rows["10415"].source == "A6.4-SBM015 para 49"
    assert rows["10560"].source == "A6.4-SBM016 para 37(c)"
    assert rows["5962"].source == "A6.4-SBM017 para 36(a)"
    assert "host" in rows["10415"].not_in_source and "host" not in rows["10077"].not_in_source
    # Every fixture row names its source.
    data = fixture_load()
    assert all(row["source"] for row in data["activities"])
    # The seed's output names each activity by its CDM reference and its pacm record; a transition
    # request's reference (PROC-AC-001 v06.0 para 15) comes from the row's key, and on PostgreSQL
    # the sequence does not restart between tests, so the test reads it rather than guessing it.
    titas = TransitionRequest.objects.get(cdm_reference="10077")
    assert titas.reference.startswith("A64-T") and "CDM 10077" in demo and titas.reference in demo
    assert "CDM 10430" in demo and rows["10430"].activity.reference in demo


def check_the_bangladesh_projects_are_approved_with_modifications_at_sbm016(demo):
    """SBM016 para 37: approved with modifications (AM0023 v4); the participants accepted them
    (PROC-AC-001 v06.0 para 47); the appeal window waits for the CDM deregistration date (para 50)."""
    requests = TransitionRequest.objects.filter(cdm_reference__in=["10077", "10559", "10560", "10561", "10562"])
    assert requests.count() == 5
    for request in requests:
        assert request.state == S.APPROVED and request.kind == "project"
        assert request.host_party.iso2 == "BD"
        assert (request.methodology_version.methodology.code, request.methodology_version.version) == ("AM0023", "4.0")
        assert "AM0023, version 4" in request.modifications
        assert request.reference.startswith("A64-T") and request.cdm_deregistration_date is None
        # Recorded by the secretariat from the meeting report on the Board panel; fired as the Board (transition-4).
        decided = Event.objects.get(stream=request.stream, kind="board.decided")
        assert decided.payload["meeting"] == "SBM016" and decided.payload["outcome"] == "adopted"
        assert Event.objects.filter(stream=request.stream, actor_label__startswith="board:",
                                    to_state=S.MODIFICATIONS).exists()
    titas = requests.get(cdm_reference="10077")
    assert titas.title == "Reducing Gas Leakages within the Titas Gas Distribution Network in Bangladesh"


def check_the_poas_are_registered_with_their_fnrb_and_leakage_values(demo):
    """The PoAs are registered through the PoA path (reading real-2: their transition, transition-2,
    needs each host's cap and CPAs, which the reports do not give); SBM016 paras 38-39's re-evaluated
    values are kept on their rows."""
    rows = {r.cdm_reference: r for r in RealActivity.objects.filter(kind="poa").select_related("activity")}
    for ref in ("10415", "10430", "10431", "5962", "10576", "10471"):
        assert rows[ref].activity.kind == Activity.Kind.POA and rows[ref].activity.state == A.REGISTERED, ref
        assert f"CDM PoA {ref}" in rows[ref].activity.description
    assert (rows["10430"].fnrb, rows["10430"].leakage_factor) == (Decimal("0.9884"), Decimal("0.95"))
    assert (rows["10431"].fnrb, rows["10431"].leakage_factor) == (Decimal("0.843"), Decimal("0.95"))
    assert rows["10430"].activity.host_party.iso2 == "GH" and rows["10431"].activity.host_party.iso2 == "BD"
    assert rows["10430"].decision == "SBM016 item 4.2: approved_with_modifications"
    assert rows["10576"].activity.title == "Ghana Improved Cookstove Project by EWP in Republic of Korea"


def check_the_myanmar_poa_has_its_first_issuance_in_february_2026(demo):
    """The first issuance of A6.4ERs: PoA 10471 (Myanmar), about 26 Feb 2026, about 60,000 t (press, procedures.md §3)."""
    poa = RealActivity.objects.get(cdm_reference="10471").activity
    assert poa.host_party.iso2 == "MM"
    period = poa.monitoring_periods.get()
    assert period.state == P.ISSUED
    assert (period.issuance.issued_at.year, period.issuance.issued_at.month) == (2026, 2)
    blocks = list(UnitBlock.objects.filter(activity=poa))
    assert sum(b.quantity for b in blocks) == 60_000  # gross: the levies' units were issued for the CP too
    assert {b.vintage for b in blocks} == {2025} and all(b.component_id for b in blocks)


def check_the_multi_country_poa_has_a_cap_per_host_and_a_cp_in_each(demo):
    poa = RealActivity.objects.get(cdm_reference="DEMO-2HOST").activity
    caps = dict(PoAHost.objects.filter(poa=poa).values_list("party__iso2", "max_annual"))
    assert caps == {"GH": 50_000, "BD": 30_000}
    cps = ComponentProject.objects.filter(poa=poa).order_by("number")
    assert [(c.host.party.iso2, c.state) for c in cps] == [("GH", "included"), ("BD", "included")]
    assert "DEMO ONLY" in poa.title


def test_the_seed_loads_the_real_activities_in_their_states(demo):
    """One seed (it takes a while), every check on it."""
    check_every_reported_activity_is_loaded_with_its_cdm_reference_and_source(demo)
    check_the_bangladesh_projects_are_approved_with_modifications_at_sbm016(demo)
    check_the_poas_are_registered_with_their_fnrb_and_leakage_values(demo)
    check_the_myanmar_poa_has_its_first_issuance_in_february_2026(demo)
    check_the_multi_country_poa_has_a_cap_per_host_and_a_cp_in_each(demo)
    check_the_transition_dates_lie_before_their_deadlines(demo)


def test_a_second_run_adds_no_real_activity(demo):
    def counted():
        return (RealActivity.objects.count(), Activity.objects.count(), TransitionRequest.objects.count(),
                ComponentProject.objects.count(), UnitBlock.objects.count(), Event.objects.count())

    first = counted()
    call_command("seed_demo", stdout=io.StringIO())
    assert counted() == first
    assert first[0] == 12


def check_the_transition_dates_lie_before_their_deadlines(demo):
    """PROC-AC-001 v06.0 para 12 (requests by 31 Dec 2023) and para 21 (host approval by the deadline)."""
    for request in TransitionRequest.objects.all():
        assert request.submitted_at.date() <= datetime.date(2023, 12, 31)
        assert request.host_approved_at.date() <= datetime.date(2026, 6, 30)
