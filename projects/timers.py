"""One timer pass: fire every timed transition whose due date has passed (policy.md §3).

Run by Celery beat every minute (`projects.tasks.timers_run`) or by
`python manage.py run_timers` from cron or a test. The event log names the timer as the actor.
"""
import logging

from django.utils import timezone

from pacm.common.errors import ServiceError
from pacm.parties.roles import Actor

from . import services
from .cycle import ACTIVITY_TIMED, PERIOD_TIMED
from .models import Activity, MonitoringPeriod

log = logging.getLogger(__name__)


def timers_run():
    """Fire what is due now; returns the list of (reference, transition) fired.

    Tests move the clock (time-machine) rather than pass a time, so the pass and the services'
    own "is it due?" check read the same clock.
    """
    now = timezone.now()
    fired = []
    for model, timed in ((Activity, ACTIVITY_TIMED), (MonitoringPeriod, PERIOD_TIMED)):
        due = model.objects.filter(state__in=list(timed), due_at__lte=now).values_list("pk", "state").order_by("due_at")
        for pk, state in due:
            name = timed[state]
            obj = model.objects.get(pk=pk)
            try:
                if model is Activity:
                    obj = getattr(services, f"activity_{name}")(activity=obj, actor=Actor.timer(name))
                else:
                    obj = getattr(services, f"period_{name}")(period=obj, actor=Actor.timer(name))
            except ServiceError as error:  # a guard holds it back (e.g. a reversal owed): next pass
                log.info("timer %s on %s %s held back: %s", name, model.__name__, pk, error.message)
                continue
            ref = obj.reference if model is Activity else str(obj)
            fired.append((ref, name))
    return fired
