"""The global stakeholder consultation on a PoA's PoA-DD and on a CDM transition request (issue 7,
third round): the public comments while it is open, confirms the e-mail address, the comment is
published on the subject's page; the answers are recorded where the procedures say.

- PoA: A6.4-PROC-AC-003 v03.0 paras 21-22 (comments within 28 days, published with the PoA-DD),
  para 29 (the participants take them into account), A6.4-STAN-AC-005 para 42 (the DOE
  determines whether they were taken into due account: the validation waits for it).
- Transition: A6.4-PROC-AC-001 v06.0 paras 17-18 (comments within 28 days of the publication,
  published where the request is displayed); no answer is required: the participants may record
  one, nobody assesses it (docs/rules-coverage.md gsc-poa-3).
"""
import datetime

import pytest
import time_machine
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from pacm.common.errors import Refused
from pacm.events.models import Event
from projects import services
from projects.consultation import services as gsc
from projects.consultation.models import Comment
from projects.cycle import ActivityState as A
from projects.poa import services as poa_services
from projects.transition.cycle import TransitionState as S
from tests import factories as f
from tests.poa.conftest import jump, reach_poa
from tests.transition.helpers import create, drive, fresh

from .conftest import comment_post, last_token

pytestmark = pytest.mark.django_db


def events_of(stream):
    return [(e.kind, e.role, e.actor_label, e.payload.get("subject"), e.payload.get("comment"))
            for e in Event.objects.filter(stream=stream, kind__startswith="consultation.").order_by("sequence")]


def poa_urls(poa):
    kw = {"reference": poa.reference}
    return (reverse("poa-detail", kwargs=kw), reverse("poa-consultation-comment", kwargs=kw),
            lambda n: reverse("poa-consultation-answer", kwargs={**kw, "number": n}),
            lambda n: reverse("poa-consultation-assess", kwargs={**kw, "number": n}))


def transition_urls(request):
    kw = {"pk": request.pk}
    return (reverse("transition-detail", kwargs=kw), reverse("transition-consultation-comment", kwargs=kw),
            lambda n: reverse("transition-consultation-answer", kwargs={**kw, "number": n}))


def confirm(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("consultation-confirm", kwargs={"token": last_token()}))


@pytest.fixture
def consulting_poa(world):
    from tests.poa.conftest import poa_data

    return reach_poa(world, poa_services.poa_create(**poa_data(world)), A.CONSULTATION)


# --- A PoA ----------------------------------------------------------------------------------


def test_anyone_comments_on_a_poa_dd_confirmed_by_email_published_on_the_poa_page(
        client, world, consulting_poa, django_capture_on_commit_callbacks):
    """PROC-AC-003 v03.0 paras 21-22: the comment, held until its address is confirmed, then on the PoA page."""
    poa = consulting_poa
    page, comment_url, _answer, _assess = poa_urls(poa)
    body = client.get(page).content.decode()
    assert "Comment on this programme of activities" in body and "A6.4-PROC-AC-003 para 21" in body
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(comment_url, comment_post(text="The CPs' baseline fuel survey is ten years old."))
    assert response.status_code == 302 and response["Location"].endswith("#consultation")
    comment = Comment.objects.get()
    assert (comment.subject_kind, comment.subject_id, comment.status) == ("poa", poa.pk, "pending")
    assert mail.outbox[-1].to == ["abena@example.org"] and poa.reference in mail.outbox[-1].subject
    assert "ten years old" not in client.get(page).content.decode()
    assert confirm(client, django_capture_on_commit_callbacks).status_code == 302
    comment.refresh_from_db()
    assert (comment.status, comment.number, comment.handling) == ("published", 1, "answer_due")
    body = client.get(page).content.decode()
    assert "ten years old" in body and "Abena Mensah (Friends of the Volta)" in body
    assert "abena@example.org" not in body
    assert events_of(poa.stream) == [("consultation.comment_published", "public", "public:Abena Mensah", "poa", 1)]


def test_the_cme_answers_the_doe_assesses_and_the_validation_waits_for_it(
        as_user, world, consulting_poa, django_capture_on_commit_callbacks):
    """Para 29 and STAN-AC-005 para 42: the coordinating/managing entity answers, the validating DOE
    determines; the positive validation opinion waits until every comment is taken into due account."""
    poa = consulting_poa
    page, comment_url, answer, assess = poa_urls(poa)
    client = as_user(None)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(comment_url, comment_post())
    confirm(client, django_capture_on_commit_callbacks)
    # Neither a host's DNA nor another DOE answers or assesses.
    assert as_user(world.dina).post(answer(1), {"answer-1-text": "x"}).status_code == 403
    assert as_user(world.otto).post(answer(1), {"answer-1-text": "x"}).status_code == 403
    assert as_user(world.dora).post(answer(1), {"answer-1-text": "x"}).status_code == 403
    response = as_user(world.ama).post(answer(1), {"answer-1-text": "The survey is redone before each inclusion."})
    assert response.status_code == 302
    assert Comment.objects.get().handling == "assessment_due"
    jump(poa)  # the consultation closes by timer (gsc_days): the validation starts
    poa = type(poa).objects.get(pk=poa.pk)
    assert poa.state == A.UNDER_VALIDATION
    services.document_upload(activity=poa, user=world.dora, kind="validation_report",
                             uploaded=f.pdf("vr.pdf", content=f.pdf_bytes("validation report")))
    with pytest.raises(Exception) as refused:
        poa_services.poa_validate(poa=poa, user=world.dora)
    assert "1 stakeholder comment is not yet assessed" in str(refused.value)
    response = as_user(world.dora).post(assess(1), {"assess-1-outcome": "taken",
                                                   "assess-1-text": "Taken into due account in section B.5."})
    assert response.status_code == 302 and Comment.objects.get().handling == "taken"
    poa_services.poa_validate(poa=type(poa).objects.get(pk=poa.pk), user=world.dora)
    assert type(poa).objects.get(pk=poa.pk).state == A.VALIDATED
    assert [e[0] for e in events_of(poa.stream)] == [
        "consultation.comment_published", "consultation.comment_answered", "consultation.comment_assessed"]
    body = as_user(None).get(page).content.decode()
    assert "The survey is redone before each inclusion." in body and "Taken into due account in section B.5." in body


