"""Every declared transition of the CDM transition request's machine (projects/transition/cycle.py
TRANSITION_TRANSITIONS) from each of its sources: only its declared actor takes it, recording one
`transition.transitioned` event; every other persona, and anyone from a wrong state, is refused and
nothing changes (A6.4-PROC-AC-001 v06.0 paras 15-57). The timers' transitions are in
test_transition_rules.py; the offers match the skeleton (check_machine) for the transition and the
DOE's liability machines (PROC-AC-003 v03.0 para 139).

Who holds each role on the request: ama's organisation made it (participant), Ghana's DNA (dina)
hosts it, sam the secretariat, sofia an SB member; the Board acts as a body (an Actor)."""
import inspect

import pytest
from django.contrib.auth.models import AnonymousUser

from pacm.common.errors import Refused
from pacm.events.models import Event
from pacm.parties.roles import Actor, Role
from projects.transition import services as ts
from projects.transition.cycle import TRANSITION_TRANSITIONS
from projects.transition.cycle import TransitionState as S
from projects.transition.machine import TRANSITION_MACHINE
from tests.engine.test_offers_match_services import check_machine

from .helpers import create, drive, fresh

pytestmark = pytest.mark.django_db
PERSONAS = ("ama", "kofi", "dora", "otto", "dina", "nils", "sam", "sofia")
HOLDERS = {Role.PARTICIPANT: {"ama"}, Role.DNA: {"dina"}, Role.SECRETARIAT: {"sam"}, Role.SB: {"sofia"},
           Role.DOE: set(), Role.BOARD: set()}
DOCS = dict(documentation="addendum", summary="Addendum, AM0023 kept.", fnrb="0.8430", leakage_factor="0.95")
INPUTS = {"approve_transition": dict(sd_confirmation="Fosters SD.", ndc_relation="Within the NDC."),
          "submit_documentation": DOCS, "resubmit_documentation": DOCS}


def _board(world):
    return Actor(user=None, organisation=world.orgs["sb"], role=Role.BOARD, label="board:test")


def _who(world, name):
    return _board(world) if name == "board" else world.people[name]


def _fire(name, request, who, comment="Reasons given."):
    service = TRANSITION_MACHINE.services[name]
    kwargs = dict(INPUTS.get(name, {}))
    params = inspect.signature(service).parameters
    if "comment" in params:
        kwargs["comment"] = comment
    if isinstance(who, Actor) and "actor" in params:
        kwargs["actor"] = who
    else:
        kwargs["user"] = who
    return service(request=fresh(request), **kwargs)


def reach(world, clock, state):
    """A request in `state`, through its declared writes."""
    if state == S.CORRECTIONS:
        return ts.transition_request_return_for_correction(request=create(world, clock), user=world.sam,
                                                           comment="Form incomplete.")
    if state == S.INCOMPLETE:
        request = drive(world, clock, create(world, clock), S.COMPLETENESS)
        return ts.transition_request_return_incomplete(request=request, user=world.sam, comment="Annex missing.")
    if state in (S.UNDER_REVIEW, S.MODIFICATIONS):
        request = drive(world, clock, create(world, clock), S.REVIEW_WINDOW)
        request = ts.transition_request_request_review(request=request, user=world.sofia, comment="Check FNRB.")
        if state == S.MODIFICATIONS:
            request = ts.transition_request_approve_with_modifications(request=request, actor=_board(world),
                                                                       comment="Use FNRB 0.80.")
        return fresh(request)
    return drive(world, clock, create(world, clock), state)


def _prepare(world, request, name):
    if name == "start_completeness_check" and fresh(request).fee_status == "due":
        ts.transition_request_record_fee_payment(request=fresh(request), user=world.sam, reference="WIRE-T1")


def snapshot(request):
    r = fresh(request)
    return {"state": r.state, "due_at": r.due_at, "fee": r.fee_status, "events": Event.objects.count(),
            "sd": r.host_sd_confirmation, "documentation": r.documentation}


NON_TIMER = [t for t in TRANSITION_TRANSITIONS if Role.TIMER not in t.actors]
CASES = [(t.name, s, r) for t in NON_TIMER for s in t.source for r in sorted(t.actors)]


@pytest.mark.parametrize("name,source,role", CASES, ids=[f"{n}-from-{s}-by-{r}" for n, s, r in CASES])
def test_transition_allowed_actor_and_everyone_else(world, time_machine, name, source, role):
    """PROC-AC-001 v06.0 (each row's paragraph in cycle.py): the declared actor only."""
    spec = {t.name: t for t in TRANSITION_TRANSITIONS}[name]
    request = reach(world, time_machine, source)
    _prepare(world, request, name)
    before = snapshot(request)
    holders = set().union(*(HOLDERS[r] for r in spec.actors))
    for persona in [p for p in PERSONAS if p not in holders]:
        with pytest.raises(Refused):
            _fire(name, request, world.people[persona])
        assert snapshot(request) == before, f"{persona} changed something"
    with pytest.raises(Refused):
        _fire(name, request, AnonymousUser())
    if Role.BOARD not in spec.actors:
        with pytest.raises(Refused):
            _fire(name, request, _board(world))
    assert snapshot(request) == before

    holder = "board" if role == Role.BOARD else sorted(HOLDERS[role])[0]
    since = Event.objects.filter(stream=request.stream).order_by("-sequence").first().sequence
    _fire(name, request, _who(world, holder))
    assert fresh(request).state == spec.target
    moved = [e for e in Event.objects.filter(stream=request.stream, sequence__gt=since).order_by("sequence")
             if e.kind == "transition.transitioned"]
    assert [(e.payload["transition"], e.from_state, e.to_state, e.role) for e in moved] == [
        (name, source, spec.target, str(role))]


WRONG = {t.name: (S.APPROVED if S.REQUESTED in t.source else S.REQUESTED) for t in NON_TIMER}


def test_every_transition_has_a_wrong_state():
    assert all(WRONG[t.name] not in t.source for t in NON_TIMER)


@pytest.mark.parametrize("name", sorted(WRONG))
def test_transition_refused_from_a_wrong_state(world, time_machine, name):
    spec = {t.name: t for t in TRANSITION_TRANSITIONS}[name]
    request = reach(world, time_machine, WRONG[name])
    role = sorted(spec.actors)[0]
    before = snapshot(request)
    with pytest.raises(Refused) as error:
        _fire(name, request, _who(world, "board" if role == Role.BOARD else sorted(HOLDERS[role])[0]))
    assert error.value.code == "wrong_state"
    assert snapshot(request) == before


def test_transition_offers_are_what_the_services_accept(world, time_machine):
    """The transition machine: every state × persona, offers == what the skeleton accepts."""
    request = reach(world, time_machine, S.AWAITING_HOST)
    assert check_machine(TRANSITION_MACHINE, request, world, TRANSITION_MACHINE.states.values) > 0
