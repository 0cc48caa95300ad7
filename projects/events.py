"""One small function per event type of an activity's stream (Saleor's order/events.py style).

Each kind's payload shape is declared here, beside the function that writes it, and checked by
`event_record` (pacm.events.shapes). An edit records what it replaces: old and new values, the
version a revision supersedes, the status a finding had.
"""
from pacm.events.models import EventKind
from pacm.events.services import event_build, event_record
from pacm.events.shapes import shape_register

K = EventKind
# A transition (written by the engine's `state_changed`): its name and the document versions the
# decision rests on, by id and hash; plus what the service adds (projects.services).
_TRANSITION_EXTRA = {"risk_rating", "fee_usd", "fee_status"}
# pacm issue 10 (A6.4-STAN-METH-002 paras 38-41): what the validation of a reversal-risk activity records.
_TRANSITION_EXTRA |= {"risk_negligible", "risk_rating_validated", "risk_assessment_document", "next_risk_revision_due"}
_PERIOD_TRANSITION_EXTRA = {"units_requested", "omge_rate", "preview", "fee_usd", "fee_status", "verified", "cause",
                            "verified_by_cp",  # a PoA batch's, per CP (projects.poa)
                            # A6.4-STAN-METH-002 para 30(d)-(e) at certification (projects.removals).
                            "deficit", "observed_event"}
_REVERSAL = {"reversal", "kind", "quantity", "cancelled", "outstanding", "status"}
_FINDING = {"finding", "finding_kind", "status", "previous_status", "monitoring_period"}
SHAPES = {
    K.ACTIVITY_CREATED: ({"reference", "title"}, ()),
    K.ACTIVITY_UPDATED: ({"changed", "old", "new"}, ()),
    K.ACTIVITY_TRANSITIONED: ({"transition", "documents"}, _TRANSITION_EXTRA),
    K.DOE_ENGAGED: ({"doe", "doe_id", "stage"}, ()),
    K.DOE_CHANGED: ({"doe", "doe_id", "previous", "previous_id", "stage"}, ()),
    K.DOCUMENT_UPLOADED: ({"document", "version", "sha256", "name", "size", "monitoring_period"}, ()),
    K.FINDING_RAISED: (_FINDING, ()),
    K.FINDING_ANSWERED: (_FINDING, ()),
    K.FINDING_CLOSED: (_FINDING, ()),
    K.FINDING_REOPENED: (_FINDING, ()),
    K.HOST_APPROVAL_ISSUED: (
        {"version", "supersedes", "renewal_approved", "sop_exemption_opt_out", "authorized_participants"}, ()),
    K.AUTHORIZATION_ISSUED: (
        {"version", "supersedes", "uses", "first_transfer", "quantity_cap", "vintage_from", "vintage_to",
         "effective_from"}, ()),
    K.FEE_ASSESSED: ({"fee", "amount_usd", "status", "basis", "rule_set"}, ()),
    K.FEE_PAID: ({"fee", "amount_usd", "reference", "previous_status", "status"}, ()),
    # a PoA batch's per CP; a removals report's change in storage
    K.MONITORING_SUBMITTED: ({"monitoring_period", "start", "end", "claims"}, {"components", "storage"}),
    K.MONITORING_TRANSITIONED: ({"transition", "documents", "monitoring_period"}, _PERIOD_TRANSITION_EXTRA),
    # No longer written (a period's issuance is on its own machine); kept for rows written before.
    K.ISSUANCE_TRANSITIONED: ({"transition", "documents", "monitoring_period"}, _PERIOD_TRANSITION_EXTRA),
    K.ISSUANCE_EXECUTED: (
        {"monitoring_period", "gross", "share_of_proceeds", "omge", "buffer", "net", "rule_set", "sop_exempt",
         "tranches", "distribution"}, ("components",)),
    # pacm issue 9: the OMGE election and the distribution lines the participants confirmed.
    K.ISSUANCE_CONFIRMED: ({"monitoring_period", "units_requested", "omge_rate", "split", "distribution"}, ()),
    # pacm issue 9 (reading omge-confirm-2): what the participants declined; their reasons in the comment.
    K.ISSUANCE_DECLINED: ({"monitoring_period", "units_requested", "omge_rate", "split", "distribution"}, ()),
    # No longer written (observed events, projects.reversals); kept for rows written before issue 10.
    K.REVERSAL_REPORTED: (_REVERSAL, ()),
    K.REVERSAL_SETTLED: (_REVERSAL, {"from_buffer", "compensated"}),
}


