"""The PoA's and the CPs' rules with a frozen clock: the consultation and the pipeline's timers,
the 180-day notification window, the crediting-period limits, the host's cap (the refusal names
the cap and the total), each host's own approval, the review window of an inclusion, and the
fee waiver of a multi-country PoA (A6.4-PROC-AC-003 v03.0, A6.4-STAN-AC-004 v03.0)."""
import datetime

import pytest
import time_machine
from django.utils import timezone

from pacm.common.errors import Refused, ServiceError
from pacm.engine.offers import available_actions, waiting_q
from pacm.parties.roles import Actor
from projects.cycle import ActivityState as A
from projects.poa import services as poa_services
from projects.poa.cycle import CPState as C
from projects.poa.machines import POA
from projects.poa.models import ComponentProject, Programme

from .. import factories as f
from .conftest import cp_data, host, jump, notify_cp, poa_data, reach_cp, reach_poa


def test_consultation_closes_after_28_days_by_timer(world, poa):
    """PROC-AC-003 v03.0 para 21 (rule set gsc_days): not before the due date, then by the timer."""
    from pacm.engine.timers import timers_run

    poa = reach_poa(world, poa, A.CONSULTATION)
    assert poa.due_at == poa.state_entered_at + datetime.timedelta(days=28)
    with time_machine.travel(poa.due_at - datetime.timedelta(seconds=1), tick=False):
        assert timers_run() == []
        with pytest.raises(Refused) as error:
            poa_services.poa_close_consultation(poa=poa, actor=Actor.timer("close_consultation"))
        assert error.value.code == "not_due"
    jump(poa)
    assert Programme.objects.get(pk=poa.pk).state == A.UNDER_VALIDATION


def test_registered_after_the_review_and_appeal_windows(world, poa):
    """PROC-AC-002 v03.0 paras 88-89 (as PROC-AC-003 v03.0 paras 44-90): deemed approved, then registered."""
    poa = reach_poa(world, poa, A.REVIEW_WINDOW)
    jump(poa)
    poa = Programme.objects.get(pk=poa.pk)
    assert poa.state == A.REGISTRATION_APPROVED
    jump(poa)
    assert Programme.objects.get(pk=poa.pk).state == A.REGISTERED


def test_poa_period_at_most_20_years_or_60_with_removals(world):
    """PROC-AC-003 v03.0 para 16(f), footnote 9 (rule set poa_max_years, poa_removals_max_years)."""
    data = poa_data(world)
    start = data["period_start"]
    with pytest.raises(ServiceError) as error:
        poa_services.poa_create(**{**data, "period_end": start.replace(year=start.year + 20)})
    assert error.value.field == "crediting_end" and "at most 20 years" in error.value.message
    removals = f.methodology_version("A6.4-AR-001", kind="removals")
    poa = poa_services.poa_create(**{**data, "methodology_version": removals,
                                     "period_end": start.replace(year=start.year + 60) - datetime.timedelta(days=1)})
    assert poa.kind == "poa" and poa.reference.startswith("A64-P")
    with pytest.raises(ServiceError):
        poa_services.poa_create(**{**data, "period_start": datetime.date(2020, 12, 31)})


def test_each_host_approves_for_itself_with_its_cap(world, poa):
    """Paras 25(d), 26: each host's DNA approves its own part; registration waits for every host."""
    poa = reach_poa(world, poa, A.VALIDATED)
    ghana, _kenya = host(poa, "GH"), host(poa, "KE")
    with pytest.raises(Refused):
        poa_services.poa_host_approve(poa=poa, user=world.nils, host=ghana, max_annual=1, sd_confirmation="x",
                                      ndc_relation="y")
    assert set(Programme.objects.filter(waiting_q(world.nils, POA)).values_list("pk", flat=True)) == {poa.pk}
    poa_services.poa_host_approve(poa=poa, user=world.dina, host=ghana, max_annual=50_000, sd_confirmation="x",
                                  ndc_relation="y")
    # Ghana has approved: nothing waits for dina any more; Kenya still waits for nils.
    assert not Programme.objects.filter(waiting_q(world.dina, POA)).exists()
    assert Programme.objects.filter(waiting_q(world.nils, POA)).exists()
    offers = available_actions(world.dora, Programme.objects.get(pk=poa.pk))
    blocked = offers.get("request_registration").blocked
    assert blocked.code == "every_host_approved" and "Kenya" in blocked.message
    with pytest.raises(ServiceError) as error:
        poa_services.poa_request_registration(poa=poa, user=world.dora)
    assert error.value.code == "every_host_approved"


