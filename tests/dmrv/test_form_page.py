"""The monitoring report form shows the readings of the period being drafted (newest first, a page
at a time) and prefills the claims computed from them; the participants still submit (RMP 50).
Personas: ama (participant), kofi (not on the activity)."""
import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.dmrv.models import MrvKey, Reading, ReadingBatch
from projects.dmrv.selectors import READINGS_PAGE
from tests.dmrv.support import CLAIMED, declare
from tests.issuance.conftest import period_dates, registered  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def _store(activity, user, rows):
    key = MrvKey.objects.get_or_create(activity=activity, key_id="mrv_test", defaults={
        "organisation": activity.participants.first(), "secret": "s" * 64, "created_by": user})[0]
    batch = ReadingBatch.objects.create(activity=activity, period_number=1, key=key,
                                        client_key=f"batch-{ReadingBatch.objects.count():016d}", body_sha256="0" * 64,
                                        signed_at=timezone.now(), received_at=timezone.now(), submitted_by=user,
                                        count=len(rows))
    Reading.objects.bulk_create([Reading(batch=batch, activity=activity, period_number=1, parameter=p, value=v,
                                         unit=u, measured_at=at, source="meter-7") for p, v, u, at in rows])


@pytest.fixture
def drafted(world, registered):  # noqa: F811
    declare(registered)
    start, end = period_dates(registered, 1)
    noon = datetime.time(12, tzinfo=datetime.UTC)
    _store(registered, world.ama, [
        (CLAIMED, Decimal("100.7"), "tCO2e", datetime.datetime.combine(start, noon)),
        (CLAIMED, Decimal("50.6"), "tCO2e", datetime.datetime.combine(end, noon)),
        ("EG_y", Decimal("999"), "MWh", datetime.datetime.combine(end, noon)),
    ])
    return registered, start, end


def test_the_form_shows_the_readings_and_prefills_the_computed_claims(world, drafted, client):
    activity, start, end = drafted
    client.force_login(world.ama)
    url = reverse("period-submit", args=[activity.reference])
    page = client.get(url).content.decode()
    assert "Readings for MP1" in page and "100.7 tCO2e" in page and "999 MWh" in page and "meter-7" in page
    computed = client.get(url, {"compute": "1", "start": start.isoformat(), "end": end.isoformat()})
    expected = {start.year: 100, end.year: 50} if start.year != end.year else {start.year: 151}
    assert computed.context["dmrv"]["computed"] == expected
    claims = computed.context["claims"]
    assert [(f.initial.get("vintage"), f.initial.get("quantity")) for f in claims.forms[:len(expected)]] == list(
        expected.items())
    assert computed.context["form"].initial["end"] == end
    assert not activity.monitoring_periods.exists()  # nothing submitted: the participants still submit


def test_a_bad_compute_request_says_so(world, drafted, client):
    activity, start, _end = drafted
    client.force_login(world.ama)
    page = client.get(reverse("period-submit", args=[activity.reference]), {"compute": "1", "start": start.isoformat()})
    assert page.status_code == 200 and page.context["dmrv"]["compute_error"]


def test_only_the_participants_see_the_readings(world, drafted, client):
    activity, *_dates = drafted
    client.force_login(world.kofi)
    assert client.get(reverse("period-submit", args=[activity.reference])).status_code in (403, 404)


def test_the_readings_are_paged_and_the_page_reads_them_in_bounded_queries(world, drafted, client):
    activity, start, _end = drafted
    client.force_login(world.ama)
    url = reverse("period-submit", args=[activity.reference])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    noon = datetime.time(12, tzinfo=datetime.UTC)
    _store(activity, world.ama, [(CLAIMED, Decimal(i), "tCO2e", datetime.datetime.combine(start, noon))
                                 for i in range(READINGS_PAGE * 2)])
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert len(many) == len(few)  # no query per reading
    shown = list(page.context["dmrv"]["readings"])
    assert len(shown) == READINGS_PAGE and shown == sorted(shown, key=lambda r: -r.pk)
    assert page.context["dmrv"]["readings"].next_link