def shapes_register():
    for kind, (required, optional) in SHAPES.items():
        shape_register(kind, required, optional)


shapes_register()


def activity_created(*, activity, actor):
    return event_record(
        stream=activity.stream, kind=EventKind.ACTIVITY_CREATED, actor=actor, activity=activity,
        to_state=activity.state, payload={"reference": activity.reference, "title": activity.title},
    )


def _shown(value):
    """A field value as the event keeps it: a related row by its id and name."""
    if hasattr(value, "pk"):
        return {"id": value.pk, "name": str(value)}
    return value


def activity_updated(*, activity, actor, changed):
    """`changed`: {field: (old, new)}; the event keeps both, so an edit can be read back."""
    return event_record(
        stream=activity.stream, kind=EventKind.ACTIVITY_UPDATED, actor=actor, activity=activity,
        payload={
            "changed": sorted(changed),
            "old": {f: _shown(old) for f, (old, _new) in sorted(changed.items())},
            "new": {f: _shown(new) for f, (_old, new) in sorted(changed.items())},
        },
    )


def doe_engaged(*, activity, actor, doe, stage):
    return event_record(
        stream=activity.stream, kind=EventKind.DOE_ENGAGED, actor=actor, activity=activity,
        payload={"doe": doe.name, "doe_id": doe.pk, "stage": stage},
    )


def doe_changed(*, activity, actor, doe, previous, stage):
    """Issue 11: a change of DOE is its own event, naming the DOE it replaces."""
    return event_record(
        stream=activity.stream, kind=EventKind.DOE_CHANGED, actor=actor, activity=activity,
        payload={"doe": doe.name, "doe_id": doe.pk, "previous": previous.name, "previous_id": previous.pk,
                 "stage": stage},
    )


def document_uploaded(*, activity, actor, version):
    return event_record(
        stream=activity.stream, kind=EventKind.DOCUMENT_UPLOADED, actor=actor, activity=activity,
        payload={
            "document": version.document.kind,
            "version": version.number,
            "sha256": version.sha256,
            "name": version.original_name,
            "size": version.size,
            "monitoring_period": period.number if (period := version.document.monitoring_period) else None,
        },
    )


def finding_event(*, kind, finding, actor, comment="", previous_status=None):
    """A finding raised or changed; a change names the status it had (None when raised)."""
    return event_record(
        stream=finding.activity.stream, kind=kind, actor=actor, activity=finding.activity, comment=comment,
        payload={
            "finding": finding.number,
            "finding_kind": finding.kind,
            "status": finding.status,
            "previous_status": previous_status,
            "monitoring_period": finding.monitoring_period.number if finding.monitoring_period_id else None,
        },
    )


def _superseded(version):
    """The version a revision supersedes (None for the first)."""
    return version - 1 if version > 1 else None


def host_approval_issued(*, approval, actor):
    return event_record(
        stream=approval.activity.stream, kind=EventKind.HOST_APPROVAL_ISSUED, actor=actor,
        activity=approval.activity,
        payload={
            "version": approval.version,
            "supersedes": _superseded(approval.version),
            "renewal_approved": approval.renewal_approved,
            "sop_exemption_opt_out": approval.sop_exemption_opt_out,
            "authorized_participants": sorted(approval.authorized_participants.values_list("name", flat=True)),
        },
    )


def authorization_issued(*, statement, actor):
    return event_record(
        stream=statement.activity.stream, kind=EventKind.AUTHORIZATION_ISSUED, actor=actor,
        activity=statement.activity,
        payload={
            "version": statement.version,
            "supersedes": _superseded(statement.version),
            "uses": statement.uses,
            "first_transfer": statement.first_transfer,
            "quantity_cap": statement.quantity_cap,
            "vintage_from": statement.vintage_from,
            "vintage_to": statement.vintage_to,
            "effective_from": statement.effective_from,
        },
    )


