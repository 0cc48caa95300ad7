"""The Supervisory Body as a body: its 12 members (RMP para 4), each with an alternate, and the
subjects it decides on (an activity under SB review, a monitoring period under SB review)."""
import datetime

import pytest
import time_machine

from pacm.parties.models import Membership
from projects import services
from projects.board.services import board_decision_open_electronic, board_vote_cast
from projects.cycle import ActivityState as A
from projects.cycle import PeriodState as P
from tests import factories as f
from tests.issuance.conftest import drive, period_over, registered, submit  # noqa: F401 (fixtures)
from tests.web.conftest import as_user  # noqa: F401 (fixture)


class Board:
    def __init__(self, members, alternates):
        self.members = members  # sofia first
        self.alternates = alternates  # alternates[i] stands for members[i]


@pytest.fixture
def board(world):
    sb = world.orgs["sb"]
    members = [world.sofia] + [f.user(f"member{i:02d}", sb) for i in range(2, 13)]
    alternates = []
    for i, member in enumerate(members, 1):
        alternate = f.user(f"alternate{i:02d}")
        Membership.objects.create(
            user=alternate, organisation=sb, alternate_for=Membership.objects.get(user=member, organisation=sb)
        )
        alternates.append(alternate)
    return Board(members, alternates)


@pytest.fixture
def under_review(world, activity, advance_to):
    """An activity whose registration an SB member sent to review (A6.4-PROC-AC-002 v03.0 para 85)."""
    activity = advance_to(activity, A.REVIEW_WINDOW)
    return services.activity_request_review(activity=activity, user=world.sofia, comment="Check the baseline.")


@pytest.fixture
def period_under_review(world, registered, submit, drive):  # noqa: F811 (fixtures)
    period = drive(submit(registered), P.ISSUANCE_REVIEW_WINDOW)
    return services.period_request_issuance_review(period=period, user=world.sofia, comment="Check the leakage.")


@pytest.fixture
def electronic(world):
    """`electronic(subject, transition)`: the secretariat circulates the proposal."""

    def open_(subject, transition="register", comment="The validation meets the requirements (RMP 49)."):
        return board_decision_open_electronic(subject=subject, transition=transition, user=world.sam, comment=comment)

    return open_


def votes(decision, users, choice):
    for user in users:
        board_vote_cast(decision=decision, user=user, choice=choice)


def after_the_window(decision):
    """The clock just past the decision's window."""
    return time_machine.travel(decision.closes_at + datetime.timedelta(seconds=1), tick=False)
