"""The Supervisory Body decides as a body: the one write path of Board decisions and votes.

Sources (docs/rules-coverage.md, "Readings", says how each unclear point is read):
- RMP para 22 (rules.md §1): consensus where possible, otherwise a three-fourths majority of the
  members present and voting. RMP para 17: a quorum of three quarters of the members.
  The fractions and the number of members are rule-set data (RuleSet.board_*).
- A6.4-PROC-AC-002 v03.0 paras 102 and 213: after a review, the SB decides at its meeting to
  register or reject, to issue or reject. A meeting decision is entered by the secretariat
  from the meeting (its number, e.g. "SBM019", and agenda item), with the outcome.
- A6.4-SBM017 v01.0 para 36: the SB also decides "through an electronic decision" under rule 67
  of its rules of procedure (v01.0). The secretariat opens one with a proposal; members and
  alternate members vote yes, no or abstain within RuleSet.board_electronic_days; the outcome
  is computed when the window closes (timer) or when every member has voted.

An adopted decision fires the proposed transition through its existing service
(projects.services), as the Board: `Role.BOARD`, labelled "board:<decision id>". One event
records the decision (board.decided), then the transition's own event follows.
"""
import datetime
import logging
import re

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from methodologies.models import RuleSet
from pacm.common.errors import Refused, ServiceError
from pacm.parties.models import Membership, Organisation
from pacm.parties.roles import Actor, Role, actor_for_role

from ..services.base import action_run, lock
from . import events
from .models import Decision, Vote
from .subjects import FINDINGS, SUBJECTS, findings_of, subject_kind_of

log = logging.getLogger(__name__)

S, B = Decision.Status, Decision.Basis
# Meeting reports are A6.4-SB001 to A6.4-SB011, then A6.4-SBM012 onwards (sources/README.md).
MEETING_NUMBER = re.compile(r"^(?:A6\.4-)?(SBM?\d{3})$")
BY = ("consensus", "vote")


def board_actor(decision):
    """The Board acting through `decision` (no person; the SB organisation; role 'board')."""
    return Actor(user=None, organisation=decision.body, role=Role.BOARD, label=decision.label)


def _when(moment):
    """A moment in a message: the active language's date-time format (pacm/formats), in UTC."""
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT") + " UTC"


def _secretariat(user, refusal):
    actor = None if isinstance(user, Actor) else actor_for_role(user, Role.SECRETARIAT)
    if actor is None:
        raise Refused(refusal, code="only_secretariat")
    return actor


def _body():
    body = Organisation.objects.filter(kind=Organisation.Kind.SB).order_by("pk").first()
    if body is None:
        raise ServiceError(_("No Supervisory Body is set up."), code="no_supervisory_body_set")
    return body


def _locked_subject(kind, pk):
    """The subject locked in its machine's order: the owner of its stream first, then itself."""
    from pacm.engine.machines import machine_for
    from pacm.engine.run import subject_lock

    kind.get(pk)  # "No such ..." in the kind's words
    return subject_lock(machine_for(kind.model), pk)


def _locked_decision(pk):
    found = Decision.objects.filter(pk=pk).values("subject_kind", "subject_id").first()
    if found is None:
        raise ServiceError(_("No such Board decision."), code="no_such_board_decision")
    subject = _locked_subject(SUBJECTS[found["subject_kind"]], found["subject_id"])
    return lock(Decision, pk), subject


def _proposal(kind, subject, transition):
    spec = kind.board_transitions().get(transition or "")
    if spec is None:
        names = ", ".join(sorted(kind.board_transitions()))
        raise ServiceError(_("The Board decides on a %(kind)s by one of: %(names)s.") % {"kind": kind.label, "names": names},
                           field="transition", code="board_decides")
    if subject.state not in spec.source:
        raise Refused(
            _("'%(write)s' is not possible while %(subject)s is %(state)s.") % {
                "write": spec.label, "subject": kind.describe(subject), "state": subject.get_state_display().lower()},
            code="invalid",
        )
    return spec


