"""The refund of a paid fee when its request is withdrawn or rejected (docs/rules-coverage.md refund-1 to refund-5).

A6.4-PROC-AC-002 v03.0 App.1 para 7 (registration), 14 (issuance), 17 (renewal "in the same manner as
paragraph 7"); A6.4-PROC-AC-003 v03.0 App.1 paras 7, 15, 19 (PoA registration, issuance, PoA renewal),
8 and 20 (CP inclusion and CP renewal fees: never reimbursed); A6.4-PROC-AC-001 v06.0 para 35 (the
transition fee "in line with" the registration fee's). The shares are the ladders of the rule set the
fee was assessed under (`RuleSet.refund_ladders`). `refund_hooks` gives the (prepare, after) pair a
withdraw or reject write passes to `write_run`: `prepare` reads the stage before the transition,
`after` records the `Refund` row and its `fee.refund_due` event in the same transaction.
"""
from decimal import Decimal

from django.utils import timezone

from pacm.events.models import Event
from pacm.events.services import event_record
from pacm.events.shapes import shape_register

REFUND_DUE = "fee.refund_due"
shape_register(REFUND_DUE, {"fee", "ladder", "stage", "outcome", "paid_usd", "amount_usd", "status", "conditional",
                            "rule_set", "subject"})

BEFORE, COMPLETENESS, SUBSTANTIVE, AFTER, REJECTED = (
    "before_checks", "completeness", "substantive", "after_substantive", "rejected")


def amount_due(rung, paid):
    """What of `paid` a rung (["full"], ["none"], ["above", X], ["amount", X]) reimburses."""
    kind = rung[0]
    if kind == "full":
        return paid
    if kind == "none":
        return Decimal("0.00")
    value = Decimal(rung[1])
    if kind == "above":
        return max(paid - value, Decimal("0.00"))
    if kind == "amount":
        return min(value, paid)
    raise ValueError(f"unknown refund rung {rung!r}")


def stage_of(states, from_state, *, returned_from=None, later=()):
    """The ladder's stage of a request leaving `from_state` (a pipeline's `RequestStates`).

    Returned for fixes, the stage it was returned from (`returned_from()`, the state the last
    `return_incomplete` left); before the checks started, `before_checks` (App.1 para 7(a))."""
    if from_state == states.incomplete and returned_from is not None:
        from_state = returned_from() or states.completeness
    if from_state == states.completeness or from_state == states.incomplete:
        return COMPLETENESS
    if states.substantive and from_state == states.substantive:
        return SUBSTANTIVE
    if from_state in {states.review_window, states.under_review, states.decided, *later}:
        return AFTER
    return BEFORE


def last_return_from(stream, transition, **payload):
    """The state the last `transition` (a return for fixes) on `stream` left, for the row `payload` names."""
    rows = Event.objects.filter(stream=stream, payload__transition=transition,
                                **{f"payload__{k}": v for k, v in payload.items()})
    return rows.order_by("-sequence").values_list("from_state", flat=True).first()


def refund_record(*, ladder, stage, outcome, paid, rule_set, actor, stream, subject, fee=None,
                  transition_request=None, activity=None):
    """The `Refund` row and its event: what the ladder reimburses of `paid` at `stage`."""
    from ..models import Refund

    if outcome == Refund.Outcome.REJECTED:
        stage = REJECTED
    amount = amount_due(rule_set.refund_ladders[ladder][stage], paid)
    conditional = stage in (COMPLETENESS, SUBSTANTIVE) and amount > 0
    status = Refund.Status.DUE if amount > 0 else Refund.Status.NONE
    basis = f"{ladder} ladder, {stage.replace('_', ' ')}, {outcome} (rule set {rule_set.version})"
    refund = Refund.objects.create(
        fee=fee, transition_request=transition_request, ladder=ladder, stage=stage, outcome=outcome, paid_usd=paid,
        amount_usd=amount, status=status, conditional=conditional, basis=basis, rule_set=rule_set,
        recorded_at=timezone.now())
    event_record(stream=stream, kind=REFUND_DUE, actor=actor, activity=activity, payload={
        "fee": fee.kind if fee else "transition", "ladder": ladder, "stage": stage, "outcome": outcome,
        "paid_usd": str(paid), "amount_usd": str(amount), "status": status, "conditional": conditional,
        "rule_set": rule_set.version, "subject": subject,
    })
    return refund


def refund_hooks(*, outcome, record):
    """(prepare, after) for a write that ends a request: `record(obj, actor, from_state)` runs after
    the transition with the state the request left."""
    seen = {}

    def prepare(obj, _actor):
        seen["from_state"] = obj.state

    def after(obj, actor):
        record(obj, actor, seen.get("from_state", ""), outcome)
        return None

    return prepare, after


# --- renewals (PROC-AC-002 App.1 para 17; PROC-AC-003 App.1 paras 19-20) --------------------------

def renewal_refund(renewal, actor, from_state, outcome):
    from ..models import Fee
    from .cycle import RENEWAL
    from .models import Kind

    fee = renewal.fee
    if fee is None or fee.status != Fee.Status.PAID or hasattr(fee, "refund"):
        return None  # nothing paid (due or waived): nothing to reimburse
    ladder = {Kind.PROJECT: "registration", Kind.POA: "poa_registration", Kind.CP: "cp"}[renewal.kind]
    owner = renewal.owner_row
    stage = BEFORE if renewal.kind == Kind.CP else stage_of(
        RENEWAL.states, from_state, returned_from=lambda: last_return_from(
            owner.stream, "return_incomplete", renewal=renewal.number, renewal_kind=renewal.kind))
    return refund_record(ladder=ladder, stage=stage, outcome=outcome, paid=fee.amount_usd, rule_set=fee.rule_set,
                         actor=actor, stream=owner.stream, activity=owner, fee=fee,
                         subject=f"{renewal.subject_reference} renewal {renewal.number}")


# --- transition requests (PROC-AC-001 v06.0 para 35) -----------------------------------------------

def transition_refund(request, actor, from_state, outcome):
    from ..transition.cycle import TRANSITION, TransitionState
    from ..transition.models import TransitionRequest

    if request.fee_status != TransitionRequest.FeeStatus.PAID or request.fee_rule_set_id is None:
        return None
    if TransitionRequest.objects.filter(pk=request.pk, refund__isnull=False).exists():
        return None
    ladder = "poa_registration" if request.kind == "poa" else "registration"
    stage = stage_of(TRANSITION.states, from_state, later=(TransitionState.MODIFICATIONS,),
                     returned_from=lambda: last_return_from(request.stream, "return_incomplete"))
    return refund_record(ladder=ladder, stage=stage, outcome=outcome, paid=request.fee_usd,
                         rule_set=request.fee_rule_set, actor=actor, stream=request.stream,
                         transition_request=request, subject=request.reference or request.cdm_reference)
