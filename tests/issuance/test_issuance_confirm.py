"""pacm issue 9 (reading omge-confirm-1): the participants confirm the OMGE election and the
distribution the DOE submitted (RMP 52, 59-60; 7/CMA.4 annex I para 64) before the secretariat's
checks start; the rule set in force at the submission says whether the request asks for it
(RuleSet.issuance_confirmation_required, on by default).

Personas: ama (Kpone Green Energy, the activity's participant), kofi (Savannah Carbon, not on it),
dora (the verification DOE), dina (Ghana's DNA), sam (the secretariat).
"""
import datetime

import pytest

from methodologies.models import RuleSet
from pacm.common.errors import Refused, ServiceError
from pacm.engine.offers import available_actions, waiting_q
from pacm.events.models import Event, EventKind
from projects import services
from projects.cycle import PeriodState as P
from projects.machines import PERIOD
from projects.models import IssuanceRequest, MonitoringPeriod

from .conftest import _pay

CONFIRM = "confirm_issuance_request"


@pytest.fixture
def requested(world, awaiting_confirmation):
    """The request awaiting the participants' confirmation, its fee paid."""
    _pay(world, awaiting_confirmation)
    return MonitoringPeriod.objects.get(pk=awaiting_confirmation.pk)


def _fresh(period):
    return MonitoringPeriod.objects.get(pk=period.pk)


def test_the_participants_confirmation_is_recorded_with_what_it_confirms(world, requested):
    request = IssuanceRequest.objects.get(period=requested)
    assert (request.confirmation_required, request.confirmed_at) == (True, None)  # rule set default: on
    services.period_confirm_issuance_request(period=requested, user=world.ama, comment="As instructed")
    request.refresh_from_db()
    assert request.confirmed_by == world.orgs["dev"] and request.confirmed_at is not None
    event = Event.objects.filter(stream=requested.activity.stream).order_by("-sequence").first()
    assert (event.kind, event.actor, event.organisation, event.role, event.comment) == (
        EventKind.ISSUANCE_CONFIRMED, world.ama, world.orgs["dev"], "participant", "As instructed")
    assert event.to_state == P.ISSUANCE_REQUESTED
    assert event.payload == {
        "monitoring_period": requested.number, "units_requested": 30_000, "omge_rate": "0.0300", "split": "percent",
        "distribution": [["PACM-H-DEV-1", "60%"], ["PACM-H-DEV-2", "40%"]],
    }
    assert _fresh(requested).state == P.ISSUANCE_REQUESTED  # a write beside the state


def test_the_checks_are_refused_until_the_participants_confirm(world, requested):
    with pytest.raises(ServiceError) as info:
        services.period_start_issuance_checks(period=requested, user=world.sam)
    assert info.value.code == "issuance_confirmation_missing"
    assert "have not yet confirmed the OMGE election and the distribution" in info.value.message
    assert _fresh(requested).state == P.ISSUANCE_REQUESTED
    assert not Event.objects.filter(stream=requested.activity.stream, payload__transition="start_issuance_checks").exists()
    services.period_confirm_issuance_request(period=requested, user=world.ama)
    services.period_start_issuance_checks(period=_fresh(requested), user=world.sam)
    assert _fresh(requested).state == P.ISSUANCE_CHECKS


def test_offers_before_and_after_the_confirmation(world, requested):
    ama, sam = available_actions(world.ama, requested), available_actions(world.sam, requested)
    assert ama.get(CONFIRM).blocked is None
    assert sam.get("start_issuance_checks").blocked.code == "issuance_confirmation_missing"
    for who in (world.dora, world.dina, world.kofi, world.sam):
        assert not available_actions(who, requested).has(CONFIRM), who
    services.period_confirm_issuance_request(period=requested, user=world.ama)
    period = _fresh(requested)
    assert available_actions(world.ama, period).get(CONFIRM).blocked.code == "issuance_already_confirmed"
    assert available_actions(world.sam, period).get("start_issuance_checks").blocked is None
    with pytest.raises(ServiceError) as info:  # once is enough: a second confirmation is refused
        services.period_confirm_issuance_request(period=period, user=world.ama)
    assert info.value.code == "issuance_already_confirmed"
    services.period_start_issuance_checks(period=period, user=world.sam)
    assert not available_actions(world.ama, _fresh(period)).has(CONFIRM)  # only while the request is submitted


