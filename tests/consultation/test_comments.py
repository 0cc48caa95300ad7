"""The global stakeholder consultation's comments (issue 7): submitted by anyone during the
consultation, held until the e-mail address is confirmed, then published with the PDD; answered by
the participants and assessed by the DOE (A6.4-PROC-AC-002 v03.0 paras 20-21, 27;
A6.4-STAN-AC-002 para 92; A6.4-STAN-AC-003 para 90)."""
import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from pacm.common.errors import Refused, ServiceError
from pacm.events.models import Event
from projects import services
from projects.consultation import services as gsc
from projects.consultation.models import Comment, CommentReply
from projects.cycle import ActivityState as A
from projects.models import Activity
from tests import factories as f

from .conftest import comment_post, comment_url, last_token


def events_of(activity, prefix="consultation."):
    return [(e.kind, e.role, e.actor_label, e.payload) for e in
            Event.objects.filter(stream=activity.stream, kind__startswith=prefix).order_by("sequence")]


def page(client, activity, **query):
    return client.get(reverse("activity-detail", kwargs={"reference": activity.reference}), query)


# --- Submit, confirm, published --------------------------------------------------------------


def test_anyone_comments_confirms_by_email_and_the_comment_is_published(client, consulting,
                                                                        django_capture_on_commit_callbacks):
    """PROC-AC-002 v03.0 paras 20-21: an anonymous visitor comments; nothing is public until the
    signed link is followed; then the comment is on the activity's page, without the e-mail address."""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(comment_url(consulting), comment_post())
    assert response.status_code == 302 and response["Location"].endswith("#consultation")
    comment = Comment.objects.get()
    assert comment.status == "pending" and comment.number is None and comment.submitted_by is None
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["abena@example.org"]
    assert "48 hours" in mail.outbox[0].body
    body = page(client, consulting).content.decode()
    assert "The baseline ignores" not in body
    assert events_of(consulting) == []

    token = last_token()
    confirm = reverse("consultation-confirm", kwargs={"token": token})
    shown = client.get(confirm)  # a mail scanner's GET publishes nothing
    assert shown.status_code == 200 and "Confirm and publish" in shown.content.decode()
    assert Comment.objects.get().status == "pending"
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(confirm)
    assert done.status_code == 302
    comment.refresh_from_db()
    assert (comment.status, comment.number, comment.handling) == ("published", 1, "answer_due")
    body = page(client, consulting).content.decode()
    assert "The baseline ignores the grid" in body and "Abena Mensah (Friends of the Volta)" in body
    assert "abena@example.org" not in body
    [(kind, role, label, payload)] = events_of(consulting)
    assert (kind, role, label) == ("consultation.comment_published", "public", "public:Abena Mensah")
    assert set(payload) == {"subject", "comment", "submitted_at", "author", "sha256"}
    assert (payload["subject"], payload["comment"], payload["author"]) == ("activity", 1,
                                                                          "Abena Mensah (Friends of the Volta)")
    # Following the link again changes nothing.
    assert client.post(confirm).status_code == 302
    assert len(events_of(consulting)) == 1 and Comment.objects.get().number == 1


def test_the_participants_are_told_of_a_published_comment(consulting, submit, django_capture_on_commit_callbacks):
    """Para 21: the participants are informed of the publication (the engine's notification)."""
    from pacm.notifications.models import Notification

    _, token = submit(consulting)
    with django_capture_on_commit_callbacks(execute=True):
        gsc.comment_confirm(token=token)
    assert Notification.objects.filter(write="publish_comment", recipient__username="ama").exists()


def test_comments_are_numbered_in_order_of_confirmation(consulting, submit):
    first, t1 = submit(consulting, email="a@example.org")
    second, t2 = submit(consulting, email="b@example.org")
    gsc.comment_confirm(token=t2)
    gsc.comment_confirm(token=t1)
    assert [Comment.objects.get(pk=pk).number for pk in (first.pk, second.pk)] == [2, 1]


