"""Rule 1: a monitoring report only for a period that is over (pacm issue 6 §5).

RMP 50-51 (decision 3/CMA.3, annex): the participants monitor, and a DOE verifies and certifies,
the emission reductions or removals *achieved* in the monitoring period; A6.4-PROC-AC-002 v03.0
para 174 certifies those "achieved ... during the monitoring period". A period whose last day is
the day of submission or later has not achieved them yet: the report is refused, nothing is written.
"""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from pacm.common.errors import ServiceError
from pacm.events.models import Event, EventKind
from projects import services
from projects.cycle import PeriodState as P
from projects.models import DocumentVersion, MonitoringPeriod
from tests import factories as f
from tests.web_registry.conftest import claims_post


def _nothing_written(activity):
    return (
        not MonitoringPeriod.objects.filter(activity=activity).exists()
        and not DocumentVersion.objects.filter(document__kind="monitoring_report").exists()
        and not Event.objects.filter(stream=activity.stream, kind=EventKind.MONITORING_SUBMITTED).exists()
    )


@pytest.mark.parametrize("days_from_today", [0, 1, 200], ids=["ends-today", "ends-tomorrow", "ends-later"])
def test_report_on_a_period_not_over_is_refused(world, registered, days_from_today):
    """RMP 50-51: a period ending on the day of submission, or later, is refused; nothing is written."""
    start = registered.crediting_start
    end = timezone.localdate() + datetime.timedelta(days=days_from_today)
    with pytest.raises(ServiceError, match=r"has not ended yet.*RMP 50-51") as caught:
        services.period_submit(activity=registered, user=world.ama, start=start, end=end,
                               claims={start.year: 1_000}, report=f.pdf())
    assert caught.value.field == "end"
    assert _nothing_written(registered)


def test_report_on_a_period_that_ended_yesterday_is_accepted(world, registered):
    """RMP 50-51: the day after its last day, the period's reductions are achieved and may be reported."""
    start = registered.crediting_start
    end = timezone.localdate() - datetime.timedelta(days=1)
    period = services.period_submit(activity=registered, user=world.ama, start=start, end=end,
                                    claims={start.year: 1_000}, report=f.pdf())
    assert (period.state, period.start, period.end) == (P.SUBMITTED, start, end)


def test_the_form_shows_the_refusal_on_the_end_date_and_saves_nothing(as_user, world, registered):
    """RMP 50-51 through the web: the message sits on the end date; the date field offers no day from today on."""
    client = as_user(world.ama)
    url = reverse("period-submit", kwargs={"reference": registered.reference})
    today = timezone.localdate()
    assert f'max="{(today - datetime.timedelta(days=1)).isoformat()}"' in client.get(url).content.decode()
    start = registered.crediting_start
    response = client.post(url, claims_post(start, today, [(start.year, 1_000)]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "The monitoring period has not ended yet" in html and "Nothing was saved" in html
    assert _nothing_written(registered)