def _none_open(kind, subject):
    pending = Decision.objects.filter(subject_kind=kind.key, subject_id=subject.pk, status=S.OPEN).first()
    if pending is not None:
        raise Refused(
            _("Electronic decision %(decision)s on %(subject)s is open until %(closes)s: it must close first.") % {
                "decision": pending.pk, "subject": kind.describe(subject), "closes": _when(pending.closes_at)},
            code="electronic_decision",
        )


def _findings(kind, spec, findings):
    """{name: True/False} for each finding the proposed transition takes (PROC-AC-003 v03.0 para 139:
    whether the validating DOE is at fault, with an exclusion); a finding made with a transition that
    does not take it, or given as anything but yes or no, is refused."""
    findings = dict(findings or {})
    taken = findings_of(spec)
    for name, value in findings.items():
        if name not in FINDINGS:
            raise ServiceError(_("The Board makes no such finding."), field=name, code="board_finding_unknown")
        if value not in (True, False, None):
            raise ServiceError(_("Say yes or no."), field=name, code="board_finding_yes_no")
        if value and name not in taken:
            writes = ", ".join(str(t.label) for t in kind.board_transitions().values() if name in findings_of(t))
            raise ServiceError(
                _("'%(finding)s' is found only with: %(writes)s.") % {"finding": FINDINGS[name].label, "writes": writes},
                field=name, code="board_finding_not_taken")
    return {name: bool(findings.get(name)) for name in taken}


def _reasons(comment, message=None):
    comment = (comment or "").strip()
    if not comment:
        raise ServiceError(message or _("Give the reasons for this decision."), field="comment", code="invalid")
    return comment


def _meeting_number(meeting):
    match = MEETING_NUMBER.match((meeting or "").strip().upper())
    if match is None:
        raise ServiceError(_('Give the meeting\'s number as its report does, e.g. "SBM019".'), field="meeting", code="give_meeting_number_report")
    return match.group(1)


def _count(value, name):
    if value in (None, ""):
        raise ServiceError(_("Give the number of '%(name)s' votes.") % {"name": name}, field=name, code="give_number")
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise ServiceError(_("Give a whole number."), field=name, code="give_whole_number") from None
    if value < 0:
        raise ServiceError(_("Give a whole number, 0 or more."), field=name, code="give_whole_number_more")
    return value


def _meeting_basis(rule_set, outcome, by, yes, no, abstain):
    """(basis, counts) of a meeting decision; the counts, if a vote, must give that outcome."""
    if by == "consensus":
        if any(v not in (None, "") for v in (yes, no, abstain)):
            raise ServiceError(_("Counts are given only for a decision taken by a vote."), field="by", code="counts_are_given_only")
        if outcome != S.ADOPTED:
            raise ServiceError(_("A proposal that was not adopted was not adopted by consensus: record the vote."),
                               field="by", code="proposal_was_adopted_was")
        return B.CONSENSUS, {}
    if by != "vote":
        raise ServiceError(_("Say whether the meeting decided by consensus or by a vote."), field="by", code="say_whether_meeting_decided")
    counts = {name: _count(value, name) for name, value in (("yes", yes), ("no", no), ("abstain", abstain))}
    if sum(counts.values()) > rule_set.board_members:
        raise ServiceError(_("More votes than the Board has members (%(members)s).") % {"members": rule_set.board_members},
                           field="yes", code="more_votes_than_board")
    # RMP para 22: three fourths of the members present and voting; abstentions are not votes.
    reached = rule_set.board_majority_reached(counts["yes"], counts["no"])
    if reached != (outcome == S.ADOPTED):
        shown = {"yes": counts["yes"], "no": counts["no"], "outcome": (S.ADOPTED if reached else S.NOT_ADOPTED).label}
        message = (_("%(yes)s yes and %(no)s no make a three-fourths majority of the members present and voting "
                     "(RMP para 22): the outcome is '%(outcome)s'.") if reached else
                   _("%(yes)s yes and %(no)s no do not make a three-fourths majority of the members present and "
                     "voting (RMP para 22): the outcome is '%(outcome)s'."))
        raise ServiceError(message % shown, field="outcome", code="meeting_counts_mismatch")
    return (B.MAJORITY if reached else B.MAJORITY_MISSED), counts


