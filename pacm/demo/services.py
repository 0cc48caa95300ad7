"""The demo clock's write paths. Demo mode only: the database marked by seed_demo *and* the
setting PACM_DEMO_CLOCK (on by default under DEBUG only), so a production database, even one a
demo was seeded into by mistake, never has its clock moved."""
import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pacm.common import bounds, clock
from pacm.common.errors import Refused, ServiceError
from pacm.events.models import EventKind
from pacm.events.services import event_record

from .models import DemoClock

STREAM = "demo"
# The most one press or command may move the clock: the timers' own bound (pacm.common.bounds).
MAX_DAYS = bounds.TIMER_DAYS_MAX


def demo_mode():
    """Both keys turned: the setting and the database's mark."""
    return bool(getattr(settings, "PACM_DEMO_CLOCK", False)) and DemoClock.objects.filter(pk=DemoClock.SINGLETON).exists()


def demo_mark():
    """seed_demo marks the database as demo (idempotent); the clock starts at the real time."""
    row, _created = DemoClock.objects.get_or_create(pk=DemoClock.SINGLETON, defaults={"marked_at": timezone.now()})
    return row


def demo_require(*, lock=False):
    """The demo clock's row; refused outside demo mode (the setting off, or no seed_demo mark)."""
    if not getattr(settings, "PACM_DEMO_CLOCK", False):
        raise Refused(_("The demo clock is off on this server (PACM_DEMO_CLOCK): time moves only in a demo."),
                      code="demo_clock_off")
    rows = DemoClock.objects.select_for_update() if lock else DemoClock.objects
    row = rows.filter(pk=DemoClock.SINGLETON).first()
    if row is None:
        raise Refused(_("This database is not a demo (seed_demo marks one): its clock cannot be moved."),
                      code="not_demo")
    return row


def demo_clock_advance(*, actor, by=None, until=None, activity=None):
    """Move the demo clock forward by `by` (a timedelta), or to just past `until` (a due date).

    `actor` is a pacm.parties.roles.Actor (the person, or the command). Never backwards: a due date
    already passed moves nothing. Records `demo.clock_advanced` on the stream `demo`. The caller
    runs the timer pass after the commit (projects: run_timers, the activity page's button).
    """
    if (by is None) == (until is None):
        raise ServiceError(_("Say how far to move the clock."), code="demo_advance_how")
    if by is not None and not datetime.timedelta(0) < by <= datetime.timedelta(days=MAX_DAYS):
        raise ServiceError(_("Move the demo clock by 1 to %(max)s days.") % {"max": MAX_DAYS},
                           field="days", code="demo_advance_bounds", params={"max": MAX_DAYS})
    with transaction.atomic():
        row = demo_require(lock=True)
        real = timezone.now()
        before = row.offset
        if until is not None:
            # One second past the due date: the timer pass fires what is due at or before "now".
            wanted = until + datetime.timedelta(seconds=1) - real
            step = max(wanted - before, datetime.timedelta(0))
            if step > datetime.timedelta(days=MAX_DAYS):
                raise ServiceError(_("That due date is more than %(max)s days away.") % {"max": MAX_DAYS},
                                   code="demo_advance_bounds", params={"max": MAX_DAYS})
        else:
            step = by
        row.offset = before + step
        row.save(update_fields=["offset"])
        event_record(
            stream=STREAM, kind=EventKind.DEMO_CLOCK_ADVANCED, actor=actor, activity=activity,
            payload={"by_seconds": int(step.total_seconds()), "offset_seconds": int(row.offset.total_seconds()),
                     "demo_now": (real + row.offset).isoformat()},
        )
        transaction.on_commit(clock.forget)
    clock.forget()
    return row
