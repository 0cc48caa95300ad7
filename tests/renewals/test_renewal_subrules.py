"""Renewal sub-rules (docs/rules-coverage.md §7.2, readings renewal-2, renewal-18, renewal-19), each on a
frozen clock: the first verification after a renewal by a DOE other than the renewal's validator
(A6.4-PROC-AC-002 v03.0 para 160); no CP inclusion while the PoA period has ended unrenewed
(A6.4-PROC-AC-003 v03.0 para 277); the renewal of a transitioned PoA and of its CPs within a year of
the SB's approval of the transition, with the renewals the transition carried over (paras 287, 304;
A6.4-STAN-AC-001 v05.0 para 13(b)).
"""
import datetime

import pytest

from pacm.common.errors import ServiceError
from pacm.engine.offers import available_actions
from projects import services
from projects.models import Activity
from projects.poa import services as poa_services
from projects.poa.cycle import CPState as C
from projects.poa.models import ComponentProject, Programme
from projects.renewals import periods
from projects.renewals.cycle import RenewalState as S
from projects.transition.cycle import TransitionState as TS
from tests.poa.conftest import notify_cp, reach_cp
from tests.transition import helpers as transition

from .helpers import drive, registered_renewable, request
from .poa_helpers import registered_poa

pytestmark = pytest.mark.django_db


def _at(clock, day):
    clock.move_to(datetime.datetime.combine(day, datetime.time(9), tzinfo=datetime.UTC), tick=False)


def test_the_first_verification_after_a_renewal_is_by_another_doe(world, advance_to, time_machine):
    project = registered_renewable(world, advance_to)
    _at(time_machine, project.crediting_end - datetime.timedelta(days=100))
    renewal = drive(world, time_machine, request(world, project), S.RENEWED)
    assert renewal.validation_doe == world.orgs["doe2"]
    project = Activity.objects.get(pk=project.pk)
    with pytest.raises(ServiceError) as error:
        services.activity_engage_doe(activity=project, user=world.ama, doe=world.orgs["doe2"])
    assert (error.value.code, error.value.field) == ("renewal_validator_verifies", "doe")
    assert error.value.params["number"] == 1 and "para 160" in error.value.message
    assert Activity.objects.get(pk=project.pk).verification_doe_id != world.orgs["doe2"].pk
    services.activity_engage_doe(activity=project, user=world.ama, doe=world.orgs["doe"])
    assert Activity.objects.get(pk=project.pk).verification_doe == world.orgs["doe"]


def test_the_poas_verification_doe_after_its_renewal_is_not_the_validator(world, time_machine):
    poa = registered_poa(world)
    _at(time_machine, poa.crediting_end - datetime.timedelta(days=100))
    drive(world, time_machine, request(world, poa), S.RENEWED)
    poa = Programme.objects.get(pk=poa.pk)
    with pytest.raises(ServiceError) as error:
        poa_services.poa_engage_verification_doe(poa=poa, user=world.ama, doe=world.orgs["doe2"])
    assert error.value.code == "renewal_validator_verifies"
    poa_services.poa_engage_verification_doe(poa=poa, user=world.ama, doe=world.orgs["doe"])
    assert Programme.objects.get(pk=poa.pk).verification_doe == world.orgs["doe"]


def test_no_cp_is_included_while_the_poa_period_has_ended_unrenewed(world, time_machine):
    poa = registered_poa(world)
    start = datetime.date.today() + datetime.timedelta(days=60)
    cp = reach_cp(world, notify_cp(world, poa, crediting_start=start, crediting_end=poa.crediting_end), C.VALIDATED)
    _at(time_machine, poa.crediting_end + datetime.timedelta(days=1))
    with pytest.raises(ServiceError) as error:
        poa_services.cp_upload_inclusion(cp=cp, user=world.otto, crediting_start=cp.crediting_start,
                                         crediting_end=cp.crediting_end)
    assert error.value.code == "poa_period_expired"
    assert error.value.params == {"end": poa.crediting_end.isoformat()}
    assert ComponentProject.objects.get(pk=cp.pk).state == C.VALIDATED
    offer = available_actions(world.otto, ComponentProject.objects.get(pk=cp.pk)).get("upload_inclusion")
    assert offer.blocked is not None and offer.blocked.code == "poa_period_expired"


