"""pacm issue 9: the participant confirms the DOE's issuance request on the period page (the OMGE
election and the distribution shown with the button); tests/api/test_issuance_confirm.py: the API.

Personas: ama (the activity's participant), kofi (another participant, not on it), dora (the
verification DOE), dina (Ghana's DNA), sam (the secretariat).
"""
import re

import pytest

from pacm.events.models import Event, EventKind
from projects.cycle import PeriodState as P
from projects.models import IssuanceRequest, MonitoringPeriod

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


DECLINE = "decline_issuance_request"


def test_the_participant_may_decline_beside_the_confirmation_with_reasons(as_user, world, requested):
    """pacm issue 9 (reading omge-confirm-2): the decline form sits in the confirmation's box; without
    reasons it is refused with the form's error and nothing changes; with them the request is back
    with the DOE and the page says so."""
    ama = as_user(world.ama)
    html = ama.get(period_url(requested)).content.decode()
    box = re.search(r'<div class="alert alert-primary" id="issuance-confirm">.*?id="issuance-decline".*?</form>',
                    html, re.S).group(0)
    decline = box[box.index('id="issuance-decline"'):]
    assert transition_buttons(box) == {CONFIRM: False, DECLINE: False}
    assert f'name="t-{DECLINE}-comment"' in decline and "the request goes back to the DOE" in text(decline)
    assert html.count(f'value="{DECLINE}"') == 1  # in the box only, not among the plain buttons
    events = Event.objects.count()
    url = period_url(requested, "period-transition", name=DECLINE)
    empty = ama.post(url, {f"t-{DECLINE}-expected_state": P.ISSUANCE_REQUESTED, f"t-{DECLINE}-comment": ""}, follow=True)
    assert "This field is required." in text(empty.content.decode())
    assert Event.objects.count() == events
    assert MonitoringPeriod.objects.get(pk=requested.pk).state == P.ISSUANCE_REQUESTED
    done = ama.post(url, {f"t-{DECLINE}-expected_state": P.ISSUANCE_REQUESTED,
                          f"t-{DECLINE}-comment": "The 40% line is not our account"})
    assert done.status_code == 302 and done.url == period_url(requested)
    kinds = list(Event.objects.filter(stream=requested.activity.stream).order_by("-sequence")
                 .values_list("kind", "actor", "comment")[:2])
    assert kinds == [(EventKind.MONITORING_TRANSITIONED, world.ama.pk, "The 40% line is not our account"),
                     (EventKind.ISSUANCE_DECLINED, world.ama.pk, "The 40% line is not our account")]
    html = ama.get(period_url(requested)).content.decode()
    assert 'id="issuance-decline"' not in html and 'id="issuance-confirm"' not in html
    assert "Issuance request incomplete (back to the DOE)" in text(html)


@pytest.mark.parametrize("who", ["dora", "dina", "sam", "kofi"])
def test_no_one_else_sees_or_takes_the_decline(as_user, world, requested, who):
    client = as_user(getattr(world, who))
    page = client.get(period_url(requested))
    if page.status_code == 200:
        assert 'id="issuance-decline"' not in page.content.decode()
    response = client.post(period_url(requested, "period-transition", name=DECLINE),
                           {f"t-{DECLINE}-comment": "Not mine"})
    assert response.status_code in (403, 404)
    assert not Event.objects.filter(kind=EventKind.ISSUANCE_DECLINED).exists()