def test_the_queues_wait_for_the_participants_then_for_the_secretariat(world, requested):
    def waiting(user):
        return MonitoringPeriod.objects.filter(waiting_q(user, PERIOD), pk=requested.pk).exists()

    assert (waiting(world.ama), waiting(world.sam)) == (True, False)
    services.period_confirm_issuance_request(period=requested, user=world.ama)
    assert (waiting(world.ama), waiting(world.sam)) == (False, True)


@pytest.mark.parametrize("who", ["dora", "dina", "kofi", "sam", "sofia"])
def test_only_the_activitys_participants_confirm(world, requested, who):
    with pytest.raises(Refused) as info:
        services.period_confirm_issuance_request(period=requested, user=getattr(world, who))
    assert info.value.code == "not_permitted"
    assert IssuanceRequest.objects.get(period=requested).confirmed_at is None
    assert not Event.objects.filter(kind=EventKind.ISSUANCE_CONFIRMED).exists()


def test_a_resubmitted_request_is_confirmed_afresh(world, requested):
    services.period_confirm_issuance_request(period=requested, user=world.ama)
    services.period_start_issuance_checks(period=_fresh(requested), user=world.sam)
    services.period_return_issuance_incomplete(period=_fresh(requested), user=world.sam, comment="Lines unsigned")
    services.period_resubmit_issuance(period=_fresh(requested), user=world.dora, units_requested=25_000,
                                      lines=[{"account": world.acct2, "units": 23_250}])
    request = IssuanceRequest.objects.get(period=requested)
    assert (request.confirmed_at, request.confirmed_by) == (None, None)
    with pytest.raises(ServiceError) as info:
        services.period_start_issuance_checks(period=_fresh(requested), user=world.sam)
    assert info.value.code == "issuance_confirmation_missing"
    services.period_confirm_issuance_request(period=_fresh(requested), user=world.ama)
    event = Event.objects.filter(kind=EventKind.ISSUANCE_CONFIRMED).order_by("-sequence").first()
    assert event.payload["units_requested"] == 25_000 and event.payload["omge_rate"] == "0.0200"
    assert (event.payload["split"], event.payload["distribution"]) == ("units", [["PACM-H-DEV-2", "23250 units"]])


def test_a_rule_set_without_the_confirmation_lets_the_checks_start(world, registered, submit, drive):
    """The rule is data: a rule set that does not ask for it (reading omge-confirm-1)."""
    RuleSet.objects.create(version="no-confirm", effective_from=datetime.date.today(),
                           issuance_confirmation_required=False)
    period = drive(submit(registered), P.ISSUANCE_REQUESTED)
    assert IssuanceRequest.objects.get(period=period).confirmation_required is False
    assert available_actions(world.ama, period).get(CONFIRM).blocked.code == "issuance_confirmation_not_required"
    _pay(world, period)
    services.period_start_issuance_checks(period=_fresh(period), user=world.sam)
    assert _fresh(period).state == P.ISSUANCE_CHECKS


# --- The participants decline instead (pacm issue 9, reading omge-confirm-2) ----------------------

DECLINE = "decline_issuance_request"
DECLINED_PAYLOAD = {"units_requested": 30_000, "omge_rate": "0.0300", "split": "percent",
                    "distribution": [["PACM-H-DEV-1", "60%"], ["PACM-H-DEV-2", "40%"]]}


def _new_events(period, before):
    return list(Event.objects.filter(stream=period.activity.stream, sequence__gt=before).order_by("sequence"))


def _last(period):
    return Event.objects.filter(stream=period.activity.stream).order_by("-sequence").values_list(
        "sequence", flat=True).first()


