"""The Board's work shows where people look (issue 6 §2): the secretariat's queue holds a request
under SB review until it records or opens the decision; each member's holds an open electronic
decision until that member has voted. Both come from the writes `decide_as_board` and
`vote_as_board` declared on the machines, through `waiting_q` (pacm.engine.offers)."""
from pacm.engine.offers import available_actions, waiting_q
from projects.board.models import Vote
from projects.machines import ACTIVITY, PERIOD
from projects.models import Activity, MonitoringPeriod

from .conftest import votes


def _queued(user, machine=ACTIVITY):
    return set(machine.model.objects.filter(waiting_q(user, machine)).values_list("pk", flat=True))


def test_a_request_under_review_waits_for_the_secretariat_then_for_each_members_vote(world, board, under_review,
                                                                                     electronic):
    assert under_review.pk in _queued(world.sam)
    assert under_review.pk not in _queued(world.sofia)  # nothing to vote on yet
    offers = available_actions(world.sofia, Activity.objects.get(pk=under_review.pk))
    assert str(offers.get("vote_as_board").blocked) == "No electronic decision of the Board is open for votes."

    decision = electronic(under_review)
    assert under_review.pk not in _queued(world.sam)  # opened: nothing more for the secretariat
    member = board.members[1]
    assert under_review.pk in _queued(world.sofia) and under_review.pk in _queued(member)
    assert available_actions(member, Activity.objects.get(pk=under_review.pk)).get("vote_as_board").blocked is None

    votes(decision, [world.sofia], Vote.Choice.YES)
    assert under_review.pk not in _queued(world.sofia)  # voted
    assert under_review.pk in _queued(member)  # still to vote
    assert under_review.pk not in _queued(world.ama) and under_review.pk not in _queued(world.dora)


def test_an_issuance_under_review_waits_for_the_secretariat(world, period_under_review):
    assert period_under_review.pk in _queued(world.sam, PERIOD)
    assert not MonitoringPeriod.objects.filter(waiting_q(world.kofi, PERIOD)).exists()


def test_the_dashboard_lists_it(world, under_review, as_user):
    from django.urls import reverse

    html = as_user(world.sam).get(reverse("dashboard")).content.decode()
    assert under_review.reference in html
