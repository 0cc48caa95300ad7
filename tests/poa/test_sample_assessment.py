"""The secretariat's sample assessment of inclusions (A6.4-PROC-AC-003 v03.0 paras 126, 133; reading
poa-11): where its assessment of an included CP raises an issue, the secretariat refers it to the SB's
review of the inclusion (`refer_sample_issue`: the CP goes under inclusion review, as on a host DNA's or
an SB member's request, para 128), with its reasons, within para 128's window (`inclusion_review_in_time`:
1 year after the inclusion, rule set cp_inclusion_review_days); the SB then confirms or excludes (para 132).

Personas (tests/conftest.py): sam the secretariat; ama and kofi the CP's participants; otto its DOE; dora
the PoA's DOE; dina Ghana's DNA; nils Kenya's DNA; sofia an SB member.
"""
import datetime

import pytest
import time_machine
from django.urls import reverse

from pacm.common.errors import Refused, ServiceError
from pacm.engine.offers import available_actions
from pacm.events.models import Event
from projects.board.subjects import subject_kind_of
from projects.cycle import ActivityState as A
from projects.poa import services as poa_services
from projects.poa.cycle import CPState as C
from projects.poa.models import ComponentProject
from tests.api.conftest import bearer  # noqa: F401  (fixture)

from .conftest import notify_cp, reach_cp, reach_poa

pytestmark = pytest.mark.django_db

REASONS = "Sample assessment: the CP-DD's stove type is not one the PoA-DD lists (para 95)."
OTHERS = ("ama", "kofi", "dora", "otto", "dina", "nils", "sofia")


@pytest.fixture
def included(world, poa):
    return reach_cp(world, notify_cp(world, reach_poa(world, poa, A.REGISTERED)), C.INCLUDED)


def _since(poa):
    return Event.objects.filter(stream=poa.stream).order_by("-sequence").values_list("sequence", flat=True).first()


def _events(poa, since):
    return list(Event.objects.filter(stream=poa.stream, sequence__gt=since).order_by("sequence"))


def test_the_secretariat_refers_a_sample_issue_to_the_inclusion_review(world, included):
    """Paras 126, 133: the CP goes under review; the SB's decision then waits (confirm or exclude)."""
    cp = included
    since = _since(cp.poa)
    poa_services.cp_refer_sample_issue(cp=cp, user=world.sam, comment=REASONS)
    cp = ComponentProject.objects.get(pk=cp.pk)
    assert cp.state == C.UNDER_INCLUSION_REVIEW
    events = _events(cp.poa, since)
    assert [(e.kind, e.actor_label, e.role, e.from_state, e.to_state, e.comment) for e in events] == [
        ("cp.transitioned", "sam", "secretariat", C.INCLUDED, C.UNDER_INCLUSION_REVIEW, REASONS)]
    assert {k: events[0].payload[k] for k in ("transition", "component")} == {
        "transition": "refer_sample_issue", "component": cp.reference}
    assert [t.name for t in subject_kind_of(cp).proposals(cp)] == ["confirm_inclusion", "exclude_erroneous"]
    assert available_actions(world.sam, cp).has("decide_as_board")


def test_everyone_else_is_refused_and_nothing_changes(world, included):
    """Deny by default: only the secretariat samples; a DNA or an SB member requests a review instead."""
    since = _since(included.poa)
    for name in OTHERS:
        with pytest.raises(Refused):
            poa_services.cp_refer_sample_issue(cp=included, user=world.people[name], comment=REASONS)
        assert not available_actions(world.people[name], included).has("refer_sample_issue")
    assert ComponentProject.objects.get(pk=included.pk).state == C.INCLUDED
    assert _events(included.poa, since) == []


def test_the_reasons_are_required(world, included):
    with pytest.raises(ServiceError) as error:
        poa_services.cp_refer_sample_issue(cp=included, user=world.sam, comment="  ")
    assert error.value.code == "reasons_required"
    assert ComponentProject.objects.get(pk=included.pk).state == C.INCLUDED


def test_the_referral_is_in_para_128s_window(world, included):
    """Para 128's window (rule set cp_inclusion_review_days, 365): after it, refused and offered blocked."""
    cp = included
    with time_machine.travel(cp.included_at + datetime.timedelta(days=366), tick=False):
        offer = available_actions(world.sam, cp).get("refer_sample_issue")
        assert offer is not None and offer.blocked.code == "inclusion_review_in_time"
        with pytest.raises(ServiceError) as error:
            poa_services.cp_refer_sample_issue(cp=cp, user=world.sam, comment=REASONS)
        assert error.value.code == "inclusion_review_in_time"
        assert ComponentProject.objects.get(pk=cp.pk).state == C.INCLUDED
    with time_machine.travel(cp.included_at + datetime.timedelta(days=364), tick=False):
        poa_services.cp_refer_sample_issue(cp=cp, user=world.sam, comment=REASONS)
    assert ComponentProject.objects.get(pk=cp.pk).state == C.UNDER_INCLUSION_REVIEW


def test_not_once_the_cp_is_under_review(world, included):
    poa_services.cp_request_inclusion_review(cp=included, user=world.dina, comment="Outside the boundary?")
    with pytest.raises(Refused) as error:
        poa_services.cp_refer_sample_issue(cp=included, user=world.sam, comment=REASONS)
    assert error.value.code == "wrong_state"


def test_the_cp_page_offers_the_secretariat_the_form(world, included, client):
    url = reverse("cp-detail", args=[included.reference])
    action = reverse("cp-transition", args=[included.reference, "refer_sample_issue"])
    client.force_login(world.dina)
    assert action not in client.get(url).content.decode()
    assert client.post(action, {"t-refer_sample_issue-comment": REASONS}).status_code == 403
    client.force_login(world.sam)
    page = client.get(url).content.decode()
    assert action in page and 'name="t-refer_sample_issue-comment"' in page
    # No reasons: the page again with the message, nothing changed.
    response = client.post(action, {"t-refer_sample_issue-comment": ""}, follow=True)
    assert "This field is required." in response.content.decode()
    assert ComponentProject.objects.get(pk=included.pk).state == C.INCLUDED
    since = _since(included.poa)
    assert client.post(action, {"t-refer_sample_issue-comment": REASONS,
                                "t-refer_sample_issue-expected_state": C.INCLUDED}).status_code == 302
    assert ComponentProject.objects.get(pk=included.pk).state == C.UNDER_INCLUSION_REVIEW
    assert [(e.kind, e.payload["transition"]) for e in _events(included.poa, since)] == [
        ("cp.transitioned", "refer_sample_issue")]


def test_the_api_takes_the_referral(world, included, bearer):  # noqa: F811
    """Input-less: the generic transition adapter (pacm.api.actions) serves it."""
    url = f"/api/v1/cps/{included.reference}/actions"
    offered = {o["name"]: o for o in bearer(world.sam).get(url).json()["actions"]}
    assert offered["refer_sample_issue"]["in_api"] is True and offered["refer_sample_issue"]["needs_reason"] is True
    refused = bearer(world.dina).post(f"{url}/refer_sample_issue", {"comment": REASONS},
                                      content_type="application/json")
    assert refused.status_code == 403 and ComponentProject.objects.get(pk=included.pk).state == C.INCLUDED
    done = bearer(world.sam).post(f"{url}/refer_sample_issue", {"comment": REASONS}, content_type="application/json")
    assert done.status_code == 200, done.content
    assert [e["kind"] for e in done.json()["events"]] == ["cp.transitioned"]
    assert ComponentProject.objects.get(pk=included.pk).state == C.UNDER_INCLUSION_REVIEW
