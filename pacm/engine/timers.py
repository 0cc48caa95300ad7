"""One timer pass: fire every timed transition whose due date has passed, on every machine
(policy.md §3). Run by Celery beat every minute or `python manage.py run_timers`; the event
log names the timer as the actor."""
import logging

from pacm.common import clock
from pacm.common.errors import ServiceError
from pacm.parties.roles import Actor

from .machines import machines
from .run import describe

log = logging.getLogger(__name__)


def timers_run():
    """Fire what is due now; returns the list of (subject, transition) fired.

    Tests move the clock (time-machine) rather than pass a time, so the pass and the services'
    own "is it due?" check read the same clock.
    """
    now = clock.now()  # the demo clock in a demo (pacm.common.clock), the real time elsewhere
    fired = []
    for machine in machines():
        if not machine.timed:
            continue
        due = (
            machine.model.objects.filter(state__in=list(machine.timed), due_at__lte=now)
            .values_list("pk", "state")
            .order_by("due_at", "pk")
        )
        for pk, state in due:
            name = machine.timed[state]
            obj = machine.model.objects.get(pk=pk)
            try:
                obj = machine.call(name, obj, actor=Actor.timer(name))
            except ServiceError as error:  # a guard holds it back (e.g. a reversal owed): next pass
                log.info("timer %s on %s %s held back: %s", name, machine.name, pk, error.message)
                continue
            fired.append((describe(obj), name))
    return fired
