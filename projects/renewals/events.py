"""Event kinds of renewals, on the owner's stream (the activity's or the PoA's): one function each.

The machines' transition events (`renewal.transitioned`, written by the engine) carry the renewal's
number and kind (`event_context`) and what the services add (the fee, the new period).
"""
from pacm.events.services import event_record
from pacm.events.shapes import shape_register

TRANSITIONED = "renewal.transitioned"
REQUESTED = "renewal.requested"

_CONTEXT = {"transition", "renewal", "renewal_kind", "subject"}
shape_register(TRANSITIONED, _CONTEXT, {
    "fee_usd", "fee_status", "report", "crediting_start", "crediting_end", "renewals_left", "rule_set",
    "approved_after_expiry",
})
shape_register(REQUESTED, {
    "renewal", "renewal_kind", "subject", "previous_start", "previous_end", "new_start", "new_end", "validation_doe",
    "estimated_annual", "design", "window_opens", "window_closes", "transitioned", "renewals_left",
}, {"report", "fee_usd", "fee_status", "methodology_version"})


def _version(version):
    return {"id": version.pk, "version": version.number, "sha256": version.sha256} if version else None


def renewal_requested(*, renewal, actor, renewals_left, extra=None):
    owner = renewal.owner_row
    return event_record(
        stream=owner.stream, kind=REQUESTED, actor=actor, activity=owner, to_state=renewal.state,
        payload={
            "renewal": renewal.number, "renewal_kind": renewal.kind, "subject": renewal.subject_reference,
            "previous_start": renewal.previous_start, "previous_end": renewal.previous_end,
            "new_start": renewal.new_start, "new_end": renewal.new_end,
            "validation_doe": renewal.validation_doe.name, "estimated_annual": renewal.estimated_annual,
            "design": _version(renewal.design_version), "window_opens": renewal.window_opens,
            "window_closes": renewal.window_closes, "transitioned": renewal.transitioned,
            "renewals_left": renewals_left, **(extra or {}),
        },
    )
