"""The finalisation of a provisional CDM issuance request, run as a request (A6.4-PROC-AC-001 v06.0 para 55,
footnote 18; docs/rules-coverage.md transition-8, finalisation-1 to finalisation-5).

Para 55: "section 5 above, mutatis mutandis": the participants request it once the activity has transitioned
keeping its CDM methodology, with the revised monitoring report and the declaration on avoidance of double
issuance (`transition_request_provisional_finalisation`, para 55(a)); the secretariat checks it (paras 37-38)
and returns it for corrections or publishes it with the review window (para 40, `transition_review_days`);
the host's DNA or an SB member may request review; the secretariat records the SB's decision from its
meeting (para 46; transition-4); with no review it is deemed approved when the window closes (para 44);
the appeal window is 14 days (footnote 18, `transition_finalisation_appeal_days`). Then the participants
submit the revised monitoring report as a monitoring period of the registered activity, carrying the
declaration; it is verified and issued on the activity's own path. Each write is a declared action of the
transition machine on one provisional row (`items`), locked under its request.
"""
import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pacm.common import bounds, clock
from pacm.common.errors import ServiceError
from pacm.events.services import event_record
from pacm.events.shapes import shape_register

from ..services.base import action_run
from .machine import TRANSITION_MACHINE as M
from .models import ProvisionalIssuance
from .services import rules

P = ProvisionalIssuance.Status
FINALISATION = "transition.finalisation"  # Event.kind holds 40
shape_register(FINALISATION, {"provisional", "cdm_request_reference", "status", "step"},
               {"review_due", "appeal_ends", "meeting", "agenda_item", "decision", "monitoring_period", "claims",
                "double_issuance_declared", "other_scheme"})


def _event(row, actor, step, comment="", **extra):
    request = row.request
    return event_record(stream=request.stream, kind=FINALISATION, actor=actor, comment=comment, payload={
        "provisional": row.pk, "cdm_request_reference": row.cdm_request_reference, "status": row.status,
        "step": step, **extra})


def _item(provisional):
    def lock(obj):
        row = ProvisionalIssuance.objects.select_for_update().filter(
            pk=getattr(provisional, "pk", provisional), request=obj).first()
        if row is None:
            raise ServiceError(_("No such provisional request on this transition request."), code="not_found")
        return row
    return lock


def _reasons(comment):
    return bounds.text_required(comment, field="comment", message=_("Give the reasons."))


def appeal_ends(row):
    """Footnote 18: 14 days (rule-set days) after the decision; deemed approved: after the window closed."""
    if row.status == P.APPROVED:
        return row.appeal_ends_at
    if row.status == P.REVIEW_WINDOW and row.review_due_at is not None:
        days = rules(row.review_due_at.date()).transition_finalisation_appeal_days
        return row.review_due_at + datetime.timedelta(days=days)
    return None


def appeal_over(row):
    ends = appeal_ends(row)
    return ends is not None and clock.now() >= ends


@M.serves("return_finalisation")
def provisional_return(*, request, user, provisional, comment):
    """Paras 15, 37: incomplete: back to the participants, who correct and request it again."""
    reasons = _reasons(comment)

    def apply(obj, actor, row):
        row.status = P.RETURNED
        row.save(update_fields=["status"])
        _event(row, actor, "returned", comment=reasons)
        return row

    return action_run(subject=request, name="return_finalisation", user=user, apply=apply, item=_item(provisional))


@M.serves("pass_finalisation_checks")
def provisional_pass_checks(*, request, user, provisional):
    """Paras 37-40: complete and checked: published, the review window opens (rule-set days)."""
    def apply(obj, actor, row):
        row.status = P.REVIEW_WINDOW
        row.review_due_at = timezone.now() + datetime.timedelta(days=rules().transition_review_days)
        row.save(update_fields=["status", "review_due_at"])
        _event(row, actor, "published", review_due=row.review_due_at.isoformat(),
               appeal_ends=appeal_ends(row).isoformat())
        return row

    return action_run(subject=request, name="pass_finalisation_checks", user=user, apply=apply,
                      item=_item(provisional))