def test_fees_waived_when_any_host_is_an_ldc_or_sids(world):
    """PROC-AC-003 v03.0 App.1 para 4: a multi-country PoA with one LDC/SIDS host pays no fees."""
    ldc = f.party("MW", "Malawi", ldc=True)
    f.organisation("Malawi DNA", "dna", party=ldc)
    poa = poa_services.poa_create(**poa_data(world, hosts=[world.host, ldc]))
    poa = reach_poa(world, poa, A.VALIDATED)
    malawi_dna = f.user("mia", ldc.organisations.get())
    for iso2, user in (("GH", world.dina), ("MW", malawi_dna)):
        poa_services.poa_host_approve(poa=poa, user=user, host=host(poa, iso2), max_annual=10, sd_confirmation="x",
                                      ndc_relation="y")
    from projects import services

    services.authorization_statement_issue(activity=poa, user=world.dina, uses="ndc",
                                           effective_from=datetime.date(2021, 1, 1))
    poa_services.poa_request_registration(poa=poa, user=world.dora)
    assert poa.fees.get(kind="registration").status == "waived"


@pytest.fixture
def registered(world, poa):
    return reach_poa(world, poa, A.REGISTERED)


def test_cap_refusal_names_the_cap_and_the_total(world, registered):
    """Paras 98, 124: the upload is blocked over the host's maximum; nothing changes."""
    reach_cp(world, notify_cp(world, registered, estimated_annual=20_000), C.INCLUDED)
    reach_cp(world, notify_cp(world, registered, estimated_annual=25_000), C.UPLOADED)
    third = reach_cp(world, notify_cp(world, registered, estimated_annual=10_000), C.VALIDATED)
    with pytest.raises(ServiceError) as error:
        poa_services.cp_upload_inclusion(cp=third, user=world.otto, crediting_start=third.crediting_start,
                                         crediting_end=third.crediting_end)
    assert error.value.code == "host_cap_holds"
    assert error.value.message == (
        "Inclusion refused: with this CP the annual total in Ghana would be 55,000 t CO2e, above the host's maximum "
        "of 50,000 t CO2e (PROC-AC-003 v03.0 paras 98, 124).")
    assert error.value.params == {"party": "Ghana", "total": 55_000, "cap": 50_000}
    assert ComponentProject.objects.get(pk=third.pk).state == C.VALIDATED
    # Kenya's cap is its own (para 26).
    kenyan = reach_cp(world, notify_cp(world, registered, iso2="KE", estimated_annual=30_000), C.UPLOADED)
    assert kenyan.state == C.UPLOADED
    # A voluntary exclusion frees the room (paras 306-316).
    first = ComponentProject.objects.filter(poa=registered, state=C.INCLUDED).get()
    poa_services.cp_exclude_voluntarily(cp=first, user=world.ama, comment="The distributor stops.")
    assert reach_cp(world, third, C.UPLOADED).state == C.UPLOADED


def test_cp_notified_only_once_the_poa_dd_is_published(world, poa):
    poa = reach_poa(world, poa, A.VALIDATION_CONTRACTED)
    with pytest.raises(Refused) as error:
        notify_cp(world, poa)
    assert error.value.code == "wrong_state"


def test_a_started_cp_notifies_within_180_days_of_publication(world, poa):
    """Para 91 (rule set cp_notification_days)."""
    poa = reach_poa(world, poa, A.CONSULTATION)
    published = poa.state_entered_at
    started = timezone.localdate(published) - datetime.timedelta(days=5)
    last = published + datetime.timedelta(days=180)
    with time_machine.travel(last, tick=False):
        data = cp_data(world, poa, start_date=started)
        data.update(crediting_start=timezone.localdate(last) + datetime.timedelta(days=1),
                    crediting_end=timezone.localdate(last) + datetime.timedelta(days=365))
        assert notify_cp(world, poa, **{k: v for k, v in data.items() if k not in ("poa", "user")}).state == C.NOTIFIED
    with time_machine.travel(last + datetime.timedelta(days=1), tick=False):
        with pytest.raises(ServiceError) as error:
            notify_cp(world, poa, **{k: v for k, v in data.items() if k not in ("poa", "user")})
        assert error.value.code == "cp_notification_late" and error.value.field == "start_date"


