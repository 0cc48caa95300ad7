"""The Board panel on the activity and period pages: the secretariat records or opens decisions,
members and alternates vote; everyone else sees the decision in the timeline only."""
import io
import re

import time_machine
from django.core.management import call_command
from django.urls import reverse

from projects.board.models import Decision, Vote
from projects.cycle import ActivityState as A
from projects.cycle import PeriodState as P
from projects.models import Activity, MonitoringPeriod

from .conftest import after_the_window, votes


def page(client, activity):
    return client.get(reverse("activity-detail", kwargs={"reference": activity.reference})).content.decode()


def url(activity, what):
    return reverse(f"board-activity-{what}", kwargs={"reference": activity.reference})


def vote_url(decision):
    return reverse("board-vote", kwargs={"pk": decision.pk})


def forms_on(html):
    return re.findall(r'<form\b[^>]*action="([^"]*/board/[^"]*)"', html)


MEETING = {"board-meeting-transition": "register", "board-meeting-meeting": "SBM019",
           "board-meeting-agenda_item": "4.2", "board-meeting-outcome": "adopted", "board-meeting-by": "consensus",
           "board-meeting-comment": "Meets the requirements (RMP 49)."}


def test_the_secretariat_is_offered_both_ways_and_others_neither(as_user, world, board, under_review):
    html = page(as_user(world.sam), under_review)
    assert forms_on(html) == [url(under_review, "record"), url(under_review, "open")]
    assert 'id="board"' in html
    html = page(as_user(world.sofia), under_review)
    assert 'id="board"' in html and "Awaiting the Board" in html and forms_on(html) == []
    for who in (world.ama, world.dora, world.dina, None):
        assert 'id="board"' not in page(as_user(who), under_review), who


def test_the_secretariat_records_a_meeting_decision_on_the_page(as_user, world, under_review):
    response = as_user(world.sam).post(url(under_review, "record"), MEETING)
    assert response.status_code == 302 and response.url.endswith("#board")
    assert Activity.objects.get(pk=under_review.pk).state == A.REGISTRATION_APPROVED
    html = page(as_user(world.sam), under_review)
    assert "Board decision taken" in html and "SBM019 item 4.2" in html


def test_no_one_else_records_or_opens_a_decision(as_user, world, board, under_review):
    for who in (world.sofia, board.alternates[0], world.dina, world.ama):
        for what, data in (("record", MEETING), ("open", {"board-open-transition": "register",
                                                           "board-open-comment": "Register."})):
            assert as_user(who).post(url(under_review, what), data).status_code == 403
    assert not Decision.objects.exists()
    assert Activity.objects.get(pk=under_review.pk).state == A.UNDER_SB_REVIEW


def test_bad_input_shows_the_page_again_with_the_message(as_user, world, under_review):
    response = as_user(world.sam).post(url(under_review, "record"), {**MEETING, "board-meeting-meeting": "COP29"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was saved" in html and "SBM019" in html and 'collapse show" id="board-meeting-form"' in html
    assert not Decision.objects.exists()


def test_an_electronic_decision_on_the_page_votes_and_closes(as_user, world, board, under_review):
    response = as_user(world.sam).post(url(under_review, "open"), {
        "board-open-transition": "register", "board-open-comment": "The validation is sound."})
    assert response.status_code == 302
    decision = Decision.objects.get()
    html = page(as_user(world.sofia), under_review)
    assert "Electronic decision" in html and "The validation is sound." in html and "Proposal: Register" in html
    assert vote_url(decision) in html
    sofia = as_user(world.sofia)
    assert sofia.post(vote_url(decision), {"board-vote-choice": "yes"}).status_code == 302
    html = page(sofia, under_review)
    assert "You voted <strong>yes</strong>" in html and vote_url(decision) not in html
    # A second vote: refused with the reason, and the first one stands.
    response = sofia.post(vote_url(decision), {"board-vote-choice": "no"})
    assert response.status_code == 403 and "cannot be changed" in response.content.decode()
    assert list(Vote.objects.values_list("choice", flat=True)) == ["yes"]
    # sofia's alternate sees why she may not vote; the others vote and the last vote decides.
    assert "The member you stand for has voted" in page(as_user(board.alternates[0]), under_review)
    for member in board.members[1:]:
        as_user(member).post(vote_url(decision), {"board-vote-choice": "yes"})
    assert Activity.objects.get(pk=under_review.pk).state == A.REGISTRATION_APPROVED
    assert "adopted, by consensus" in page(as_user(world.sam), under_review)


def test_a_vote_after_the_window_on_the_page_is_refused(as_user, world, board, under_review, electronic):
    decision = electronic(under_review)
    with after_the_window(decision):
        html = page(as_user(world.sofia), under_review)
        assert "The window has closed" in html and vote_url(decision) not in html
        response = as_user(world.sofia).post(vote_url(decision), {"board-vote-choice": "yes"})
    assert response.status_code == 403 and "votes are no longer taken" in response.content.decode()
    assert not Vote.objects.exists()


def test_a_bad_vote_shows_the_page_again(as_user, world, board, under_review, electronic):
    decision = electronic(under_review)
    response = as_user(world.sofia).post(vote_url(decision), {"board-vote-choice": "maybe"})
    assert response.status_code == 200 and "Nothing was saved" in response.content.decode()
    assert not Vote.objects.exists()


def test_the_period_page_has_the_panel_too(as_user, world, period_under_review):
    period = period_under_review
    kwargs = {"reference": period.activity.reference, "number": period.number}
    html = as_user(world.sam).get(reverse("period-detail", kwargs=kwargs)).content.decode()
    assert forms_on(html) == [reverse("board-period-record", kwargs=kwargs), reverse("board-period-open", kwargs=kwargs)]
    response = as_user(world.sam).post(reverse("board-period-record", kwargs=kwargs), {
        **MEETING, "board-meeting-transition": "approve_issuance", "board-meeting-comment": "Leakage accounted for."})
    assert response.status_code == 302
    assert MonitoringPeriod.objects.get(pk=period.pk).state == P.APPROVED


def test_run_timers_closes_the_decisions_whose_window_has_passed(world, board, under_review, electronic):
    decision = electronic(under_review)
    votes(decision, board.members[:9], "yes")
    out = io.StringIO()
    with time_machine.travel(decision.closes_at, tick=False):
        call_command("run_timers", stdout=out)
    assert f"closed board decision {decision.pk}: adopted" in out.getvalue()
    assert Activity.objects.get(pk=under_review.pk).state == A.REGISTRATION_APPROVED
