"""A CDM project's transition request, end to end, with a frozen clock (A6.4-PROC-AC-001 v06.0,
A6.4-STAN-AC-001 v05.0; docs/rules-coverage.md "CDM transition")."""
import datetime
from decimal import Decimal

import pytest

from pacm.events.models import Event
from projects.cycle import ActivityState
from projects.models import Activity
from projects.transition.cycle import TransitionState as S
from projects.transition.models import TransitionRequest
from tests import factories as f

from .helpers import create, drive, fresh

pytestmark = pytest.mark.django_db


def _events(request):
    return list(Event.objects.filter(stream=request.stream).order_by("sequence").values_list("kind", "payload"))


def test_a_project_transitions_to_a_registered_activity(world, time_machine):
    request = create(world, time_machine)
    request = drive(world, time_machine, request, S.TRANSITIONED)
    activity = Activity.objects.get(pk=request.activity_id)
    # PROC-AC-001 para 15: a reference that tells transitioned from new activities ("A64-000001").
    assert request.reference == f"A64-T{request.pk:06d}" == activity.reference
    assert activity.state == ActivityState.REGISTERED
    # Para 52: from 1 Jan 2021; STAN-AC-001 para 13(a): the earlier of the CDM end and 31 Dec 2025.
    assert (activity.crediting_start, activity.crediting_end) == (datetime.date(2021, 1, 1), datetime.date(2021, 5, 31))
    assert list(activity.participants.all()) == [world.orgs["dev"]]
    assert activity.host_approvals.get().sop_exemption_opt_out is False
    kinds = [k for k, _ in _events(request)]
    transitions = [p["transition"] for k, p in _events(request) if k == "transition.transitioned"]
    assert kinds == [
        "transition.created", "transition.transitioned", "transition.transitioned", "transition.transitioned",
        "transition.transitioned", "transition.fee_paid", "transition.transitioned", "transition.transitioned",
        "transition.transitioned", "transition.transitioned", "transition.cdm_deregistration",
        "transition.activity_registered", "transition.transitioned",
    ]
    assert transitions == [
        "publish", "close_consultation", "approve_transition", "submit_documentation", "start_completeness_check",
        "pass_completeness_check", "pass_substantive_check", "approve_by_timer", "transition_after_appeal",
    ]
    payloads = dict((p["transition"], p) for k, p in _events(request) if k == "transition.transitioned")
    assert payloads["close_consultation"]["deadline"] == "2026-06-30"  # CMA7 extension (rule set)
    # Para 33(a): the registration fee tier of 40,000 t in the rule set in force in March 2025
    # (2024-10, which keeps the CMA maximum of 2021-01, USD 6,000; 7/CMA.4 annex I para 51).
    assert payloads["submit_documentation"]["fee_usd"] == "6000.00"
    assert payloads["submit_documentation"]["rule_set"] == "2024-10"
    assert payloads["submit_documentation"]["fnrb"] == "0.8430"
    registered = dict(_events(request))["transition.activity_registered"]
    assert registered == {"activity": activity.reference, "effective_from": "2025-03-31",
                          "crediting_start": "2021-01-01", "crediting_end": "2021-05-31",
                          "crediting_type": "renewable", "renewals_remaining": 2}
    activity_kinds = list(Event.objects.filter(stream=activity.stream).values_list("kind", flat=True))
    assert activity_kinds == ["activity.created", "host.approval_issued"]


def test_a_fixed_period_keeps_its_cdm_end(world, time_machine):
    request = create(world, time_machine, crediting_type="fixed", cdm_crediting_end=datetime.date(2027, 5, 31),
                     renewals_remaining=0)
    request = drive(world, time_machine, request, S.TRANSITIONED)
    # STAN-AC-001 para 14: a fixed crediting period keeps its end.
    assert request.activity.crediting_end == datetime.date(2027, 5, 31)


def test_a_renewable_period_ends_by_31_december_2025(world, time_machine):
    request = create(world, time_machine, cdm_crediting_end=datetime.date(2028, 5, 31))
    request = drive(world, time_machine, request, S.TRANSITIONED)
    assert request.activity.crediting_end == datetime.date(2025, 12, 31)  # STAN-AC-001 para 13(a)(ii)


def test_an_ldc_host_waives_the_fee(world, time_machine):
    f.party("GH", "Ghana", ldc=True)
    request = drive(world, time_machine, create(world, time_machine), S.DOCUMENTATION_SUBMITTED)
    # PROC-AC-001 para 33(b): fees waived for LDC and SIDS hosts; the checks may start at once.
    assert (request.fee_status, request.fee_usd) == ("waived", Decimal("0.00"))


def test_the_waiting_queues_follow_the_request(world, time_machine):
    from pacm.engine.offers import waiting_q
    from projects.transition.machine import TRANSITION_MACHINE as M

    request = create(world, time_machine)
    waiting = lambda user: set(TransitionRequest.objects.filter(waiting_q(user, M)).values_list("pk", flat=True))  # noqa: E731
    assert waiting(world.sam) == {request.pk} and waiting(world.dina) == set()
    request = drive(world, time_machine, request, S.AWAITING_HOST)
    assert waiting(world.dina) == {request.pk} and waiting(world.nils) == set() and waiting(world.sam) == set()
    request = drive(world, time_machine, request, S.HOST_APPROVED)
    assert waiting(world.ama) == {request.pk} and waiting(world.kofi) == set()
    assert fresh(request).state == S.HOST_APPROVED


def test_the_first_issuance_of_a_transitioned_activity_needs_the_authorization_statement(world, time_machine):
    from projects import services
    from projects.guards import transitioned_authorization_on_file

    request = drive(world, time_machine, create(world, time_machine), S.TRANSITIONED)
    activity = request.activity
    # PROC-AC-001 v06.0 para 27: the statement before the first issuance.
    assert "authorization statement must be on file" in transitioned_authorization_on_file(activity)
    services.authorization_statement_issue(activity=activity, user=world.dina, uses="ndc",
                                           effective_from=datetime.date(2021, 1, 1))
    assert transitioned_authorization_on_file(activity) is None
    new = services.activity_create(user=world.ama, **f.pdd_data(world.host, world.version))
    assert transitioned_authorization_on_file(new) is None  # a new activity: the registration's rule applies