@M.serves("request_finalisation_review")
def provisional_request_review(*, request, user, provisional, comment):
    """Para 40: the host Party or an SB member or alternate, within the window."""
    reasons = _reasons(comment)

    def apply(obj, actor, row):
        row.status = P.UNDER_REVIEW
        row.save(update_fields=["status"])
        _event(row, actor, "review_requested", comment=reasons)
        return row

    return action_run(subject=request, name="request_finalisation_review", user=user, apply=apply,
                      item=_item(provisional))


DECISIONS = {"approve": P.APPROVED, "reject": P.REJECTED}


@M.serves("decide_finalisation")
def provisional_decide(*, request, user, provisional, decision, meeting, agenda_item, comment):
    """Para 46 (RMP 22): the SB's decision, recorded by the secretariat from the meeting report; an
    approval opens the 14-day appeal window (footnote 18)."""
    from ..board.services import _meeting_number

    if decision not in DECISIONS:
        raise ServiceError(_("The SB approves or rejects the finalisation."), field="decision", code="board_decides")
    number = _meeting_number(meeting)
    agenda_item = (agenda_item or "").strip()
    if not agenda_item or len(agenda_item) > 20:
        raise ServiceError(_('Give the agenda item under which the meeting decided, e.g. "4.2".'),
                           field="agenda_item", code="give_agenda_item_under")
    reasons = _reasons(comment)

    def apply(obj, actor, row):
        row.status = DECISIONS[decision]
        row.decision = f"{number} item {agenda_item}"
        fields = ["status", "decision"]
        extra = {}
        if row.status == P.APPROVED:
            row.appeal_ends_at = timezone.now() + datetime.timedelta(days=rules().transition_finalisation_appeal_days)
            fields.append("appeal_ends_at")
            extra["appeal_ends"] = row.appeal_ends_at.isoformat()
        row.save(update_fields=fields)
        _event(row, actor, "decided", comment=reasons, meeting=number, agenda_item=agenda_item, decision=decision,
               **extra)
        return row

    return action_run(subject=request, name="decide_finalisation", user=user, apply=apply, item=_item(provisional))


def vintage_split(start, end, quantity):
    """The quantity per calendar year, by days (finalisation-3): whole units, the remainder to the last year."""
    total_days = (end - start).days + 1
    claims, given = {}, 0
    years = list(range(start.year, end.year + 1))
    for year in years:
        first, last = max(start, datetime.date(year, 1, 1)), min(end, datetime.date(year, 12, 31))
        share = quantity * ((last - first).days + 1) // total_days
        claims[year] = share
        given += share
    claims[years[-1]] += quantity - given
    return {year: q for year, q in claims.items() if q > 0}


@M.serves("submit_finalised_period")
def provisional_submit_period(*, request, user, provisional, report):
    """Once the appeal window is over: the revised monitoring report becomes a monitoring period of the
    registered activity (para 50: the transitioned activity; RMP 50), claims per vintage, with the
    declaration on avoidance of double issuance recorded on it (para 55(a)(ii))."""
    from ..services.verification import period_submit

    row = ProvisionalIssuance.objects.select_related("request__activity").get(pk=getattr(provisional, "pk",
                                                                                        provisional))
    if row.request_id != request.pk:
        raise ServiceError(_("No such provisional request on this transition request."), code="not_found")
    activity = row.request.activity
    claims = vintage_split(row.period_start, row.period_end, row.quantity)
    with transaction.atomic():
        # The activity first (its own write path), then the request's item under its lock.
        period = period_submit(activity=activity, user=user, start=row.period_start, end=row.period_end,
                               claims=claims, report=report,
                               comment=_("Finalisation of the provisional CDM issuance request %(ref)s; declaration "
                                         "on avoidance of double issuance made (A6.4-PROC-AC-001 para 55(a)(ii)).")
                               % {"ref": row.cdm_request_reference})

        def apply(obj, actor, locked):
            locked.status = P.FINALISED
            locked.monitoring_period = period
            locked.save(update_fields=["status", "monitoring_period"])
            _event(locked, actor, "finalised", monitoring_period=period.number,
                   claims={str(k): v for k, v in claims.items()},
                   double_issuance_declared=locked.double_issuance_declared,
                   other_scheme=locked.other_scheme_confirmation)
            return locked

        return action_run(subject=request, name="submit_finalised_period", user=user, apply=apply,
                          item=_item(row))