def fee_assessed(*, fee, actor):
    return event_record(
        stream=fee.activity.stream, kind=EventKind.FEE_ASSESSED, actor=actor, activity=fee.activity,
        payload={"fee": fee.kind, "amount_usd": str(fee.amount_usd), "status": fee.status,
                 "basis": fee.basis, "rule_set": fee.rule_set.version},
    )


def fee_paid(*, fee, actor, previous_status="due"):
    return event_record(
        stream=fee.activity.stream, kind=EventKind.FEE_PAID, actor=actor, activity=fee.activity,
        payload={"fee": fee.kind, "amount_usd": str(fee.amount_usd), "reference": fee.payment_reference,
                 "previous_status": previous_status, "status": fee.status},
    )


def monitoring_submitted(*, period, actor, claims, comment="", storage=None):
    return event_record(
        stream=period.activity.stream, kind=EventKind.MONITORING_SUBMITTED, actor=actor, activity=period.activity,
        to_state=period.state, comment=comment,
        payload={"monitoring_period": period.number, "start": period.start, "end": period.end,
                 "claims": {str(v): q for v, q in sorted(claims.items())},
                 # A removals report's net change in GHG storage per vintage (A6.4-STAN-METH-002 para 30).
                 **({} if storage is None else {"storage": {str(v): q for v, q in sorted(storage.items())}})},
    )


def issuance_executed(*, period, actor, split, sop_exempt, tranches, distribution, head=None, build=False):
    """`distribution`: [(account number, amount)]; `tranches`: [(vintage, quantity, status, date)];
    `head`: the activity stream's last (sequence, hash) read under the activity's lock; `build`: the
    event built, not saved (the issuing task writes it with the period's transition, pacm issue 8)."""
    return (event_build if build else event_record)(
        stream=period.activity.stream, kind=EventKind.ISSUANCE_EXECUTED, actor=actor, activity=period.activity,
        payload={
            "monitoring_period": period.number, "gross": split.gross,
            "share_of_proceeds": split.share_of_proceeds, "omge": split.omge, "buffer": split.buffer,
            "net": split.net, "rule_set": split.rule_set, "sop_exempt": sop_exempt,
            "tranches": [[v, q, str(s), d] for v, q, s, d in tranches],
            "distribution": [[number, amount] for number, amount in distribution],
            # A PoA batch's: the CP of each tranche (PROC-AC-003 v03.0 para 220).
            **({"components": [t.tag.label for t in tranches]} if any(getattr(t, "tag", None) for t in tranches)
               else {}),
        },
        head=head,
    )


def _share(line):
    return f"{line.percent.normalize():f}%" if line.percent is not None else f"{line.units} units"


def _request_payload(period, request, lines):
    return {"monitoring_period": period.number, "units_requested": request.units_requested,
            "omge_rate": str(request.omge_rate), "split": request.split,
            "distribution": [[line.account.number, _share(line)] for line in lines]}


def issuance_declined(*, period, actor, request, lines, reason):
    """The participants decline the DOE's request (pacm issue 9, reading omge-confirm-2): the election
    and the lines they declined, as `issuance_confirmed` names them; the reasons in the comment."""
    return event_record(
        stream=period.activity.stream, kind=EventKind.ISSUANCE_DECLINED, actor=actor, activity=period.activity,
        comment=reason, payload=_request_payload(period, request, lines),
    )


def issuance_confirmed(*, period, actor, request, lines, comment=""):
    """The participants confirm the DOE's request as submitted (pacm issue 9): the election and each
    line, [account number, share], in the request's order (masked per viewer as an issuance's are)."""
    return event_record(
        stream=period.activity.stream, kind=EventKind.ISSUANCE_CONFIRMED, actor=actor, activity=period.activity,
        to_state=period.state, comment=comment, payload=_request_payload(period, request, lines),
    )
