"""The host-approval deadline is rule-set data: a newer rule set with another date moves the
request's due date, the refusal and the timer with it (A6.4-PROC-AC-001 v06.0 para 21, extended by
CMA7; RuleSet.transition_host_approval_deadline; docs/rules-coverage.md transition-1)."""
import datetime

import pytest

from methodologies.models import RuleSet
from pacm.common.errors import ServiceError
from pacm.engine.timers import timers_run
from pacm.events.models import Event
from projects.transition import services as ts
from projects.transition.cycle import TransitionState as S

from .helpers import UTC, create, drive, fresh, request_data

pytestmark = pytest.mark.django_db
SKIP = {"id", "version", "effective_from", "notes"}


def _newer_rule_set(version, effective_from, deadline):
    """A rule set in force from `effective_from`: the one before it, but another host deadline."""
    base = RuleSet.objects.in_force(effective_from)
    values = {f.attname: getattr(base, f.attname) for f in RuleSet._meta.concrete_fields if f.name not in SKIP}
    values["transition_host_approval_deadline"] = deadline
    return RuleSet.objects.create(version=version, effective_from=effective_from, **values)


def _approve(request, user):
    return ts.transition_request_approve_transition(request=request, user=user, sd_confirmation="Fosters SD.",
                                                    ndc_relation="Within the NDC.")


def _transitions(request):
    return [e.payload.get("transition") for e in Event.objects.filter(stream=request.stream).order_by("sequence")]


def test_a_newer_rule_set_sets_the_due_date_and_the_refusal(world, time_machine):
    """transition-1 (para 21; RuleSet.transition_host_approval_deadline): an A/R request (para 13,
    until 31 Dec 2025) whose consultation closes under a rule set in force from 1 Sep 2025 that sets
    31 Mar 2026: the due date is 31 Mar 2026 24:00 CET (22:00 UTC, summer time), and from then on
    `host_deadline_open` refuses the host's approval, where the seeded 30 Jun 2026 would accept;
    nothing changes; the timer then ends the request."""
    _newer_rule_set("2025-09-test", datetime.date(2025, 9, 1), datetime.date(2026, 3, 31))
    time_machine.move_to(datetime.datetime(2025, 9, 2, 9, 0, tzinfo=UTC), tick=False)
    request = ts.transition_request_create(user=world.ama, is_afforestation=True, **request_data(world))
    request = drive(world, time_machine, request, S.AWAITING_HOST)
    assert request.due_at == datetime.datetime(2026, 3, 31, 22, 0, tzinfo=UTC)
    close = Event.objects.filter(stream=request.stream, payload__transition="close_consultation").get()
    assert close.payload["deadline"] == "2026-03-31"

    time_machine.move_to(datetime.datetime(2026, 3, 31, 22, 0, tzinfo=UTC), tick=False)
    before = Event.objects.count()
    with pytest.raises(ServiceError) as error:
        _approve(request, world.dina)
    assert error.value.code == "host_deadline_passed"
    assert error.value.params == {"deadline": "2026-03-31"}
    request = fresh(request)
    assert request.state == S.AWAITING_HOST and request.host_sd_confirmation == ""
    assert Event.objects.count() == before
    timers_run()
    assert fresh(request).state == S.EXPIRED
    assert _transitions(request)[-1] == "expire_host_deadline"


def test_a_rule_set_that_moves_the_deadline_later_holds_the_timer_and_the_host_approves(world, time_machine):
    """transition-1: a request already awaiting its host under the seeded 30 Jun 2026; a rule set in
    force from 1 Jan 2026 moves the deadline to 31 Dec 2026. The due date set when the consultation
    closed passes, but the timer is held back (`host_deadline_passed`): the request stays open, no
    event; the host approves on 1 Sep 2026 and the request goes on."""
    request = drive(world, time_machine, create(world, time_machine), S.AWAITING_HOST)
    assert request.due_at == datetime.datetime(2026, 6, 30, 22, 0, tzinfo=UTC)
    _newer_rule_set("2026-01-test", datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))

    time_machine.move_to(datetime.datetime(2026, 7, 1, 9, 0, tzinfo=UTC), tick=False)
    before = Event.objects.count()
    assert timers_run() == []
    assert fresh(request).state == S.AWAITING_HOST and Event.objects.count() == before

    time_machine.move_to(datetime.datetime(2026, 9, 1, 9, 0, tzinfo=UTC), tick=False)
    _approve(fresh(request), world.dina)
    assert fresh(request).state == S.HOST_APPROVED
    assert _transitions(request)[-1] == "approve_transition"


def test_the_held_timer_ends_the_request_once_the_newer_deadline_passes(world, time_machine):
    """transition-1: the same later deadline (31 Dec 2026 24:00 CET, 23:00 UTC in winter): the timer
    ends the request once it has passed, and the host's approval is refused from then on."""
    request = drive(world, time_machine, create(world, time_machine), S.AWAITING_HOST)
    _newer_rule_set("2026-01-test", datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    time_machine.move_to(datetime.datetime(2026, 12, 31, 22, 59, tzinfo=UTC), tick=False)
    assert timers_run() == [] and fresh(request).state == S.AWAITING_HOST
    time_machine.move_to(datetime.datetime(2026, 12, 31, 23, 0, tzinfo=UTC), tick=False)
    with pytest.raises(ServiceError) as error:
        _approve(fresh(request), world.dina)
    assert (error.value.code, error.value.params) == ("host_deadline_passed", {"deadline": "2026-12-31"})
    timers_run()
    assert fresh(request).state == S.EXPIRED
    assert _transitions(request)[-1] == "expire_host_deadline"
