"""Event kinds of a PoA's stream (its activity stream, `activity:<id>`): one small function each.

The PoA's and its CPs' transitions are written by the engine (`state_changed`) with the kinds
below; the PoA's own records (a host's approval with its maximum, the design's criteria, a CP
notified) have one function each.
"""
from pacm.events.services import event_record
from pacm.events.shapes import shape_register

POA_TRANSITIONED = "poa.transitioned"
CP_TRANSITIONED = "cp.transitioned"
POA_HOST_APPROVED = "poa.host_approved"
POA_DESIGN_EDITED = "poa.design_edited"
CP_NOTIFIED = "cp.notified"
CP_DOE_ENGAGED = "cp.doe_engaged"
LIABILITY_TRANSITIONED = "poa.liability_transitioned"

SHAPES = {
    POA_TRANSITIONED: ({"transition", "documents"}, {"fee_usd", "fee_status", "published_on"}),
    CP_TRANSITIONED: ({"transition", "documents", "component"},
                      {"fee_usd", "fee_status", "criteria", "crediting_start", "crediting_end", "host_total",
                       "host_cap", "doe_at_fault", "liability_units", "liability_due_on", "liability_doe"}),
    # PROC-AC-003 v03.0 para 139: the DOE's liability settled (the cancellation) or overdue.
    LIABILITY_TRANSITIONED: ({"transition", "documents", "component", "units", "due_on"},
                             {"account", "transaction"}),
    POA_HOST_APPROVED: ({"party", "max_annual", "version", "renewal_approved", "sop_exemption_opt_out"}, ()),
    POA_DESIGN_EDITED: ({"criteria", "typical_cps"}, ()),
    CP_NOTIFIED: ({"component", "title", "host", "estimated_annual", "start_date", "crediting_start", "crediting_end",
                   "doe"}, ()),
    # PROC-AC-003 v03.0 para 297: the DOE named for a CP that recorded none (renewal-20).
    CP_DOE_ENGAGED: ({"component", "doe", "doe_id"}, ()),
}

for _kind, (_required, _optional) in SHAPES.items():
    shape_register(_kind, _required, _optional)


def poa_host_approved(*, poa, host, approval, actor):
    return event_record(
        stream=poa.stream, kind=POA_HOST_APPROVED, actor=actor, activity=poa,
        payload={"party": host.party.name, "max_annual": host.max_annual, "version": approval.version,
                 "renewal_approved": approval.renewal_approved,
                 "sop_exemption_opt_out": approval.sop_exemption_opt_out},
    )


def poa_design_edited(*, poa, actor, criteria, typical_cps):
    return event_record(
        stream=poa.stream, kind=POA_DESIGN_EDITED, actor=actor, activity=poa,
        payload={"criteria": criteria, "typical_cps": typical_cps},
    )


def cp_notified(*, cp, actor):
    return event_record(
        stream=cp.poa.stream, kind=CP_NOTIFIED, actor=actor, activity=cp.poa, to_state=cp.state,
        payload={"component": cp.reference, "title": cp.title, "host": cp.host.party.name,
                 "estimated_annual": cp.estimated_annual, "start_date": str(cp.start_date),
                 "crediting_start": str(cp.crediting_start), "crediting_end": str(cp.crediting_end),
                 "doe": cp.doe.name if cp.doe_id else ""},
    )


def cp_doe_engaged(*, cp, actor, doe):
    return event_record(
        stream=cp.poa.stream, kind=CP_DOE_ENGAGED, actor=actor, activity=cp.poa, to_state=cp.state,
        payload={"component": cp.reference, "doe": doe.name, "doe_id": doe.pk},
    )
