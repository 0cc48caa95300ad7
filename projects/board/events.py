"""The Board's events in the stream of the subject's owner (its activity, its PoA, a transition request's own): a decision opened, a decision taken.

Votes are rows of their own (models.Vote); the decision event carries the tally, not who voted
what, so that the public timeline does not show individual members' votes.
"""
from pacm.engine.machines import machine_for
from pacm.events.models import EventKind
from pacm.events.services import event_record
from pacm.events.shapes import shape_register

from .subjects import FINDINGS, SUBJECTS


def _payload(decision, subject):
    data = {
        "decision": decision.pk,
        "subject": decision.subject_kind,
        "proposed": decision.transition,
        "mode": decision.mode,
        "rule_set": decision.rule_set.version,
    }
    data.update(SUBJECTS[decision.subject_kind].context(subject))
    data.update(decision.findings)  # PROC-AC-003 v03.0 para 139: e.g. doe_at_fault, with an exclusion
    if decision.meeting:
        data.update(meeting=decision.meeting, agenda_item=decision.agenda_item)
    return data


def _where(subject):
    """(stream, activity): the owner's stream the subject's machine records on, and the activity
    its events link to (none for a transition request before it transitions)."""
    machine = machine_for(subject)
    activity = machine.event_activity(subject) if machine.event_activity else None
    return machine.stream_of(subject), activity


def decision_opened(*, decision, subject, actor):
    stream, activity = _where(subject)
    return event_record(
        stream=stream, kind=EventKind.BOARD_DECISION_OPENED, actor=actor, activity=activity,
        comment=decision.proposal,
        payload={**_payload(decision, subject), "closes_at": decision.closes_at, "quorum": decision.quorum_needed},
    )


def decision_taken(*, decision, subject, actor):
    stream, activity = _where(subject)
    payload = {**_payload(decision, subject), "outcome": decision.status, "basis": decision.basis}
    for field in ("yes", "no", "abstain", "present"):
        if getattr(decision, field) is not None:
            payload[field] = getattr(decision, field)
    if decision.quorum_needed is not None:
        payload["quorum"] = decision.quorum_needed
    if decision.note:
        payload["note"] = decision.note
    return event_record(
        stream=stream, kind=EventKind.BOARD_DECIDED, actor=actor, activity=activity,
        comment=decision.proposal, payload=payload,
    )


_BASE = {"decision", "subject", "proposed", "mode", "rule_set"}
_OPTIONAL = {"monitoring_period", "meeting", "agenda_item", "component", "transition_request", "renewal",
             "renewal_kind"} | set(FINDINGS)
shape_register(EventKind.BOARD_DECISION_OPENED, _BASE | {"closes_at", "quorum"}, _OPTIONAL)
shape_register(
    EventKind.BOARD_DECIDED, _BASE | {"outcome", "basis"},
    _OPTIONAL | {"yes", "no", "abstain", "present", "quorum", "note"},
)