SD = dict(sd_confirmation="Fosters SD.", ndc_relation="Within the NDC.")


def _transitioned_poa(world, clock, renewals_remaining=2):
    cpas = [("10415-0001", world.host, 12_000), ("10415-0003", world.other, 7_000)]
    request_ = transition.create(world, clock, cdm_reference="10415", kind="poa", cpas=cpas,
                                 cdm_crediting_end=datetime.date(2034, 5, 31), renewals_remaining=renewals_remaining)
    request_ = transition.drive(world, clock, request_, TS.AWAITING_HOST)
    clock.move_to(transition.HOST_APPROVES_AT, tick=False)
    from projects.transition import services as ts

    request_ = ts.transition_request_approve_transition(request=request_, user=world.dina, max_annual=50_000, **SD)
    ts.transition_request_approve_poa_host(request=request_, user=world.nils, max_annual=30_000, **SD)
    request_ = transition.drive(world, clock, request_, TS.TRANSITIONED)
    return request_, Programme.objects.get(pk=request_.activity_id)


def test_a_transitioned_poa_and_its_cps_renew_within_a_year_of_the_transition_approval(world, time_machine):
    request_, poa = _transitioned_poa(world, time_machine)
    approved = periods.transition_approved_on(request_)
    assert approved is not None and poa.crediting_end == datetime.date(2025, 12, 31)
    # PROC-AC-003 para 287: the PoA period's window opens with the SB's approval and lasts a year;
    # STAN-AC-001 para 13(b): the request's remaining renewals.
    rule_set = periods.rules()
    assert periods.window(poa, rule_set) == (approved, approved + datetime.timedelta(days=365), True)
    assert periods.renewals_left(poa, rule_set) == 2
    # Para 304: the same for a transitioned CP.
    cp = poa.components.order_by("number").first()
    assert periods.transition_of(cp) == request_
    assert periods.window(cp, rule_set) == (approved, approved + datetime.timedelta(days=365), True)
    assert periods.renewals_left(cp, rule_set) == 2
    _at(time_machine, approved + datetime.timedelta(days=30))
    renewal = request(world, poa)
    assert (renewal.transitioned, renewal.window_opens, renewal.window_closes) == (
        True, approved, approved + datetime.timedelta(days=365))
    assert (renewal.new_start, renewal.previous_end) == (datetime.date(2026, 1, 1), datetime.date(2025, 12, 31))


def test_a_transitioned_poa_past_its_year_is_not_renewed(world, time_machine):
    request_, poa = _transitioned_poa(world, time_machine)
    approved = periods.transition_approved_on(request_)
    _at(time_machine, approved + datetime.timedelta(days=366))
    offer = available_actions(world.ama, Programme.objects.get(pk=poa.pk)).get("request_renewal")
    assert offer.blocked is not None and offer.blocked.code == "renewal_window_closed"


def test_a_transitioned_poa_without_renewals_left_is_not_renewed(world, time_machine):
    request_, poa = _transitioned_poa(world, time_machine, renewals_remaining=0)
    _at(time_machine, periods.transition_approved_on(request_) + datetime.timedelta(days=30))
    offer = available_actions(world.ama, Programme.objects.get(pk=poa.pk)).get("request_renewal")
    # No renewal left: the hosts' approvals carry no approval of renewal either (renewal-5).
    assert offer.blocked is not None and offer.blocked.code == "renewal_not_approved_by_host"
    assert periods.renewals_left(poa, periods.rules()) == 0
