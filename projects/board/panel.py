"""What the Board panel of an activity or monitoring-period page shows, to whom (deny by default).

The panel is for the secretariat (it records meeting decisions and opens electronic ones) and
for members and alternate members of the SB (they vote). Everyone else sees the decisions in
the page's timeline (board.decided events, with the tally, not the individual votes).
"""
from django.urls import reverse
from django.utils import timezone

from pacm.common.errors import ServiceError
from pacm.parties.roles import Role, user_roles

from ..models import Activity
from .forms import ElectronicDecisionForm, MeetingDecisionForm, VoteForm
from .models import Decision, Vote
from .services import board_membership, board_tally
from .subjects import subject_kind_of


def panel_urls(subject):
    kind = subject_kind_of(subject)
    if kind.key not in ("activity", "period"):
        from .pages import panel_urls_of

        return panel_urls_of(kind.key, subject)
    if isinstance(subject, Activity):
        kwargs, prefix = {"reference": subject.reference}, "board-activity"
    else:
        kwargs, prefix = {"reference": subject.activity.reference, "number": subject.number}, "board-period"
    return {"record": reverse(f"{prefix}-record", kwargs=kwargs), "open": reverse(f"{prefix}-open", kwargs=kwargs)}


def _vote_state(decision, user, tally):
    """(vote form or None, my vote or None, why I cannot vote or '')."""
    membership = board_membership(user, decision.body)
    if membership is None:
        return None, None, ""
    votes = list(decision.votes.all())
    mine = next((v for v in votes if v.voter_id == user.pk), None)
    if mine is not None:
        return None, mine, ""
    if timezone.now() >= decision.closes_at:
        return None, None, "The window has closed; the decision is taken at the next timer pass."
    if membership.is_alternate and any(
        v.seat_id == membership.alternate_for.user_id and v.capacity == Vote.Capacity.MEMBER for v in votes
    ):
        return None, None, "The member you stand for has voted: an alternate member votes only when the member does not."
    return VoteForm(prefix="board-vote"), None, ""


def panel_build(*, subject, user, bound=None):
    """The panel's context, or None when this user has nothing to see or do in it."""
    bound = bound or {}
    roles = user_roles(user)
    secretariat, sb = Role.SECRETARIAT in roles, Role.SB in roles
    if not (secretariat or sb):
        return None
    try:
        kind = subject_kind_of(subject)
    except ServiceError:
        return None
    decisions = list(
        Decision.objects.filter(subject_kind=kind.key, subject_id=subject.pk)
        .select_related("opened_by", "rule_set")
        .prefetch_related("votes__voter", "votes__seat")
    )
    proposals = kind.proposals(subject)
    if not decisions and not proposals:
        return None
    pending = next((d for d in decisions if d.is_open), None)
    specs = kind.table
    panel = {
        "subject": subject,
        "urls": panel_urls(subject),
        "secretariat": secretariat,
        "sb": sb,
        "pending": pending,
        "past": [(d, specs.get(d.transition)) for d in decisions if not d.is_open],
        "proposals": proposals,
    }
    if pending is not None:
        tally = board_tally(pending)
        panel.update(
            pending_spec=specs.get(pending.transition),
            tally=tally,
            votes=[(v, v.pk in tally["counted"]) for v in pending.votes.all()],
        )
        panel["vote_form"], panel["my_vote"], panel["vote_blocked"] = _vote_state(pending, user, tally)
        if "vote" in bound:
            panel["vote_form"] = bound["vote"]
    elif secretariat and proposals:
        panel["meeting_form"] = bound.get("meeting") or MeetingDecisionForm(proposals=proposals, prefix="board-meeting")
        panel["open_form"] = bound.get("open") or ElectronicDecisionForm(proposals=proposals, prefix="board-open")
    return panel