def test_bad_input_is_a_clear_error_and_keeps_nothing(client, consulting):
    response = client.post(comment_url(consulting), comment_post(email="not-an-address", text="\u200b"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter a valid email address." in body and "visible text" in body
    assert not Comment.objects.exists() and not mail.outbox


def test_the_honeypot_keeps_nothing(client, consulting):
    response = client.post(comment_url(consulting), comment_post(website="http://spam.example"))
    assert response.status_code == 302
    assert not Comment.objects.exists() and not mail.outbox


def test_a_forged_or_foreign_token_is_refused(client, consulting, submit):
    comment, token = submit(consulting)
    for bad in (token[:-2] + "xx", "nonsense", "a" * 500):
        response = client.post(reverse("consultation-confirm", kwargs={"token": bad}))
        assert response.status_code == 404
    with pytest.raises(ServiceError) as error:
        gsc.comment_confirm(token=token[:-1] + ("A" if token[-1] != "A" else "B"))
    assert error.value.code == "confirmation_invalid"
    assert Comment.objects.get().status == "pending"


# --- The window, with a frozen clock ---------------------------------------------------------


def test_a_comment_after_the_window_closes_is_refused(client, consulting):
    """Para 20: within 28 days (RuleSet.gsc_days) of publication; the timer has not run yet."""
    consulting.refresh_from_db()
    assert consulting.due_at - consulting.state_entered_at == datetime.timedelta(days=28)
    with time_machine.travel(consulting.due_at - datetime.timedelta(seconds=1), tick=False):
        assert client.post(comment_url(consulting), comment_post()).status_code == 302
    with time_machine.travel(consulting.due_at, tick=False):
        response = client.post(comment_url(consulting), comment_post(email="late@example.org"))
        assert response.status_code == 403
        assert "closed on" in response.content.decode() and "comments are no longer taken" in response.content.decode()
        with pytest.raises(Refused) as error:
            gsc.comment_submit(subject=consulting, author_name="Late", email="late@example.org", text="Late.", ip="1")
        assert error.value.code == "consultation_closed"
        assert "Comment on this activity" not in page(client, consulting).content.decode()
    assert Comment.objects.count() == 1


@pytest.mark.parametrize("state", [A.VALIDATION_CONTRACTED, A.UNDER_VALIDATION])
def test_no_comment_outside_the_consultation(client, activity, advance_to, state):
    activity = advance_to(activity, state)
    response = client.post(comment_url(activity), comment_post())
    assert response.status_code in (403, 404)
    with pytest.raises(Refused) as error:
        gsc.comment_submit(subject=activity, author_name="X", email="x@example.org", text="Hello.", ip="1")
    assert error.value.code == "consultation_not_open"
    assert not Comment.objects.exists()


def test_a_link_followed_after_the_window_closed_still_publishes(consulting, submit):
    """Reading gsc-2: the comment counts when it was submitted in time; the link is valid for
    PACM_CONSULTATION_CONFIRM_HOURS even past the consultation's end."""
    consulting.refresh_from_db()
    with time_machine.travel(consulting.due_at - datetime.timedelta(hours=1), tick=False):
        comment, token = submit(consulting)
    with time_machine.travel(consulting.due_at + datetime.timedelta(hours=2), tick=False):
        from projects.timers import timers_run

        timers_run()
        assert Activity.objects.get(pk=consulting.pk).state == A.UNDER_VALIDATION
        gsc.comment_confirm(token=token)
    assert Comment.objects.get().status == "published"


def test_an_expired_link_publishes_nothing(client, consulting, submit, settings):
    settings.PACM_CONSULTATION_CONFIRM_HOURS = 48
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC), tick=False) as clock:
        comment, token = submit(consulting)
        clock.shift(datetime.timedelta(hours=48, seconds=1))
        response = client.post(reverse("consultation-confirm", kwargs={"token": token}))
        assert response.status_code == 404 and "has expired" in response.content.decode()
        with pytest.raises(ServiceError) as error:
            gsc.comment_confirm(token=token)
        assert error.value.code == "confirmation_expired"
    assert Comment.objects.get().status == "pending"


# --- Rate limits -----------------------------------------------------------------------------


def test_too_many_comments_from_one_address_is_a_429(client, consulting, settings):
    settings.PACM_CONSULTATION_COMMENTS_PER_IP = 2
    for n in range(2):
        assert client.post(comment_url(consulting), comment_post(email=f"p{n}@example.org")).status_code == 302
    response = client.post(comment_url(consulting), comment_post(email="p9@example.org"))
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "Too many comments were sent from your address: at most 2 in 60 minutes." in response.content.decode()
    assert Comment.objects.count() == 2
    # Another address is not held back; the window passes.
    other = client.post(comment_url(consulting), comment_post(email="p8@example.org"), REMOTE_ADDR="203.0.113.9")
    assert other.status_code == 302
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(seconds=3601)):
        assert client.post(comment_url(consulting), comment_post(email="p7@example.org")).status_code == 302


def test_too_many_comments_with_one_email_is_a_429(client, consulting, settings):
    settings.PACM_CONSULTATION_COMMENTS_PER_EMAIL = 1
    assert client.post(comment_url(consulting), comment_post()).status_code == 302
    response = client.post(comment_url(consulting), comment_post(email="ABENA@example.org "),
                           REMOTE_ADDR="203.0.113.10")
    assert response.status_code == 429
    assert "Too many comments were sent with this e-mail address" in response.content.decode()
    with pytest.raises(gsc.RateLimited) as error:
        gsc.comment_submit(subject=consulting, author_name="A", email="abena@example.org", text="Again.", ip="2")
    assert error.value.code == "rate_limited_email"
    assert Comment.objects.count() == 1