def test_the_participants_decline_with_reasons_and_the_request_goes_back_to_the_doe(world, requested):
    """Reading omge-confirm-2: ama declines the election and the lines (7/CMA.4 annex I para 64; RMP
    52, 59-60): the period is back with the DOE (`issuance_incomplete`), `issuance.declined` names what
    was declined and the reasons, the transition's own event follows; the DOE may resubmit."""
    before = _last(requested)
    services.period_decline_issuance_request(period=requested, user=world.ama, comment=" 40% is not our account ",
                                             expected_state=P.ISSUANCE_REQUESTED)
    period = _fresh(requested)
    assert (period.state, period.due_at) == (P.ISSUANCE_INCOMPLETE, None)  # no rule gives the DOE a time
    declined, moved = _new_events(requested, before)
    assert (declined.kind, declined.actor, declined.organisation, declined.role, declined.comment) == (
        EventKind.ISSUANCE_DECLINED, world.ama, world.orgs["dev"], "participant", "40% is not our account")
    assert declined.payload == {"monitoring_period": requested.number, **DECLINED_PAYLOAD}
    assert (moved.kind, moved.from_state, moved.to_state, moved.actor, moved.comment) == (
        EventKind.MONITORING_TRANSITIONED, P.ISSUANCE_REQUESTED, P.ISSUANCE_INCOMPLETE, world.ama,
        "40% is not our account")
    assert moved.payload["transition"] == DECLINE and moved.payload["monitoring_period"] == requested.number
    assert available_actions(world.dora, period).get("resubmit_issuance").blocked is None
    assert not available_actions(world.ama, period).has(CONFIRM)
    assert available_actions(world.ama, period).has("withdraw")  # the participants' other recourse
    assert IssuanceRequest.objects.get(period=requested).confirmed_at is None


def test_a_decline_needs_reasons_and_changes_nothing_without(world, requested):
    before = _last(requested)
    for blank in ("", "   "):
        with pytest.raises(ServiceError) as info:
            services.period_decline_issuance_request(period=requested, user=world.ama, comment=blank)
        assert (info.value.code, info.value.field) == ("reasons_required", "comment")
    assert _fresh(requested).state == P.ISSUANCE_REQUESTED and _new_events(requested, before) == []


@pytest.mark.parametrize("who", ["dora", "dina", "kofi", "sam", "sofia"])
def test_only_the_activitys_participants_decline(world, requested, who):
    before = _last(requested)
    assert not available_actions(getattr(world, who), requested).has(DECLINE)
    with pytest.raises(Refused) as info:
        services.period_decline_issuance_request(period=requested, user=getattr(world, who), comment="Not ours")
    assert info.value.code == "not_permitted"
    assert _fresh(requested).state == P.ISSUANCE_REQUESTED and _new_events(requested, before) == []


def test_a_confirmed_request_is_no_longer_declined(world, requested):
    """The same state and guard as the confirmation: once confirmed, the choice is made."""
    assert available_actions(world.ama, requested).get(DECLINE).blocked is None
    services.period_confirm_issuance_request(period=requested, user=world.ama)
    period = _fresh(requested)
    assert available_actions(world.ama, period).get(DECLINE).blocked.code == "issuance_already_confirmed"
    before = _last(period)
    with pytest.raises(ServiceError) as info:
        services.period_decline_issuance_request(period=period, user=world.ama, comment="Changed our mind")
    assert info.value.code == "issuance_already_confirmed"
    assert _fresh(period).state == P.ISSUANCE_REQUESTED and _new_events(period, before) == []


def test_the_doe_is_told_of_the_decline(world, requested, django_capture_on_commit_callbacks):
    """As the other issuance steps tell who acts next (pacm.engine.notify): dora, who may resubmit;
    never ama, who declined."""
    from pacm.notifications.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        services.period_decline_issuance_request(period=requested, user=world.ama, comment="Wrong accounts")
    told = set(Notification.objects.filter(write=DECLINE).values_list("recipient__username", flat=True))
    assert told == {"dora"}, told


def test_a_resubmission_after_a_decline_asks_for_the_confirmation_again(world, requested):
    services.period_decline_issuance_request(period=requested, user=world.ama, comment="Wrong accounts")
    services.period_resubmit_issuance(period=_fresh(requested), user=world.dora, units_requested=25_000,
                                      lines=[{"account": world.acct2, "units": 23_250}])
    period = _fresh(requested)
    request = IssuanceRequest.objects.get(period=requested)
    assert period.state == P.ISSUANCE_REQUESTED and (request.confirmation_required, request.confirmed_at) == (True, None)
    ama = available_actions(world.ama, period)
    assert ama.get(CONFIRM).blocked is None and ama.get(DECLINE).blocked is None
    with pytest.raises(ServiceError) as info:
        services.period_start_issuance_checks(period=period, user=world.sam)
    assert info.value.code == "issuance_confirmation_missing"
