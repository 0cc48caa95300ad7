"""The summary at the top of a long subject page (pacm issue 9, "People"): the state in words, what
waits for whom and the due date, read from the machine's declarations alone, so it costs no query
and grows with nothing: a transition waits for its actors in its source states (as `waiting_q`
reads them for the dashboards), the timed transition of the state says what happens at the due date."""
from dataclasses import dataclass, field

from pacm.parties.roles import SYSTEM_ROLES, Role

from .machines import machine_for
from .offers import offered_writes

# Roles that wait on nobody's page: the clock, the Board as a body (its decision is recorded by the
# secretariat, projects.board), a member of the public.
_NOT_A_PERSON = SYSTEM_ROLES
_ORDER = [Role.PARTICIPANT, Role.DOE, Role.DNA, Role.SECRETARIAT, Role.SB, Role.ADAPTATION_FUND, Role.HOLDER]


@dataclass
class Summary:
    state: str
    since: object
    due_at: object
    at_due: str = ""  # the label of the step the timer takes at the due date
    waiting: list = field(default_factory=list)  # [(role, [write labels])], in a fixed role order


def subject_summary(subject):
    """The Summary of `subject` now (its state, the writes waiting by role, the timer)."""
    machine = machine_for(subject)
    by_role = {}
    for spec in offered_writes(machine, subject.state):
        # The writes that wait by state, and the transitions whose `waiting` condition is a window
        # of their state (a review requested before the due date); an action's condition (a fee
        # due, a finding open) would need a query per write: those show on the page's own cards.
        if not spec.awaited or (spec.waiting is not None and not spec.is_transition):
            continue
        for role in spec.actors - _NOT_A_PERSON:
            by_role.setdefault(Role(role), []).append(spec.label)
    timer = machine.timed.get(subject.state)
    return Summary(
        state=subject.get_state_display(), since=getattr(subject, "state_entered_at", None),
        due_at=getattr(subject, "due_at", None), at_due=machine.write(timer).label if timer else "",
        waiting=[(role, by_role[role]) for role in _ORDER if role in by_role],
    )