def test_the_address_is_kept_only_as_a_keyed_digest(consulting, submit):
    comment, _ = submit(consulting, ip="198.51.100.7")
    assert "198.51.100.7" not in str(Comment.objects.values().get())
    assert comment.ip_digest == gsc.ip_digest("198.51.100.7") != gsc.ip_digest("198.51.100.8")


# --- Answers and assessments ------------------------------------------------------------------


def test_participants_answer_and_the_doe_assesses(world, published_comment, consulting):
    """STAN-AC-002 para 92 (the participants' answer), STAN-AC-003 para 90 (the DOE's determination)."""
    comment = published_comment
    answer = gsc.comment_answer(comment=comment, user=world.ama, text="Hydro added to the baseline in PDD v2.")
    comment.refresh_from_db()
    assert comment.handling == "assessment_due" and answer.organisation == world.orgs["dev"]
    gsc.comment_assess(comment=comment, user=world.dora, outcome="not_taken", text="v2 still omits it.")
    comment.refresh_from_db()
    assert comment.handling == "answer_due"
    second = gsc.comment_answer(comment=comment, user=world.ama, text="Added in v3, section B.4.")
    final = gsc.comment_assess(comment=comment, user=world.dora, outcome="taken", text="Taken into account.")
    comment.refresh_from_db()
    assert comment.handling == "taken"
    assert list(CommentReply.objects.values_list("kind", "outcome")) == [
        ("answer", ""), ("assessment", "not_taken"), ("answer", ""), ("assessment", "taken")]
    got = events_of(consulting)
    assert [(k, r, lbl) for k, r, lbl, _ in got] == [
        ("consultation.comment_published", "public", "public:Abena Mensah"),
        ("consultation.comment_answered", "participant", "ama"),
        ("consultation.comment_assessed", "doe", "dora"),
        ("consultation.comment_answered", "participant", "ama"),
        ("consultation.comment_assessed", "doe", "dora"),
    ]
    assert got[1][3] == {"subject": "activity", "comment": 1, "reply": answer.pk}
    assert got[3][3] == {"subject": "activity", "comment": 1, "reply": second.pk}
    assert got[4][3] == {"subject": "activity", "comment": 1, "reply": final.pk, "outcome": "taken"}
    texts = list(Event.objects.filter(kind="consultation.comment_answered").values_list("comment", flat=True))
    assert texts == ["Hydro added to the baseline in PDD v2.", "Added in v3, section B.4."]


@pytest.mark.parametrize("who", ["kofi", "dora", "otto", "dina", "nils", "sam", "sofia"])
def test_only_the_participants_answer(world, published_comment, who):
    with pytest.raises(Refused):
        gsc.comment_answer(comment=published_comment, user=getattr(world, who), text="Not mine to answer.")
    assert not CommentReply.objects.exists()


@pytest.mark.parametrize("who", ["ama", "kofi", "otto", "dina", "nils", "sam", "sofia"])
def test_only_the_engaged_doe_assesses(world, published_comment, who):
    gsc.comment_answer(comment=published_comment, user=world.ama, text="Answered.")
    with pytest.raises(Refused):
        gsc.comment_assess(comment=published_comment, user=getattr(world, who), outcome="taken", text="Fine.")
    assert CommentReply.objects.count() == 1


def test_an_assessment_waits_for_the_answer_and_an_answer_for_the_assessment(world, published_comment):
    with pytest.raises(Refused):
        gsc.comment_assess(comment=published_comment, user=world.dora, outcome="taken", text="Too early.")
    gsc.comment_answer(comment=published_comment, user=world.ama, text="Answered.")
    with pytest.raises(Refused):
        gsc.comment_answer(comment=published_comment, user=world.ama, text="Twice.")
    with pytest.raises(ServiceError) as error:
        gsc.comment_assess(comment=published_comment, user=world.dora, outcome="maybe", text="Hm.")
    assert error.value.code == "assessment_outcome_required"


def test_a_pending_comment_is_not_answered(world, consulting, submit):
    comment, _ = submit(consulting)
    with pytest.raises(Refused):
        gsc.comment_answer(comment=comment, user=world.ama, text="Not published yet.")


def _close(activity):
    from projects.timers import timers_run

    activity.refresh_from_db()
    with time_machine.travel(activity.due_at + datetime.timedelta(seconds=1), tick=False):
        timers_run()
    return Activity.objects.get(pk=activity.pk)