@pytest.mark.parametrize("change,field,words", [
    (dict(start_date=datetime.date(2020, 6, 1)), "start_date", "nor before the PoA period starts"),
    (dict(crediting_start=datetime.date(2020, 12, 31)), "crediting_start", "before 2021-01-01"),
    ("late", "crediting_start", "within 2 years"),
    ("past_end", "crediting_end", "past the end of the PoA"),
    ("too_long", "crediting_end", "at most 5 years"),
])
def test_cp_crediting_period_limits(world, poa, change, field, words):
    """STAN-AC-004 v03.0 paras 124, 130, 131; RMP 31(f)."""
    poa = reach_poa(world, poa, A.CONSULTATION)
    today = datetime.date.today()
    if change == "late":
        change = dict(crediting_start=today.replace(year=today.year + 2) + datetime.timedelta(days=1),
                      crediting_end=today.replace(year=today.year + 3))
    elif change == "past_end":  # a PoA whose period ends within the CP's crediting period
        Programme.objects.filter(pk=poa.pk).update(crediting_end=today + datetime.timedelta(days=300))
        poa = Programme.objects.get(pk=poa.pk)
        change = dict(crediting_end=poa.crediting_end + datetime.timedelta(days=1))
    elif change == "too_long":
        change = dict(crediting_end=today.replace(year=today.year + 6))
    with pytest.raises(ServiceError) as error:
        notify_cp(world, poa, **change)
    assert error.value.field == field and words in error.value.message
    assert not ComponentProject.objects.exists()


def test_crediting_period_not_before_the_inclusion(world, registered):
    """STAN-AC-004 v03.0 para 127: checked again at the upload, with the validated dates."""
    cp = reach_cp(world, notify_cp(world, registered), C.VALIDATED)
    with pytest.raises(ServiceError) as error:
        poa_services.cp_upload_inclusion(cp=cp, user=world.otto, crediting_start=datetime.date.today() - datetime.timedelta(days=1),
                                         crediting_end=cp.crediting_end)
    assert error.value.code == "cp_crediting_period_valid" and "before the inclusion" in error.value.message
    assert ComponentProject.objects.get(pk=cp.pk).state == C.VALIDATED


def test_criteria_must_all_be_confirmed(world, registered):
    """PROC-AC-003 v03.0 para 95: the DOE's checklist covers every eligibility criterion."""
    cp = reach_cp(world, notify_cp(world, registered), C.UNDER_VALIDATION)
    from .conftest import cp_docs

    cp_docs(world, cp)
    with pytest.raises(ServiceError) as error:
        poa_services.cp_validate(cp=cp, user=world.otto, criteria=list(registered.eligibility_criteria.all()[:1]))
    assert error.value.code == "cp_criteria_confirmed" and "1 eligibility criteria" in error.value.message


def test_inclusion_review_within_one_year(world, registered):
    """Para 128 (rule set cp_inclusion_review_days): review requested within 1 year of inclusion."""
    cp = reach_cp(world, notify_cp(world, registered), C.INCLUDED)
    with time_machine.travel(cp.included_at + datetime.timedelta(days=366), tick=False):
        with pytest.raises(ServiceError) as error:
            poa_services.cp_request_inclusion_review(cp=cp, user=world.dina, comment="Outside the boundary.")
        assert error.value.code == "inclusion_review_in_time"
    with time_machine.travel(cp.included_at + datetime.timedelta(days=364), tick=False):
        poa_services.cp_request_inclusion_review(cp=cp, user=world.dina, comment="Outside the boundary.")
    assert ComponentProject.objects.get(pk=cp.pk).state == C.UNDER_INCLUSION_REVIEW
