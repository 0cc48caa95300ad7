"""The request pipeline, declared once (A6.4-PROC-AC-002 v03.0 paras 67-116 and 174-230).

Every request of the mechanism runs the same skeleton: the requester submits; the fee is
settled before processing starts (7/CMA.4 annex I para 56; PROC-AC-002 paras 69-73); the
secretariat's completeness check (para 75: 7 d) and, where the kind has one, its substantive
check (para 78: 21 d), either returning the request for fixes (paras 76-77, 79-80) or passing it;
publication with the review window (paras 81-88: 28 d) in which a review may be requested
(para 85); with no review the request is deemed approved (para 88), otherwise the Board decides
(paras 102-103); where the kind has one, an appeal window follows (paras 89, 197-198) before
the final state.

`request_pipeline(...)` returns the transition rows of one request kind, with its own states,
names, actors, guards and rule-set timers. Registration and issuance run on it; the request
kinds to come (PoA registration, inclusion, transition, renewal, changes) will too.
"""
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from pacm.engine.declarations import T
from pacm.parties.roles import Role


@dataclass(frozen=True)
class RequestStates:
    submitted: str
    completeness: str
    incomplete: str
    review_window: str
    under_review: str
    decided: str  # approved: the final state, or the appeal window when `final` is given
    rejected: str
    substantive: str | None = None
    final: str | None = None  # after the appeal window


@dataclass(frozen=True)
class RequestNames:
    submit: str
    resubmit: str
    start_checks: str
    pass_checks: str
    return_incomplete: str
    request_review: str
    approve_by_timer: str
    approve: str
    reject: str
    pass_completeness: str | None = None  # completeness -> substantive, when there is one
    close_appeal: str | None = None


@dataclass(frozen=True)
class RequestKind:
    """One kind of request: its states, transition names and parameters (timers are rule-set keys)."""

    name: str
    states: RequestStates
    names: RequestNames
    entry: tuple  # the states a request may be submitted from
    requester: frozenset
    submit_labels: tuple  # (submit, resubmit)
    fee_guard: str
    submit_guards: tuple = ()
    submit_inputs: tuple = ()
    submit_input_guards: tuple = ()
    reviewers: frozenset = frozenset({Role.SB})
    deciders: frozenset = frozenset({Role.BOARD})
    decision_guards: tuple = ()
    # Guards of the start of the checks besides the fee, and when it waits for the secretariat
    # (a Q on the subject's model, or a callable returning one): the issuance's waits for the
    # participants' confirmation (pacm issue 9).
    start_guards: tuple = ()
    start_waiting: object = None
    completeness_timer: str = "completeness_check"
    substantive_timer: str | None = None
    fixes_timer: str = "missing_information"
    review_timer: str = "registration_review"
    appeal_timer: str | None = None
    labels: dict = None


def _window_open():
    from django.db.models import Q

    from pacm.common import clock

    return Q(due_at__gt=clock.now())


def request_pipeline(kind):
    """The transition rows of one request kind, in the order a request travels."""
    s, n, SEC, TIMER = kind.states, kind.names, {Role.SECRETARIAT}, {Role.TIMER}
    labels = kind.labels or {}
    first_check_timer = kind.completeness_timer
    submit_kw = dict(guards=kind.submit_guards, inputs=kind.submit_inputs, input_guards=kind.submit_input_guards)
    rows = [
        T(n.submit, kind.entry, s.submitted, kind.requester, kind.submit_labels[0], **submit_kw),
        T(n.resubmit, s.incomplete, s.submitted, kind.requester, kind.submit_labels[1], **submit_kw),
        # 7/CMA.4 annex I para 56; PROC-AC-002 para 74: processing starts once the fee is settled.
        T(n.start_checks, s.submitted, s.completeness, SEC, labels.get("start_checks", _("Start the checks")),
          guards=(kind.fee_guard, *kind.start_guards), timer=first_check_timer, waiting=kind.start_waiting),
    ]
    checks = (s.completeness,)
    if s.substantive:
        # PROC-AC-002 paras 75-78: completeness passed, the substantive check follows.
        rows.append(T(n.pass_completeness, s.completeness, s.substantive, SEC,
                      labels.get("pass_completeness", _("Pass the completeness check")), timer=kind.substantive_timer))
        checks = (s.completeness, s.substantive)
    last = checks[-1]
    rows += [
        # PROC-AC-002 paras 76-77, 79-80: returned for fixes, with the time to fix them.
        T(n.return_incomplete, checks, s.incomplete, SEC, _("Return as incomplete"), needs_reason=True,
          style="warning", timer=kind.fixes_timer),
        # Paras 81-85: published; the review window opens.
        T(n.pass_checks, last, s.review_window, SEC, labels.get("pass_checks", _("Pass the checks")),
          timer=kind.review_timer),
        # Para 85: a review may be requested within the window only.
        T(n.request_review, s.review_window, s.under_review, kind.reviewers, _("Request review"), needs_reason=True,
          style="warning", guards=("review_window_open",), waiting=_window_open),
        # Para 88: no review requested, the request is deemed approved.
        T(n.approve_by_timer, s.review_window, s.decided, TIMER, labels.get("approve_by_timer", _("Approve (review window closed)")),
          guards=kind.decision_guards, timer=kind.appeal_timer),
        # Paras 102-103: the Board decides.
        T(n.approve, s.under_review, s.decided, kind.deciders, labels.get("approve", _("Approve")), needs_reason=True,
          guards=kind.decision_guards, timer=kind.appeal_timer),
        T(n.reject, s.under_review, s.rejected, kind.deciders, labels.get("reject", _("Reject")), needs_reason=True,
          style="danger"),
    ]
    if s.final:
        # Paras 89, 197-198: the appeal window elapses, then the decision takes effect.
        rows.append(T(n.close_appeal, s.decided, s.final, TIMER, labels.get("close_appeal", _("Appeal window closed")),
                      guards=kind.decision_guards))
    return tuple(rows)


def request_timed(kind):
    """{state: transition} the timer pass fires for this request kind."""
    timed = {kind.states.review_window: kind.names.approve_by_timer}
    if kind.states.final:
        timed[kind.states.decided] = kind.names.close_appeal
    return timed
