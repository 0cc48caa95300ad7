"""A6.4-STAN-METH-002 v01.0 para 61: the stress test occurs at least every three years "and in an
event of a significant loss event": each remediation from the pool makes the current test due
now (reading removals-8), and the secretariat and the SB are told."""
from pacm.events.models import Event, EventKind
from pacm.notifications.models import Notification
from projects.cycle import PeriodState as P
from projects.removals.cycle import StressTestState as S
from projects.removals.stress import stress_test_run
from projects.reversals import services as rev
from tests.hardening.conftest import observed_event


def test_a_remediation_makes_the_stress_test_due(world, removals, submit, drive, django_capture_on_commit_callbacks):
    drive(submit(removals), P.ISSUED)  # 30,000 issued; 3,000 to the pool
    test = stress_test_run(user=world.sam, parameters={"largest": 1})
    event = observed_event(world, removals, until="full_verified")
    event = rev.event_determine_reversal(event=event, user=world.sofia, authorized=0, contribution=500,
                                         avoidable=False, comment="Cyclone")
    with django_capture_on_commit_callbacks(execute=True):
        rev.event_cancel_from_buffer(event=event, user=world.sam)
    test.refresh_from_db()
    assert test.state == S.DUE
    last = Event.objects.filter(stream=test.stream).order_by("-sequence").first()
    assert (last.kind, last.payload, last.actor, last.role) == (
        EventKind.STRESS_TEST_TRANSITIONED,
        {"transition": "loss_event", "cause": f"{removals.reference} observed event 1"}, world.sam, "secretariat")
    told = set(Notification.objects.filter(write="loss_event").values_list("recipient__username", flat=True))
    assert told == {"sofia"}  # sam acted
    # The next run answers it.
    stress_test_run(user=world.sam, parameters={"largest": 1})
    test.refresh_from_db()
    assert test.state == S.SUPERSEDED
