"""The transition request's pages: the request form, the page with its deadlines and the forms of
each role, the dashboards' queue; bad input is a form error that changes nothing."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pacm.events.models import Event
from projects.transition.cycle import TransitionState as S
from projects.transition.models import TransitionRequest

from .helpers import UTC, create, drive, fresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client):
    def login(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return login


def _post_data(world, **overrides):
    version = world.version
    data = {
        "cdm_reference": "10560", "kind": "project", "title": "Bakhrabad gas leakage", "host_party": world.host.pk,
        "methodology_version": version.pk, "sectoral_scope": version.methodology.sectoral_scopes.first().pk,
        "location": "Comilla", "estimated_annual": "40000", "start_date": "2014-01-01", "crediting_type": "renewable",
        "cdm_crediting_start": "2014-06-01", "cdm_crediting_end": "2021-05-31", "renewals_remaining": "2", "cpas": "",
    }
    data.update(overrides)
    return data


def test_a_request_is_made_on_its_form(as_user, world, time_machine):
    time_machine.move_to(datetime.datetime(2023, 6, 1, 9, 0, tzinfo=UTC), tick=False)
    client = as_user(world.ama)
    assert client.get(reverse("transition-create")).status_code == 200
    response = client.post(reverse("transition-create"), _post_data(world))
    assert response.status_code == 302
    assert TransitionRequest.objects.get().cdm_reference == "10560"


def test_a_request_after_its_deadline_is_a_form_error_that_changes_nothing(as_user, world, time_machine):
    time_machine.move_to(datetime.datetime(2024, 1, 2, 9, 0, tzinfo=UTC), tick=False)
    before = Event.objects.count()
    response = as_user(world.ama).post(reverse("transition-create"), _post_data(world))
    assert response.status_code == 200
    assert "Transition requests had to be submitted by 2023-12-31, 24:00 CET" in response.content.decode()
    assert TransitionRequest.objects.count() == 0 and Event.objects.count() == before
    response = as_user(world.ama).post(reverse("transition-create"), _post_data(world, cpas="10415-1, XX"))
    assert response.status_code == 200 and "Line 1" in response.content.decode()


def test_the_page_shows_its_deadlines_and_each_role_its_form(as_user, world, time_machine):
    request = drive(world, time_machine, create(world, time_machine), S.AWAITING_HOST)
    url = reverse("transition-detail", kwargs={"pk": request.pk})
    page = as_user(None).get(url).content.decode()  # published: the public sees it
    assert request.reference in page and "30 Jun 2026 22:00" in page  # para 21, CMA7: 24:00 CEST
    assert "Approve the transition (host Party)" not in page
    dna_page = as_user(world.dina).get(url).content.decode()
    assert "Approve the transition (host Party)" in dna_page
    act = reverse("transition-act", kwargs={"pk": request.pk, "name": "approve_transition"})
    # Bad input: an empty SD confirmation is a form error; nothing changes.
    response = as_user(world.dina).post(act, {"t-sd_confirmation": "", "t-ndc_relation": "NDC"})
    assert response.status_code == 200 and fresh(request).state == S.AWAITING_HOST
    assert as_user(world.nils).post(act, {"t-sd_confirmation": "SD", "t-ndc_relation": "NDC"}).status_code == 403
    response = as_user(world.dina).post(act, {"t-sd_confirmation": "SD", "t-ndc_relation": "NDC"})
    assert response.status_code == 302 and fresh(request).state == S.HOST_APPROVED


def test_after_the_host_deadline_the_form_says_so(as_user, world, time_machine):
    request = drive(world, time_machine, create(world, time_machine), S.AWAITING_HOST)
    time_machine.move_to(datetime.datetime(2026, 7, 1, 9, 0, tzinfo=UTC), tick=False)
    act = reverse("transition-act", kwargs={"pk": request.pk, "name": "approve_transition"})
    response = as_user(world.dina).post(act, {"t-sd_confirmation": "SD", "t-ndc_relation": "NDC"})
    assert response.status_code == 200
    assert "The deadline for the host Party&#x27;s approval of transitions was 2026-06-30" in response.content.decode()
    assert fresh(request).state == S.AWAITING_HOST


def test_an_unpublished_request_is_hidden_from_the_public_and_others(as_user, world, time_machine):
    request = create(world, time_machine)
    url = reverse("transition-detail", kwargs={"pk": request.pk})
    for user in (None, world.kofi, world.dora, world.nils):
        assert as_user(user).get(url).status_code == 404
    for user in (world.ama, world.dina, world.sam, world.sofia):
        assert as_user(user).get(url).status_code == 200
    assert request.title not in as_user(None).get(reverse("transition-list")).content.decode()


def test_the_dashboard_lists_what_waits_for_the_person(as_user, world, time_machine):
    request = create(world, time_machine)
    assert request.cdm_reference in as_user(world.sam).get(reverse("dashboard")).content.decode()
    assert f"CDM {request.cdm_reference}" not in as_user(world.kofi).get(reverse("dashboard")).content.decode()


def test_the_secretariat_and_the_board_decision_through_the_page(as_user, world, time_machine):
    request = drive(world, time_machine, create(world, time_machine), S.REVIEW_WINDOW)
    client = as_user(world.sofia)
    act = lambda name: reverse("transition-act", kwargs={"pk": request.pk, "name": name})  # noqa: E731
    assert client.post(act("request_review"), {"t-comment": "fNRB", "t-expected_state": "review_window"}).status_code == 302
    client = as_user(world.sam)
    response = client.post(act("decide_as_board"), {"t-transition": "approve", "t-meeting": "nonsense",
                                                    "t-agenda_item": "4.2", "t-comment": "ok"})
    assert response.status_code == 200 and fresh(request).state == S.UNDER_REVIEW
    response = client.post(act("decide_as_board"), {"t-transition": "approve", "t-meeting": "SBM016",
                                                    "t-agenda_item": "4.2", "t-comment": "ok"})
    assert response.status_code == 302 and fresh(request).state == S.APPROVED


def test_the_page_and_the_list_take_a_fixed_number_of_queries(as_user, world, time_machine):
    requests = [create(world, time_machine, cdm_reference=str(10600 + i)) for i in range(3)]
    client = as_user(world.sam)
    url = reverse("transition-detail", kwargs={"pk": requests[0].pk})
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("transition-list"))
    for i in range(3, 8):
        create(world, time_machine, cdm_reference=str(10600 + i))
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("transition-list"))
    assert len(many) == len(one)
    with CaptureQueriesContext(connection) as page:
        client.get(url)
    assert len(page) <= 30
