"""The one clock the timers and due dates read (pacm issue 9: the demo clock).

Outside demo mode `now()` is `timezone.now()` and reads nothing. In demo mode (the setting
`PACM_DEMO_CLOCK` on and the database marked by `seed_demo`, pacm.demo) it is the real time plus
the demo offset, so `run_timers --advance DAYS` and the activity page's button move every due
date's "now" at once. Event timestamps keep the real time: the log says when things were done.
"""
import datetime
import threading
import time

from django.conf import settings
from django.utils import timezone

# The offset is read at most once per this many seconds per thread (a page asks for "now" many times).
_TTL = 2.0
_memo = threading.local()


def offset():
    """The demo offset now in force (zero outside demo mode)."""
    if not getattr(settings, "PACM_DEMO_CLOCK", False):
        return datetime.timedelta(0)
    seen = getattr(_memo, "seen", None)
    if seen is not None and time.monotonic() - seen[0] < _TTL:
        return seen[1]
    from pacm.demo.models import DemoClock

    value = DemoClock.objects.filter(pk=DemoClock.SINGLETON).values_list("offset", flat=True).first()
    value = value or datetime.timedelta(0)
    _memo.seen = (time.monotonic(), value)
    return value


def forget():
    """Drop this thread's memo (after the offset changed, and between tests)."""
    _memo.seen = None


def now():
    return timezone.now() + offset()


def today():
    return timezone.localdate(now())