def board_decision_record_meeting(
    *, subject, transition, user, meeting, agenda_item, outcome, comment="", by="consensus",
    yes=None, no=None, abstain=None, findings=None,
):
    """Record a decision taken at a meeting (A6.4-PROC-AC-002 v03.0 paras 102, 213); secretariat only.

    The meeting's quorum is asserted when it opens (agenda item 1.1 of each report, e.g.
    A6.4-SBM018 v01.0 para 1), so it is not counted again here. `by` is "consensus" or "vote";
    a vote gives its counts, and `outcome` must be the one RMP para 22 gives for them.
    `findings` ({name: bool}, `subjects.FINDINGS`) are made with an adopted decision only and go to
    the transition's service (PROC-AC-003 v03.0 para 139: the validating DOE at fault).
    """
    kind = subject_kind_of(subject)
    _secretariat(user, _("Only the secretariat may record a decision of the Board."))

    def apply(subject, actor):
        nonlocal meeting, agenda_item, comment
        spec = _proposal(kind, subject, transition)
        meeting = _meeting_number(meeting)
        agenda_item = (agenda_item or "").strip()
        if not agenda_item or len(agenda_item) > 20:
            raise ServiceError(_('Give the agenda item under which the meeting decided, e.g. "4.2".'), field="agenda_item", code="give_agenda_item_under")
        if outcome not in (S.ADOPTED, S.NOT_ADOPTED):
            raise ServiceError(_("Say whether the proposal was adopted."), field="outcome", code="say_whether_proposal_was")
        rule_set = RuleSet.objects.in_force(timezone.localdate())
        basis, counts = _meeting_basis(rule_set, outcome, by, yes, no, abstain)
        comment = _reasons(comment) if outcome == S.ADOPTED else (comment or "").strip()
        made = _findings(kind, spec, findings)
        if outcome != S.ADOPTED and any(made.values()):
            name = next(n for n, v in made.items() if v)
            raise ServiceError(_("A finding is made only with an adopted decision."), field=name,
                               code="board_finding_not_adopted")
        _none_open(kind, subject)
        now = timezone.now()
        decision = Decision.objects.create(
            subject_kind=kind.key, subject_id=subject.pk, transition=spec.name, subject_state=subject.state,
            body=_body(), mode=Decision.Mode.MEETING, status=outcome, basis=basis, proposal=comment,
            meeting=meeting, agenda_item=agenda_item, opened_by=actor.user, opened_at=now, decided_at=now,
            rule_set=rule_set, findings=made, **counts,
        )
        events.decision_taken(decision=decision, subject=subject, actor=actor)
        if outcome == S.ADOPTED:
            kind.fire(subject, spec.name, board_actor(decision), comment, made)
        return decision

    # Through the engine's skeleton: the write `decide_as_board` declared on the subject's machine.
    return action_run(subject=subject, name="decide_as_board", user=user, apply=apply)


def board_decision_open_electronic(*, subject, transition, user, comment, findings=None):
    """Circulate a proposal for an electronic decision (RoP rule 67; A6.4-SBM017 v01.0 para 36).

    The secretariat opens it, as it supports the Chair (reading: the rules of procedure are not
    among the sources). Votes are taken for RuleSet.board_electronic_days from now. The proposal's
    `findings` (PROC-AC-003 v03.0 para 139) are voted on with it and made if it is adopted.
    """
    kind = subject_kind_of(subject)
    _secretariat(user, _("Only the secretariat may open an electronic decision of the Board."))

    def apply(subject, actor):
        nonlocal comment
        spec = _proposal(kind, subject, transition)
        comment = _reasons(comment, _("Give the proposal with its reasons."))
        made = _findings(kind, spec, findings)
        _none_open(kind, subject)
        rule_set = RuleSet.objects.in_force(timezone.localdate())
        now = timezone.now()
        decision = Decision.objects.create(
            subject_kind=kind.key, subject_id=subject.pk, transition=spec.name, subject_state=subject.state,
            body=_body(), mode=Decision.Mode.ELECTRONIC, status=S.OPEN, proposal=comment, opened_by=actor.user,
            opened_at=now, closes_at=now + datetime.timedelta(days=rule_set.board_electronic_days),
            rule_set=rule_set, quorum_needed=rule_set.board_quorum(), findings=made,
        )
        events.decision_opened(decision=decision, subject=subject, actor=actor)
        return decision

    return action_run(subject=subject, name="decide_as_board", user=user, apply=apply)


