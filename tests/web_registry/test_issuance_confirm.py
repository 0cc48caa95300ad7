"""pacm issue 9: the participant confirms the DOE's issuance request on the period page (the OMGE
election and the distribution shown with the button); tests/api/test_issuance_confirm.py: the API.

Personas: ama (the activity's participant), kofi (another participant, not on it), dora (the
verification DOE), dina (Ghana's DNA), sam (the secretariat).
"""
import re

import pytest

from pacm.events.models import Event, EventKind
from projects.cycle import PeriodState as P
from projects.models import IssuanceRequest

from .conftest import period_url, transition_buttons

CONFIRM = "confirm_issuance_request"


def text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def requested(awaiting_confirmation):
    return awaiting_confirmation


def test_the_participant_confirms_on_the_page_with_the_election_and_lines(as_user, world, requested):
    ama = as_user(world.ama)
    html = ama.get(period_url(requested)).content.decode()
    box = re.search(r'<div class="alert alert-primary" id="issuance-confirm">.*?</form>', html, re.S).group(0)
    shown = text(box)
    assert "OMGE cancellation of 3% of the units issued" in shown
    assert "PACM-H-DEV-1 Kpone Green Energy holding: 60%" in shown
    assert "PACM-H-DEV-2 Kpone Green Energy holding: 40%" in shown
    assert transition_buttons(box) == {CONFIRM: False}
    assert "Awaited: the secretariat's checks start once the participants confirm" in text(html)
    response = ama.post(period_url(requested, "period-transition", name=CONFIRM),
                        {f"t-{CONFIRM}-expected_state": P.ISSUANCE_REQUESTED})
    assert response.status_code == 302 and response.url == period_url(requested)
    event = Event.objects.filter(stream=requested.activity.stream).order_by("-sequence").first()
    assert (event.kind, event.actor) == (EventKind.ISSUANCE_CONFIRMED, world.ama)
    html = ama.get(period_url(requested)).content.decode()
    assert 'id="issuance-confirm"' not in html
    assert "Confirmed by Kpone Green Energy on" in text(html)


@pytest.mark.parametrize("who", ["dora", "dina", "sam", "kofi"])
def test_no_one_else_sees_or_takes_the_confirmation(as_user, world, requested, who):
    client = as_user(getattr(world, who))
    page = client.get(period_url(requested))
    if page.status_code == 200:  # kofi may see the published activity, not act on it
        assert 'id="issuance-confirm"' not in page.content.decode()
    response = client.post(period_url(requested, "period-transition", name=CONFIRM), {})
    assert response.status_code in (403, 404)
    assert IssuanceRequest.objects.get(period=requested).confirmed_at is None


def test_the_secretariat_sees_the_checks_wait_for_the_confirmation(as_user, world, requested):
    html = as_user(world.sam).get(period_url(requested)).content.decode()
    assert transition_buttons(html) == {"start_issuance_checks": True}