def test_validation_waits_for_every_comment_to_be_taken_into_account(world, published_comment, consulting):
    """STAN-AC-003 para 90: the positive opinion only once the DOE found every comment taken into
    due account."""
    activity = _close(consulting)
    assert activity.state == A.UNDER_VALIDATION
    services.document_upload(activity=activity, user=world.dora, kind="validation_report", uploaded=f.pdf("vr.pdf"))
    with pytest.raises(ServiceError) as error:
        services.activity_validate(activity=activity, user=world.dora)
    assert error.value.code == "comments_taken_into_account" and "1 stakeholder comment" in error.value.message
    gsc.comment_answer(comment=published_comment, user=world.ama, text="Done in v2.")
    gsc.comment_assess(comment=published_comment, user=world.dora, outcome="taken", text="Yes.")
    services.activity_validate(activity=Activity.objects.get(pk=activity.pk), user=world.dora, risk_rating_accepted=True)
    assert Activity.objects.get(pk=activity.pk).state == A.VALIDATED


def test_answers_close_with_the_validation(world, published_comment, consulting):
    gsc.comment_answer(comment=published_comment, user=world.ama, text="Done.")
    gsc.comment_assess(comment=published_comment, user=world.dora, outcome="not_taken", text="No.")
    services.activity_withdraw(activity=Activity.objects.get(pk=consulting.pk), user=world.ama, comment="Stopped.")
    with pytest.raises(Refused):
        gsc.comment_answer(comment=published_comment, user=world.ama, text="Too late.")


# --- The web forms ----------------------------------------------------------------------------


def test_the_page_offers_the_forms_to_whom_they_belong(as_user, world, published_comment, consulting):
    answer_url = reverse("consultation-answer", kwargs={"reference": consulting.reference, "number": 1})
    assess_url = reverse("consultation-assess", kwargs={"reference": consulting.reference, "number": 1})
    assert answer_url in page(as_user(world.ama), consulting).content.decode()
    assert answer_url not in page(as_user(world.dora), consulting).content.decode()
    assert as_user(world.kofi).post(answer_url, {"answer-1-text": "Not mine."}).status_code == 403
    assert as_user(None).post(answer_url, {"answer-1-text": "Anonymous."}).status_code == 403
    response = as_user(world.ama).post(answer_url, {"answer-1-text": "Hydro added in v2."})
    assert response.status_code == 302
    assert assess_url in page(as_user(world.dora), consulting).content.decode()
    assert as_user(world.otto).post(assess_url, {"assess-1-outcome": "taken", "assess-1-text": "x"}).status_code == 403
    bad = as_user(world.dora).post(assess_url, {"assess-1-outcome": "", "assess-1-text": "x"})
    assert bad.status_code == 200 and CommentReply.objects.count() == 1
    ok = as_user(world.dora).post(assess_url, {"assess-1-outcome": "taken", "assess-1-text": "Taken."})
    assert ok.status_code == 302
    body = page(as_user(None), consulting).content.decode()
    assert "Hydro added in v2." in body and "Taken into due account" in body


def test_the_comments_are_paginated_with_a_constant_number_of_queries(client, world, consulting, submit,
                                                                      django_assert_max_num_queries, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PACM_CONSULTATION_COMMENTS_PER_IP = 1000
    settings.PACM_CONSULTATION_COMMENTS_PER_EMAIL = 1000

    def publish(n):
        for i in range(n):
            comment, token = submit(consulting, email=f"c{Comment.objects.count()}@example.org", text=f"Point {i}.")
            comment = gsc.comment_confirm(token=token)
            gsc.comment_answer(comment=comment, user=world.ama, text=f"Answer {i}.")

    def count(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            assert page(client, consulting).status_code == 200
        return len(queries)

    publish(3)
    few = {who: count(getattr(world, who, None)) for who in ("anon", "ama", "dora")}
    publish(30)
    many = {who: count(getattr(world, who, None)) for who in ("anon", "ama", "dora")}
    assert many == few
    body = page(client, consulting).content.decode()
    assert "Page 1 of 2" in body and "33 published comments" in body
    second = page(client, consulting, comments=2).content.decode()
    assert "Point 29." in second and "Point 0." not in second


def test_a_comment_waits_in_the_queues_of_who_acts_next(world, consulting, submit):
    """The dashboards' "waiting for you" (waiting_q) come from the same declarations."""
    from pacm.engine.offers import waiting_q
    from projects.machines import ACTIVITY

    def waiting(user):
        return Activity.objects.filter(waiting_q(user, ACTIVITY), pk=consulting.pk).exists()

    comment, token = submit(consulting)
    assert not waiting(world.ama) and not waiting(world.dora)  # a pending comment waits for nobody
    comment = gsc.comment_confirm(token=token)
    assert waiting(world.ama) and not waiting(world.dora) and not waiting(world.kofi)
    gsc.comment_answer(comment=comment, user=world.ama, text="Done.")
    assert not waiting(world.ama) and waiting(world.dora) and not waiting(world.otto)
    gsc.comment_assess(comment=comment, user=world.dora, outcome="taken", text="Yes.")
    assert not waiting(world.ama) and not waiting(world.dora)