def board_membership(user, body):
    """The user's membership of the Supervisory Body (a member's or an alternate's), or None."""
    if isinstance(user, Actor) or user is None or not user.is_authenticated or not user.is_active:
        return None
    return Membership.objects.filter(user=user, organisation=body).select_related("alternate_for__user").first()


def board_vote_cast(*, decision, user, choice):
    """One vote of a member or alternate member on an open electronic decision, within its window.

    A person votes once: a second vote is refused, not counted over the first. An alternate
    member's vote counts only if the member it stands for does not vote (docs/rules-coverage.md);
    once the member has voted, the alternate may not.
    """
    if choice not in Vote.Choice.values:
        raise ServiceError(_("Vote yes, no or abstain."), field="choice", code="vote_yes_no_abstain")
    found = Decision.objects.filter(pk=decision.pk).select_related("body").first()
    if found is None:
        raise ServiceError(_("No such Board decision."), code="no_such_board_decision")
    if board_membership(user, found.body) is None:
        raise Refused(_("Only members and alternate members of the Supervisory Body vote on its decisions."),
                      code="only_members_alternate_members")
    decision_pk = found.pk

    def apply(_subject, _actor):
        decision, subject = _locked_decision(decision_pk)
        membership = board_membership(user, decision.body)
        if not decision.is_open:
            raise Refused(_("Decision %(decision)s is closed (%(status)s): votes are no longer taken.") % {
                "decision": decision.pk, "status": decision.get_status_display().lower()}, code="decision")
        now = timezone.now()
        if now >= decision.closes_at:
            raise Refused(_("The window of decision %(decision)s closed on %(closed)s: votes are no longer taken.") % {
                "decision": decision.pk, "closed": _when(decision.closes_at)}, code="window_decision")
        earlier = decision.votes.filter(voter=user).first()
        if earlier is not None:
            raise Refused(
                _("You already voted on decision %(decision)s (%(choice)s, %(cast)s): a vote is cast once and cannot "
                  "be changed.") % {"decision": decision.pk, "choice": earlier.get_choice_display().lower(),
                                    "cast": _when(earlier.cast_at)},
                code="already_voted_decision",
            )
        if membership.is_alternate:
            seat, capacity = membership.alternate_for.user, Vote.Capacity.ALTERNATE
            if decision.votes.filter(seat=seat, capacity=Vote.Capacity.MEMBER).exists():
                raise Refused(_("%(member)s, the member you stand for, has voted: an alternate member votes only when "
                                "the member does not.") % {"member": seat.get_username()}, code="member_stand_has_voted")
        else:
            seat, capacity = user, Vote.Capacity.MEMBER
        vote = Vote.objects.create(decision=decision, voter=user, capacity=capacity, seat=seat, choice=choice,
                                   cast_at=now)
        if _every_member_voted(decision):
            _close(decision, subject, now)
        return vote

    # The write `vote_as_board` declared on the subject's machine, through the engine's skeleton.
    subject = SUBJECTS[found.subject_kind].get(found.subject_id)
    return action_run(subject=subject, name="vote_as_board", user=user, apply=apply)


def _every_member_voted(decision):
    """The last vote: every (active) member has voted, so no vote can change the outcome."""
    members = set(
        Membership.objects.filter(organisation=decision.body, alternate_for__isnull=True, user__is_active=True)
        .values_list("user_id", flat=True)
    )
    voted = set(decision.votes.filter(capacity=Vote.Capacity.MEMBER).values_list("seat_id", flat=True))
    return bool(members) and members <= voted


