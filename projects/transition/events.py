"""One small function per event type of a transition request's stream (`transition:<id>`).

Each kind's payload shape is declared here beside the function that writes it; the machine's
transition events (`transition.transitioned`, written by the engine) carry what the services add.
"""
from pacm.events.services import event_record
from pacm.events.shapes import shape_register

CREATED = "transition.created"
TRANSITIONED = "transition.transitioned"
FEE_PAID = "transition.fee_paid"
SUMMARY_NOTE = "transition.summary_note"
BOARD_DECIDED = "transition.board_decided"
DEREGISTRATION = "transition.cdm_deregistration"
ACTIVITY_REGISTERED = "transition.activity_registered"
PROVISIONAL_RECORDED = "transition.provisional_recorded"
PROVISIONAL_FINALISATION = "transition.finalisation_requested"  # Event.kind holds 40
POA_HOST_APPROVED = "transition.poa_host_approved"
CPAS_REVISED = "transition.cpas_revised"

shape_register(CREATED, {"cdm_reference", "kind", "title", "host", "cpas", "deadline"})
shape_register(TRANSITIONED, {"transition"}, {
    "reference", "deadline", "sop_exemption_opt_out", "documentation", "fnrb", "leakage_factor",
    "validation_doe", "fee_usd", "fee_status", "rule_set", "activity", "modifications", "host", "max_annual",
})
shape_register(POA_HOST_APPROVED, {"host", "max_annual", "sop_exemption_opt_out"})
shape_register(CPAS_REVISED, {"added", "removed", "cpas"})
shape_register(FEE_PAID, {"fee_usd", "reference"})
shape_register(SUMMARY_NOTE, {"due"})
shape_register(BOARD_DECIDED, {"proposed", "meeting", "agenda_item"})
shape_register(DEREGISTRATION, {"date"})
_PROVISIONAL = {"provisional", "cdm_request_reference", "period_start", "period_end", "quantity", "status"}
shape_register(PROVISIONAL_RECORDED, _PROVISIONAL)
shape_register(PROVISIONAL_FINALISATION, _PROVISIONAL | {"double_issuance_declared", "other_scheme"})
shape_register(ACTIVITY_REGISTERED, {
    "activity", "effective_from", "crediting_start", "crediting_end", "crediting_type", "renewals_remaining",
}, {"components"})


def poa_host_approved(*, request, host, actor):
    """PROC-AC-001 v06.0 paras 21, 24: a further host of a multi-country PoA approves for its CPAs."""
    return event_record(stream=request.stream, kind=POA_HOST_APPROVED, actor=actor,
                        payload={"host": host.party.iso2, "max_annual": host.max_annual,
                                 "sop_exemption_opt_out": host.sop_exemption_opt_out})


def cpas_revised(*, request, actor, added, removed):
    """Paras 19-20: the revised request, with the CPAs it adds and removes and those it now brings."""
    current = request.cpas.filter(removed_at__isnull=True).values_list("cpa_reference", flat=True)
    return event_record(stream=request.stream, kind=CPAS_REVISED, actor=actor,
                        payload={"added": [c.cpa_reference for c in added], "removed": [c.cpa_reference for c in removed],
                                 "cpas": sorted(current)})


def request_created(*, request, actor, deadline):
    return event_record(
        stream=request.stream, kind=CREATED, actor=actor, to_state=request.state,
        payload={"cdm_reference": request.cdm_reference, "kind": request.kind, "title": request.title,
                 "host": request.host_party.iso2, "cpas": [[c.cpa_reference, c.host_party.iso2] for c in request.cpas.all()],
                 "deadline": deadline},
    )


def fee_paid(*, request, actor):
    return event_record(stream=request.stream, kind=FEE_PAID, actor=actor,
                        payload={"fee_usd": request.fee_usd, "reference": request.fee_reference})


def summary_note_recorded(*, request, actor, due):
    return event_record(stream=request.stream, kind=SUMMARY_NOTE, actor=actor, comment=request.summary_note,
                        payload={"due": due})


def board_decided(*, request, actor, proposed, meeting, agenda_item, comment):
    return event_record(stream=request.stream, kind=BOARD_DECIDED, actor=actor, comment=comment,
                        payload={"proposed": proposed, "meeting": meeting, "agenda_item": agenda_item})


def deregistration_recorded(*, request, actor):
    return event_record(stream=request.stream, kind=DEREGISTRATION, actor=actor,
                        payload={"date": request.cdm_deregistration_date})


def activity_registered(*, request, actor):
    activity = request.activity
    return event_record(
        stream=request.stream, kind=ACTIVITY_REGISTERED, actor=actor, activity=activity,
        payload={"activity": activity.reference, "effective_from": request.cdm_deregistration_date,
                 "crediting_start": activity.crediting_start, "crediting_end": activity.crediting_end,
                 "crediting_type": activity.crediting_type, "renewals_remaining": request.renewals_remaining,
                 **({"components": [[cpa.cpa_reference, cpa.component.reference, cpa.host_party.iso2]
                                    for cpa in request.cpas.filter(component__isnull=False).select_related(
                                        "component", "host_party")]} if request.kind == "poa" else {})},
    )


def _provisional(row):
    return {"provisional": row.pk, "cdm_request_reference": row.cdm_request_reference,
            "period_start": row.period_start, "period_end": row.period_end, "quantity": row.quantity,
            "status": row.status}


def provisional_recorded(*, provisional, actor):
    return event_record(stream=provisional.request.stream, kind=PROVISIONAL_RECORDED, actor=actor,
                        payload=_provisional(provisional))


def provisional_finalisation_requested(*, provisional, actor):
    return event_record(
        stream=provisional.request.stream, kind=PROVISIONAL_FINALISATION, actor=actor,
        activity=provisional.request.activity, comment=provisional.revised_monitoring_report,
        payload={**_provisional(provisional), "double_issuance_declared": provisional.double_issuance_declared,
                 "other_scheme": bool(provisional.other_scheme_confirmation)},
    )