def test_a_comment_on_a_poa_after_the_consultation_closed_is_refused(client, world, consulting_poa):
    poa = consulting_poa
    _page, comment_url, _a, _s = poa_urls(poa)
    with time_machine.travel(poa.due_at + datetime.timedelta(seconds=1), tick=False):
        response = client.post(comment_url, comment_post())
        assert response.status_code == 403
        with pytest.raises(Refused) as error:
            gsc.comment_submit(subject=poa, author_name="A", email="a@example.org", text="Late.", ip="198.51.100.1")
    assert error.value.code == "consultation_closed" and "A6.4-PROC-AC-003 para 21" in error.value.message
    jump(poa)
    assert client.post(comment_url, comment_post()).status_code == 403
    assert not Comment.objects.exists() and not mail.outbox


@override_settings(PACM_CONSULTATION_COMMENTS_PER_EMAIL=2)
def test_comments_on_a_poa_are_rate_limited(client, consulting_poa, django_capture_on_commit_callbacks):
    _page, comment_url, _a, _s = poa_urls(consulting_poa)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(comment_url, comment_post()).status_code == 302
    response = client.post(comment_url, comment_post())
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "at most 2 in 60 minutes" in response.content.decode()
    assert Comment.objects.count() == 2 and len(mail.outbox) == 2


# --- A CDM transition request ------------------------------------------------------------------


@pytest.fixture
def consulting_request(world, time_machine):
    return drive(world, time_machine, create(world, time_machine), S.CONSULTATION)


def test_anyone_comments_on_a_published_transition_request(client, world, consulting_request,
                                                           django_capture_on_commit_callbacks):
    """PROC-AC-001 v06.0 paras 17-18: within 28 days of the publication, on the request's page."""
    request = consulting_request
    page, comment_url, _answer = transition_urls(request)
    body = client.get(page).content.decode()
    assert "Comment on this transition request" in body and "A6.4-PROC-AC-001 para 17" in body
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(comment_url, comment_post(text="Leakage surveys stopped in 2019.")).status_code == 302
    assert request.reference in mail.outbox[-1].subject
    assert confirm(client, django_capture_on_commit_callbacks).status_code == 302
    comment = Comment.objects.get()
    assert (comment.subject_kind, comment.number, comment.handling) == ("transition", 1, "answer_due")
    body = client.get(page).content.decode()
    assert "Leakage surveys stopped in 2019." in body and "abena@example.org" not in body
    assert events_of(request.stream) == [
        ("consultation.comment_published", "public", "public:Abena Mensah", "transition", 1)]


def test_the_participants_answer_until_the_host_approves_and_nobody_assesses(
        as_user, world, consulting_request, time_machine, django_capture_on_commit_callbacks):
    request = consulting_request
    page, comment_url, answer = transition_urls(request)
    with django_capture_on_commit_callbacks(execute=True):
        as_user(None).post(comment_url, comment_post())
    confirm(as_user(None), django_capture_on_commit_callbacks)
    # The DNA does not answer; the answer waits for nobody (no dashboard entry).
    assert as_user(world.dina).post(answer(1), {"answer-1-text": "x"}).status_code == 403
    from projects.transition.selectors import transition_requests_waiting

    assert not transition_requests_waiting(world.ama).filter(pk=request.pk).exists()
    request = drive(world, time_machine, request, S.AWAITING_HOST)
    response = as_user(world.ama).post(answer(1), {"answer-1-text": "Surveys resumed in 2022; see the addendum."})
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.handling == "answered"
    assert "Surveys resumed in 2022" in as_user(None).get(page).content.decode()
    assert [e[0] for e in events_of(request.stream)] == ["consultation.comment_published",
                                                        "consultation.comment_answered"]
    # No assessment is declared on a transition request.
    from projects.transition.machine import TRANSITION_MACHINE

    assert "assess_comment" not in TRANSITION_MACHINE.writes


def test_a_comment_on_a_transition_request_after_its_28_days_is_refused(client, world, consulting_request,
                                                                         time_machine):
    request = consulting_request
    _page, comment_url, answer = transition_urls(request)
    request = drive(world, time_machine, request, S.AWAITING_HOST)
    assert client.post(comment_url, comment_post()).status_code == 403
    assert not Comment.objects.exists()


def test_an_answer_after_the_host_approval_is_refused(as_user, world, consulting_request, time_machine,
                                                       django_capture_on_commit_callbacks):
    request = consulting_request
    _page, comment_url, answer = transition_urls(request)
    with django_capture_on_commit_callbacks(execute=True):
        as_user(None).post(comment_url, comment_post())
    confirm(as_user(None), django_capture_on_commit_callbacks)
    request = drive(world, time_machine, request, S.HOST_APPROVED)
    assert as_user(world.ama).post(answer(1), {"answer-1-text": "Too late."}).status_code == 403
    assert Comment.objects.get().handling == "answer_due" and fresh(request).state == S.HOST_APPROVED
