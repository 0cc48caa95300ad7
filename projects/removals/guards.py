"""Guards of the termination and stress-test machines (projects.removals.cycle)."""
from django.utils.translation import gettext as _

from pacm.engine.declarations import Blocked


def no_period_open(termination):
    """Para 28: monitoring ends with every report taken up: none waits for verification."""
    from ..cycle import PeriodState

    if termination.activity.monitoring_periods.filter(
            state__in=(PeriodState.SUBMITTED, PeriodState.UNDER_VERIFICATION)).exists():
        return Blocked(code="period_open", message=_("A monitoring report of this activity is still being verified."))
    return None


def no_observed_event_open(termination):
    """Para 28: an observed event still open is settled first (paras 43-58)."""
    from ..reversals.cycle import EVENT_TERMINAL

    if termination.activity.observed_events.exclude(state__in=list(EVENT_TERMINAL)).exists():
        return Blocked(code="observed_event_open",
                       message=_("An observed event of this activity is still open: it is settled first."))
    return None