def board_tally(decision):
    """{yes, no, abstain, present}: one counted vote per seat, the member's before the alternate's."""
    counted = {}
    votes = list(decision.votes.all())
    for vote in votes:
        if vote.capacity == Vote.Capacity.MEMBER:
            counted[vote.seat_id] = vote
    for vote in votes:
        counted.setdefault(vote.seat_id, vote)
    choices = [v.choice for v in counted.values()]
    return {
        "yes": choices.count(Vote.Choice.YES),
        "no": choices.count(Vote.Choice.NO),
        "abstain": choices.count(Vote.Choice.ABSTAIN),
        "present": len(choices),
        "counted": {v.pk for v in counted.values()},
    }


def board_outcome(*, rule_set, yes, no, abstain, present):
    """(status, basis) by RMP paras 17 and 22, as read in docs/rules-coverage.md.

    Quorum: the seats present (voting yes, no or abstaining) reach RuleSet.board_quorum().
    Consensus: at least one yes and no objection. Otherwise a majority of the members present
    and voting (yes / (yes + no), abstentions not counted) of RuleSet.board_majority_fraction.
    """
    if present < rule_set.board_quorum():
        return S.NOT_ADOPTED, B.QUORUM_MISSED
    if yes and not no:
        return S.ADOPTED, B.CONSENSUS
    if rule_set.board_majority_reached(yes, no):
        return S.ADOPTED, B.MAJORITY
    return S.NOT_ADOPTED, B.MAJORITY_MISSED


def _close(decision, subject, now):
    """Compute the outcome and, if adopted, fire the proposed transition as the Board."""
    tally = board_tally(decision)
    for field in ("yes", "no", "abstain", "present"):
        setattr(decision, field, tally[field])
    decision.status, decision.basis = board_outcome(
        rule_set=decision.rule_set, **{k: tally[k] for k in ("yes", "no", "abstain", "present")}
    )
    decision.decided_at = now
    board = board_actor(decision)
    kind = SUBJECTS[decision.subject_kind]
    if decision.status == S.ADOPTED:
        try:
            with transaction.atomic():
                decision.save()
                events.decision_taken(decision=decision, subject=subject, actor=board)
                kind.fire(subject, decision.transition, board, decision.proposal, decision.findings)
            return decision
        except ServiceError as error:
            # The subject moved on while the votes were taken (withdrawn, say), or a guard holds
            # the transition back: the decision is recorded, the state is left as it is.
            decision.status, decision.note = S.LAPSED, error.message
    decision.save()
    events.decision_taken(decision=decision, subject=subject, actor=board)
    return decision


def board_decision_close(*, decision):
    """Close an electronic decision whose window has passed (or on which every member voted)."""
    with transaction.atomic():
        decision, subject = _locked_decision(decision.pk)
        if not decision.is_open:
            raise Refused(_("Decision %(decision)s is already closed (%(status)s).") % {
                "decision": decision.pk, "status": decision.get_status_display().lower()}, code="decision")
        now = timezone.now()
        if now < decision.closes_at and not _every_member_voted(decision):
            raise Refused(_("Decision %(decision)s is not due yet: its window closes on %(closes)s.") % {
                "decision": decision.pk, "closes": _when(decision.closes_at)}, code="decision")
        return _close(decision, subject, now)


def board_decisions_close_due():
    """One timer pass: decide every electronic decision whose window has closed. [(id, status)]"""
    closed = []
    due = list(Decision.objects.filter(status=S.OPEN, closes_at__lte=timezone.now()).order_by("closes_at", "pk"))
    for decision in due:
        try:
            decision = board_decision_close(decision=decision)
        except ServiceError as error:  # closed by another pass meanwhile
            log.info("board decision %s not closed: %s", decision.pk, error.message)
            continue
        closed.append((decision.pk, decision.status))
    return closed
