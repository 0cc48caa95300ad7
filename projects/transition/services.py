"""The one write path of transition requests (A6.4-PROC-AC-001 v06.0; A6.4-STAN-AC-001 v05.0).

`transition_request_create` records a request (its eligibility and deadline checked first, so a
refused one writes nothing); every other write is a declared write of the `transition` machine
run through the engine's skeleton (`pacm.engine.run.write_run`): one service per write, bound
with `TRANSITION_MACHINE.serves`. On `transition_after_appeal` the request becomes a registered
A6.4 activity (`activity_from_transition`).
"""
import datetime
import re
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pacm.common import bounds
from pacm.common.errors import Refused, ServiceError
from pacm.engine.run import write_run
from pacm.parties.models import Organisation
from pacm.parties.roles import Actor, Role

from .. import events as activity_events
from ..cycle import ActivityState
from ..guards import TRANSITIONED_PREFIX
from ..models import Activity, HostApproval
from ..services.base import action_run
from . import events
from .cycle import TRANSITION_BY_NAME, TransitionState
from .deadlines import deadline_end, host_approval_deadline, request_deadline, rules, summary_note_due
from .machine import TRANSITION_MACHINE as M
from .models import ProvisionalIssuance, TransitionCPA, TransitionHost, TransitionRequest

R, S = TransitionRequest, TransitionState
OPEN = tuple(set(S.values) - {S.TRANSITIONED, S.REJECTED, S.EXPIRED, S.WITHDRAWN})
REQUIRED = ("cdm_reference", "title", "host_party", "methodology_version", "sectoral_scope", "location",
            "estimated_annual", "start_date", "crediting_type", "cdm_crediting_start", "cdm_crediting_end")
MEETING_NUMBER = re.compile(r"^(?:A6\.4-)?(SBM?\d{3})$")


def _error(message, field, code, params=None):
    return ServiceError(message % (params or {}), field=field, code=code, params=params or {})


def eligibility_check(*, data, rule_set, now):
    """STAN-AC-001 v05.0 para 11; PROC-AC-001 v06.0 paras 12-14, 49: the first problem, or None."""
    start, end = data["cdm_crediting_start"], data["cdm_crediting_end"]
    if end < start:
        return _error(_("The CDM crediting period ends before it starts."), "cdm_crediting_end", "crediting_end_before_start")
    if data["start_date"] > start:
        return _error(_("The crediting period cannot start before the activity starts."), "cdm_crediting_start",
                      "crediting_before_start")
    active_on = rule_set.transition_active_on
    if not start <= active_on <= end:
        params = {"day": active_on.isoformat()}
        return _error(_("Only a CDM activity whose crediting period would have been active on %(day)s may "
                        "transition (A6.4-STAN-AC-001 para 11)."), "cdm_crediting_start", "not_active_on_2021", params)
    deadline = request_deadline(rule_set, data.get("is_afforestation", False))
    if now >= deadline_end(deadline):
        params = {"deadline": deadline.isoformat()}
        return _error(_("Transition requests had to be submitted by %(deadline)s, 24:00 CET "
                        "(A6.4-PROC-AC-001 paras 12-13)."), "cdm_reference", "transition_request_late", params)
    if data["crediting_type"] not in R.CreditingType.values:
        return _error(_("Choose a renewable or a fixed crediting period."), "crediting_type", "crediting_type")
    earlier = TransitionRequest.objects.filter(cdm_reference=data["cdm_reference"])
    if earlier.filter(rejected_by_board=True).exists():
        params = {"cdm": data["cdm_reference"]}
        return _error(_("The SB rejected the transition of CDM %(cdm)s: it may not be requested again "
                        "(A6.4-PROC-AC-001 para 49)."), "cdm_reference", "transition_rejected_before", params)
    if earlier.filter(state__in=OPEN).exists():
        params = {"cdm": data["cdm_reference"]}
        return _error(_("A transition request for CDM %(cdm)s is already open."), "cdm_reference",
                      "transition_request_open", params)
    return None


def _cpas_check(kind, cpas):
    """Para 14: a PoA names the CPAs it brings, each with its host; a project brings none."""
    if kind == R.Kind.PROJECT and cpas:
        raise ServiceError(_("A CDM project activity brings no CPAs."), field="cpas", code="project_has_no_cpas")
    seen = set()
    for reference, _host, *_estimate in cpas:
        reference = (reference or "").strip()
        if not reference or len(reference) > 30 or reference in seen:
            raise ServiceError(_("Give each CPA's CDM reference once (at most 30 characters)."), field="cpas",
                               code="cpa_reference")
        seen.add(reference)


def transition_request_create(*, user, kind=R.Kind.PROJECT, cpas=(), renewals_remaining=0,
                              is_afforestation=False, **data):
    """The CDM scope-(c) focal point's organisation requests transition (PROC-AC-001 paras 12-14)."""
    organisation = Organisation.objects.filter(memberships__user=user, kind=Organisation.Kind.PARTICIPANT).order_by(
        "pk").first()
    if organisation is None:
        raise Refused(_("Only activity participants may request a transition."), code="not_a_participant")
    missing = [f for f in REQUIRED if data.get(f) in (None, "")]
    if missing:
        params = {"missing": ", ".join(missing)}
        raise ServiceError(_("Fill in: %(missing)s.") % params, field=missing[0], code="required", params=params)
    if kind not in R.Kind.values:
        raise ServiceError(_("Choose a CDM project activity or a PoA."), field="kind", code="transition_kind")
    bounds.whole_check(renewals_remaining, field="renewals_remaining", maximum=bounds.RENEWALS_MAX, minimum=0)
    bounds.whole_check(data["estimated_annual"], field="estimated_annual", maximum=bounds.ESTIMATE_MAX)
    _cpas_check(kind, cpas)
    now = timezone.now()
    rule_set = rules()
    data["is_afforestation"] = is_afforestation
    data["cdm_reference"] = str(data["cdm_reference"]).strip()
    error = eligibility_check(data=data, rule_set=rule_set, now=now)
    if error is not None:
        raise error
    actor = Actor(user=user, organisation=organisation, role=Role.PARTICIPANT)
    with transaction.atomic():
        request = TransitionRequest.objects.create(
            kind=kind, renewals_remaining=renewals_remaining, submitted_at=now, **{
                f: data[f] for f in (*REQUIRED, "is_afforestation")})
        request.participants.add(organisation)
        TransitionCPA.objects.bulk_create(
            TransitionCPA(request=request, cpa_reference=ref.strip(), host_party=host,
                          estimated_annual=int(rest[0]) if rest else 0) for ref, host, *rest in cpas)
        if kind == R.Kind.POA:
            # Paras 21, 24: each host Party of the PoA (the request's, then its CPAs') approves for itself.
            hosts = dict.fromkeys([data["host_party"], *(host for _ref, host, *_rest in cpas)])
            TransitionHost.objects.bulk_create(TransitionHost(request=request, party=p) for p in hosts)
        events.request_created(request=request, actor=actor,
                               deadline=request_deadline(rule_set, is_afforestation))
    return request


# --- the machine's transitions -------------------------------------------------------------------

def _fire(name, request, user, *, comment="", expected_state=None, prepare=None, after=None):
    return write_run(machine=M, pk=request.pk, name=name, user=user, comment=comment,
                     expected_state=expected_state, prepare=prepare, after=after)


# PROC-AC-001 v06.0 para 35: a withdrawn or rejected request's paid fee (projects/renewals/refunds.py).
_ENDS = {"withdraw": "withdrawn", "reject_unaccepted": "rejected"}


def _refund_hooks(name):
    if name not in _ENDS:
        return {}
    from ..renewals import refunds

    return dict(zip(("prepare", "after"), refunds.refund_hooks(outcome=_ENDS[name], record=refunds.transition_refund),
                    strict=True))


def _plain(name):
    """The service of a transition with no inputs beyond the reasons (actors as declared)."""
    def service(*, request, user=None, actor=None, comment="", expected_state=None):
        return _fire(name, request, actor or user, comment=comment, expected_state=expected_state,
                     **_refund_hooks(name))

    service.__name__ = f"transition_request_{name}"
    service.__doc__ = f"Fire '{name}' (projects/transition/cycle.py declares who and when)."
    return service


_PLAIN = ("return_for_correction", "correct", "reject_uncorrected", "expire_host_deadline",
          "start_completeness_check", "pass_completeness_check", "return_incomplete", "request_review",
          "approve_by_timer", "approve", "accept_modifications", "reject_unaccepted", "withdraw")
for _name in _PLAIN:
    globals()[f"transition_request_{_name}"] = M.serves(_name)(_plain(_name))


@M.serves("publish")
def transition_request_publish(*, request, user, expected_state=None):
    """PROC-AC-001 v06.0 para 15: published under a reference that tells it from new activities."""
    def after(obj, actor):
        obj.reference = f"{TRANSITIONED_PREFIX}{obj.pk:06d}"
        obj.published_at = timezone.now()
        obj.save(update_fields=["reference", "published_at"])
        return {"reference": obj.reference}

    return _fire("publish", request, user, expected_state=expected_state, after=after)


@M.serves("close_consultation")
def transition_request_close_consultation(*, request, actor, expected_state=None):
    """Para 17 ends; para 21: the host's approval is awaited until the dated deadline, 24:00 CET."""
    def after(obj, _actor):
        deadline = host_approval_deadline(rules())
        obj.due_at = deadline_end(deadline)
        obj.save(update_fields=["due_at"])
        return {"deadline": deadline}

    return _fire("close_consultation", request, actor, expected_state=expected_state, after=after)


def _poa_host_row(obj, actor):
    """The host row of the acting DNA's Party on a PoA's request, locked; refused if none or approved."""
    row = TransitionHost.objects.select_for_update().select_related("party").filter(
        request=obj, party_id=actor.organisation.party_id).first()
    if row is None:
        raise ServiceError(_("Your Party is not a host of this PoA."), field="host", code="not_a_host_of_the_poa")
    if row.approved:
        raise ServiceError(_("Your Party has already approved this transition."), field="host",
                           code="host_already_approved")
    return row


def _max_annual(max_annual):
    """A6.4-PROC-AC-003 v03.0 para 25(d) (reading transition-9): the host's maximum of all its CPs."""
    bounds.whole_check(max_annual, field="max_annual", maximum=bounds.UNITS_MAX, what=_("a maximum annual amount"))
    if max_annual < 1:
        raise ServiceError(_("The maximum annual amount is at least 1 t CO2e."), field="max_annual",
                           code="max_annual_invalid")
    return max_annual


def _host_row_approve(row, actor, *, sd_confirmation, ndc_relation, sop_exemption_opt_out, max_annual):
    row.approved_at, row.approved_by = timezone.now(), actor.organisation
    row.sd_confirmation, row.ndc_relation = sd_confirmation, ndc_relation
    row.sop_exemption_opt_out, row.max_annual = bool(sop_exemption_opt_out), max_annual
    row.save()
    return {"host": row.party.iso2, "max_annual": max_annual}


@M.serves("approve_transition")
def transition_request_approve_transition(*, request, user, sd_confirmation="", ndc_relation="",
                                          sop_exemption_opt_out=False, max_annual=None, expected_state=None):
    """Paras 21-23, 26 (Appendix 2): the host DNA approves; an LDC/SIDS host may opt out of the SOP
    exemption. On a PoA's request the first host to approve does so for its own CPAs (para 24), with
    its maximum annual amount (`max_annual`, reading transition-9); the proponent may then go on (para 25)."""
    poa = request.kind == R.Kind.POA
    if poa:
        max_annual = _max_annual(max_annual)
    rows = {}

    def prepare(obj, actor):
        obj.host_sd_confirmation = (sd_confirmation or "").strip()
        obj.host_ndc_relation = (ndc_relation or "").strip()
        obj.sop_exemption_opt_out = bool(sop_exemption_opt_out)
        if poa:
            rows["host"] = _poa_host_row(obj, actor)
            obj.approving_party = rows["host"].party  # the guards check this host (guards._approving)

    def after(obj, actor):
        obj.host_approved_at = timezone.now()
        obj.host_approved_by = actor.organisation
        obj.save(update_fields=["host_approved_at", "host_approved_by"])
        extra = {}
        if poa:
            extra = _host_row_approve(rows["host"], actor, sd_confirmation=obj.host_sd_confirmation,
                                      ndc_relation=obj.host_ndc_relation,
                                      sop_exemption_opt_out=obj.sop_exemption_opt_out, max_annual=max_annual)
        return {"sop_exemption_opt_out": obj.sop_exemption_opt_out, **extra}

    return _fire("approve_transition", request, user, expected_state=expected_state, prepare=prepare, after=after)


@M.serves("approve_poa_host")
def transition_request_approve_poa_host(*, request, user, sd_confirmation, ndc_relation, max_annual,
                                        sop_exemption_opt_out=False):
    """Paras 21, 24-25: another host of a multi-country PoA approves for its own CPAs, by the
    deadline, once the first host has (the request has gone on to its additional documentation)."""
    from . import guards

    max_annual = _max_annual(max_annual)
    message = _("Confirm how the activity fosters sustainable development and how it relates to the NDC.")
    sd_confirmation = bounds.text_required(sd_confirmation, field="sd_confirmation", message=message)
    ndc_relation = bounds.text_required(ndc_relation, field="ndc_relation", message=message)

    def apply(obj, actor, row):
        obj.approving_party, obj.sop_exemption_opt_out = row.party, bool(sop_exemption_opt_out)
        for check in (guards.host_participates, guards.sop_opt_out_allowed):
            blocked = check(obj)
            if blocked:
                raise ServiceError(blocked.message, code=blocked.code, params=blocked.params)
        obj.refresh_from_db(fields=["sop_exemption_opt_out"])
        _host_row_approve(row, actor, sd_confirmation=sd_confirmation, ndc_relation=ndc_relation,
                          sop_exemption_opt_out=sop_exemption_opt_out, max_annual=max_annual)
        return events.poa_host_approved(request=obj, host=row, actor=actor)

    def item(obj):
        row = TransitionHost.objects.select_for_update().select_related("party").filter(
            request=obj, approved_at__isnull=True, party__organisations__kind=Organisation.Kind.DNA,
            party__organisations__memberships__user=user).first()
        if row is None:
            raise ServiceError(_("Your Party is not a host of this PoA that has yet to approve."), field="host",
                               code="not_a_host_of_the_poa")
        return row

    return action_run(subject=request, name="approve_poa_host", user=user, apply=apply, item=item)


@M.serves("add_cpa")
def transition_request_add_cpa(*, request, user, cpa_reference, host_party, title="", estimated_annual=0):
    """Paras 19(a), 20: an eligible CPA added by a revised request (no new consultation); a new
    host Party becomes one of the request's hosts."""
    reference = bounds.text_required(cpa_reference, field="cpa_reference", message=_("Give the CPA's CDM reference."))
    if len(reference) > 30:
        raise ServiceError(_("At most 30 characters."), field="cpa_reference", code="too_long")
    estimate = bounds.whole_check(estimated_annual or 0, field="estimated_annual", maximum=bounds.ESTIMATE_MAX,
                                  minimum=0)

    def apply(obj, actor):
        if obj.cpas.filter(cpa_reference=reference).exists():
            raise ServiceError(_("This CPA is already in the request."), field="cpa_reference", code="cpa_reference")
        cpa = TransitionCPA.objects.create(request=obj, cpa_reference=reference, title=(title or "").strip(),
                                           host_party=host_party, estimated_annual=estimate, added_at=timezone.now())
        TransitionHost.objects.get_or_create(request=obj, party=host_party)
        return events.cpas_revised(request=obj, actor=actor, added=[cpa], removed=[])

    return action_run(subject=request, name="add_cpa", user=user, apply=apply)


@M.serves("remove_cpa")
def transition_request_remove_cpa(*, request, user, cpa):
    """Para 19(b): a CPA removed from the request by a revised request (kept, marked removed)."""
    def apply(obj, actor, row):
        row.removed_at = timezone.now()
        row.save(update_fields=["removed_at"])
        return events.cpas_revised(request=obj, actor=actor, added=[], removed=[row])

    def item(obj):
        row = TransitionCPA.objects.select_for_update().filter(request=obj, pk=getattr(cpa, "pk", cpa)).first()
        if row is None:
            raise ServiceError(_("No such CPA on this request."), field="cpa", code="not_found")
        return row

    return action_run(subject=request, name="remove_cpa", user=user, apply=apply, item=item)


def _factor(value, field):
    """An fNRB or leakage discount factor: a fraction above 0 and at most 1, or nothing."""
    if value in (None, ""):
        return None
    try:
        value = Decimal(str(value))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or not Decimal("0") < value <= Decimal("1") or value != round(value, 4):
        raise ServiceError(_("Give a fraction above 0 and at most 1, with at most 4 decimals."), field=field,
                           code="factor_out_of_range")
    return value


def _documentation(name, request, user, *, documentation, summary, fnrb, leakage_factor, validation_doe,
                   expected_state):
    fnrb, leakage_factor = _factor(fnrb, "fnrb"), _factor(leakage_factor, "leakage_factor")
    if validation_doe is not None and validation_doe.kind != Organisation.Kind.DOE:
        raise ServiceError(_("Name a DOE."), field="validation_doe", code="validation_doe_kind")
    late_fixes = {}

    def prepare(obj, _actor):
        # Para 37: documents fixed after the days given restart the process with a new fee.
        late_fixes["late"] = obj.state == S.INCOMPLETE and obj.due_at is not None and obj.due_at <= timezone.now()
        obj.documentation = documentation or ""
        obj.documentation_summary = (summary or "").strip()
        obj.fnrb, obj.leakage_factor = fnrb, leakage_factor
        obj.validation_doe = validation_doe if documentation == R.Documentation.REVISED_PDD else None

    def after(obj, _actor):
        obj.documentation_at = timezone.now()
        fields = ["documentation", "documentation_summary", "fnrb", "leakage_factor", "validation_doe",
                  "documentation_at"]
        if name == "submit_documentation" or late_fixes["late"]:
            _fee_assess(obj)
            fields += ["fee_usd", "fee_status", "fee_rule_set", "fee_reference"]
        obj.save(update_fields=fields)
        return {"documentation": obj.documentation, "fnrb": obj.fnrb, "leakage_factor": obj.leakage_factor,
                "validation_doe": obj.validation_doe.name if obj.validation_doe else "",
                "fee_usd": obj.fee_usd, "fee_status": obj.fee_status, "rule_set": obj.fee_rule_set.version}

    return _fire(name, request, user, expected_state=expected_state, prepare=prepare, after=after)


def transitioning_cpas(request):
    """Para 24: the CPAs (not removed) of the hosts that approved by the deadline."""
    return request.cpas.filter(removed_at__isnull=True, host_party__transition_hosts__request=request,
                               host_party__transition_hosts__approved_at__isnull=False).select_related("host_party")


def _fee_assess(obj):
    """Para 33(a): the registration fee of a project; of a PoA, the PoA registration fee and the
    inclusion fee of each CPA that transitions (A6.4-PROC-AC-003 v03.0 App.1 para 6(a)-(b);
    reading transition-10); (b): waived for LDC and SIDS hosts (for a PoA, any approving host's:
    App.1 para 4, reading poa-3)."""
    rule_set = rules()
    obj.fee_rule_set = rule_set
    obj.fee_reference = ""
    today = timezone.localdate()
    if obj.kind == R.Kind.POA:
        hosts = [h.party for h in obj.hosts.filter(approved_at__isnull=False).select_related("party")]
        waived = any(p.is_ldc_or_sids(today) for p in hosts)
        amount = rule_set.poa_registration_fee_usd + rule_set.cp_inclusion_fee_usd * transitioning_cpas(obj).count()
    else:
        waived, amount = obj.host_party.is_ldc_or_sids(today), rule_set.registration_fee(obj.estimated_annual)
    if rule_set.fees_waived_ldc_sids and waived:
        obj.fee_usd, obj.fee_status = Decimal("0"), R.FeeStatus.WAIVED
    else:
        obj.fee_usd, obj.fee_status = amount, R.FeeStatus.DUE


@M.serves("submit_documentation")
def transition_request_submit_documentation(*, request, user, documentation, summary, fnrb=None,
                                            leakage_factor=None, validation_doe=None, expected_state=None):
    """Paras 30-33: an addendum (CDM methodology kept, re-evaluated fNRB and leakage) by its date,
    or a revised PDD with its validation within its days; the fee statement follows."""
    return _documentation("submit_documentation", request, user, documentation=documentation, summary=summary,
                          fnrb=fnrb, leakage_factor=leakage_factor, validation_doe=validation_doe,
                          expected_state=expected_state)


@M.serves("resubmit_documentation")
def transition_request_resubmit_documentation(*, request, user, documentation, summary, fnrb=None,
                                              leakage_factor=None, validation_doe=None, expected_state=None):
    """Paras 37-38: the fixed documents; after the days given, a new fee is due."""
    return _documentation("resubmit_documentation", request, user, documentation=documentation, summary=summary,
                          fnrb=fnrb, leakage_factor=leakage_factor, validation_doe=validation_doe,
                          expected_state=expected_state)


@M.serves("pass_substantive_check")
def transition_request_pass_substantive_check(*, request, user, expected_state=None):
    """Para 38: the documentation is published; the review window opens (para 40)."""
    def after(obj, _actor):
        obj.published_at = timezone.now()
        obj.save(update_fields=["published_at"])

    return _fire("pass_substantive_check", request, user, expected_state=expected_state, after=after)


@M.serves("reject")
def transition_request_reject(*, request, user=None, actor=None, comment="", expected_state=None):
    """Para 49: rejected by the SB, the CDM activity may not request transition again; para 35: the
    paid fee's refund (none, as a rejected registration's)."""
    from ..renewals import refunds

    prepare, refund = refunds.refund_hooks(outcome="rejected", record=refunds.transition_refund)

    def after(obj, _actor):
        obj.rejected_by_board = True
        obj.save(update_fields=["rejected_by_board"])
        refund(obj, _actor)

    return _fire("reject", request, actor or user, comment=comment, expected_state=expected_state, prepare=prepare,
                 after=after)


@M.serves("approve_with_modifications")
def transition_request_approve_with_modifications(*, request, user=None, actor=None, comment="",
                                                  expected_state=None):
    """Para 46(b): approved provided the participants accept the SB's modifications (para 47)."""
    def after(obj, _actor):
        obj.modifications = comment.strip()
        obj.save(update_fields=["modifications"])
        return {"modifications": obj.modifications}

    return _fire("approve_with_modifications", request, actor or user, comment=comment,
                 expected_state=expected_state, after=after)


@M.serves("transition_after_appeal")
def transition_request_transition_after_appeal(*, request, actor, expected_state=None):
    """Paras 45, 50-52: no appeal; registered under A6.4, effective on its CDM deregistration."""
    def after(obj, actor):
        if obj.kind == R.Kind.POA:
            programme_from_transition(request=obj, actor=actor)
        else:
            activity_from_transition(request=obj, actor=actor)
        return {"activity": obj.activity.reference}

    return _fire("transition_after_appeal", request, actor, expected_state=expected_state, after=after)


def transitioned_crediting_period(request, rule_set):
    """PROC-AC-001 v06.0 para 52: from 1 Jan 2021 (RMP 31(f), the rule set's earliest start);
    STAN-AC-001 v05.0 para 13(a): a renewable one ends at the earlier of its CDM end and the rule
    set's date (31 Dec 2025); para 14: a fixed one keeps its CDM end."""
    start = max(request.cdm_crediting_start, rule_set.crediting_earliest_start)
    end = request.cdm_crediting_end
    if request.crediting_type == R.CreditingType.RENEWABLE:
        end = min(end, rule_set.transition_renewable_end)
    return start, end


def activity_from_transition(*, request, actor):
    """The registered A6.4 activity a transitioned project becomes (para 50), with the host's
    approval on file (para 21) and its remaining renewals carried over on the request (STAN-AC-001
    para 13(b)). Called only inside the `transition_after_appeal` write."""
    if request.state != S.TRANSITIONED or request.activity_id is not None:
        raise ServiceError(_("Only a transitioned request becomes an activity, once."), code="not_transitioned")
    start, end = transitioned_crediting_period(request, rules())
    activity = Activity(
        reference=request.reference, title=request.title, host_party=request.host_party,
        methodology_version=request.methodology_version, sectoral_scope=request.sectoral_scope,
        location=request.location, start_date=request.start_date, crediting_type=request.crediting_type,
        crediting_start=start, crediting_end=end, estimated_annual=request.estimated_annual,
        description=request.documentation_summary, state=ActivityState.REGISTERED, state_entered_at=timezone.now(),
    )
    activity.save()
    activity.participants.set(request.participants.all())
    activity_events.activity_created(activity=activity, actor=actor)
    approval = HostApproval.objects.create(
        activity=activity, version=1, dna=request.host_approved_by, sd_confirmation=request.host_sd_confirmation,
        ndc_relation=request.host_ndc_relation, sop_exemption_opt_out=request.sop_exemption_opt_out,
        renewal_approved=request.crediting_type == R.CreditingType.RENEWABLE and request.renewals_remaining > 0,
        issued_at=request.host_approved_at,
    )
    approval.authorized_participants.set(request.participants.all())
    activity_events.host_approval_issued(approval=approval, actor=actor)
    request.activity = activity
    request.save(update_fields=["activity"])
    events.activity_registered(request=request, actor=actor)
    return activity


def programme_from_transition(*, request, actor):
    """The registered PoA a transitioned CDM PoA becomes (para 50): a host row and a host approval
    per approving host (paras 21, 24) and, as included component projects, the CPAs of those hosts
    only (para 24), each with its host; the PoA period and the CPs' crediting periods from 1 Jan
    2021 at the earliest (para 52; STAN-AC-001 v05.0 para 13: "the same rules apply to PoA periods
    and CPAs"); the remaining renewals stay on the request (para 13(b)), read by the renewal
    workflow (projects.renewals.periods). Called only inside the `transition_after_appeal` write."""
    from ..poa.cycle import CPState
    from ..poa.models import ComponentProject, PoAHost, Programme, ProgrammeDesign

    if request.state != S.TRANSITIONED or request.activity_id is not None:
        raise ServiceError(_("Only a transitioned request becomes a PoA, once."), code="not_transitioned")
    start, end = transitioned_crediting_period(request, rules())
    now = timezone.now()
    approved = list(request.hosts.filter(approved_at__isnull=False).select_related("party", "approved_by"))
    poa = Programme(
        reference=request.reference, title=request.title, host_party=approved[0].party,
        methodology_version=request.methodology_version, sectoral_scope=request.sectoral_scope,
        location=request.location, start_date=request.start_date, crediting_type=request.crediting_type,
        crediting_start=start, crediting_end=end, estimated_annual=request.estimated_annual,
        description=request.documentation_summary, state=ActivityState.REGISTERED, state_entered_at=now,
    )
    poa.save()
    participants = list(request.participants.all())
    poa.participants.set(participants)
    ProgrammeDesign.objects.create(poa=poa, published_on=timezone.localdate(request.published_at or now))
    activity_events.activity_created(activity=poa, actor=actor)
    renewable = request.crediting_type == R.CreditingType.RENEWABLE and request.renewals_remaining > 0
    rows = {}
    for position, host in enumerate(approved, 1):
        approval = HostApproval.objects.create(
            activity=poa, version=position, dna=host.approved_by, sd_confirmation=host.sd_confirmation,
            ndc_relation=host.ndc_relation, sop_exemption_opt_out=host.sop_exemption_opt_out,
            renewal_approved=renewable, issued_at=host.approved_at,
        )
        approval.authorized_participants.set(participants)
        activity_events.host_approval_issued(approval=approval, actor=actor)
        rows[host.party_id] = PoAHost.objects.create(poa=poa, party=host.party, position=position,
                                                     max_annual=host.max_annual, approval=approval,
                                                     approved_at=host.approved_at)
    for number, cpa in enumerate(transitioning_cpas(request).order_by("cpa_reference"), 1):
        cp = ComponentProject.objects.create(
            poa=poa, number=number, reference=f"{poa.reference}-CP{number:04d}",
            title=cpa.title or f"CDM CPA {cpa.cpa_reference}", host=rows[cpa.host_party_id], location=request.location,
            technologies=request.documentation_summary or request.title, start_date=request.start_date,
            crediting_type=request.crediting_type, crediting_start=start, crediting_end=end,
            estimated_annual=cpa.estimated_annual, notified_at=request.submitted_at, included_at=now,
            state=CPState.INCLUDED, state_entered_at=now,
        )
        cp.participants.set(participants)
        cpa.component = cp
        cpa.save(update_fields=["component"])
    request.activity = poa
    request.save(update_fields=["activity"])
    events.activity_registered(request=request, actor=actor)
    return poa


# --- the machine's actions -----------------------------------------------------------------------

def _act(name, request, user, apply, expected_state=None):
    return write_run(machine=M, pk=request.pk, name=name, user=user, apply=apply, expected_state=expected_state)


@M.serves("record_fee_payment")
def transition_request_record_fee_payment(*, request, user, reference):
    """Paras 33-34: the proof of payment, quoting the request's reference."""
    reference = bounds.text_required(reference, field="reference", message=_("Give the payment reference."))
    if len(reference) > 80:
        raise ServiceError(_("At most 80 characters."), field="reference", code="too_long")

    def apply(obj, actor):
        obj.fee_status, obj.fee_reference = R.FeeStatus.PAID, reference
        obj.save(update_fields=["fee_status", "fee_reference"])
        return events.fee_paid(request=obj, actor=actor)

    return _act("record_fee_payment", request, user, apply)


@M.serves("record_summary_note")
def transition_request_record_summary_note(*, request, user, note):
    """Para 39: the summary note with the secretariat's recommendation."""
    note = bounds.text_required(note, field="note", message=_("Write the summary note."))

    def apply(obj, actor):
        obj.summary_note = note
        obj.save(update_fields=["summary_note"])
        return events.summary_note_recorded(request=obj, actor=actor,
                                            due=summary_note_due(rules(), obj.published_at))

    return _act("record_summary_note", request, user, apply)


@M.serves("record_cdm_deregistration")
def transition_request_record_cdm_deregistration(*, request, user, date):
    """Para 50: the day the CDM deregistered the activity: the A6.4 registration's effective date."""
    bounds.date_check(date, field="date")
    if not isinstance(date, datetime.date) or date > timezone.localdate():
        raise ServiceError(_("Give the day the CDM deregistered the activity, not a future one."), field="date",
                           code="deregistration_in_future")

    def apply(obj, actor):
        obj.cdm_deregistration_date = date
        obj.save(update_fields=["cdm_deregistration_date"])
        return events.deregistration_recorded(request=obj, actor=actor)

    return _act("record_cdm_deregistration", request, user, apply)


def board_proposals(request):
    """The SB's decisions possible now (paras 46-49): the Board transitions from the state."""
    return [t for t in TRANSITION_BY_NAME.values() if Role.BOARD in t.actors and request.state in t.source]


@M.serves("decide_as_board")
def transition_request_board_decision_record(*, request, user, transition, meeting, agenda_item, comment):
    """Paras 46-49 (RMP 22): the secretariat records the SB's decision taken at a meeting (its
    number and agenda item): the Board panel's meeting path (projects.board), which records the
    decision (board.decided) and fires it as the Board. The panel also opens electronic decisions
    (A6.4-SBM017 v01.0 para 36; docs/rules-coverage.md transition-4)."""
    from ..board.services import board_decision_record_meeting

    return board_decision_record_meeting(subject=request, transition=transition, user=user, meeting=meeting,
                                         agenda_item=agenda_item, outcome="adopted", comment=comment,
                                         by="consensus")


# --- provisional issuance requests made under the CDM (para 55) --------------------------------

@M.serves("record_provisional_issuance")
def transition_request_record_provisional(*, request, user, cdm_request_reference, period_start, period_end,
                                          quantity):
    """Para 55: a provisional request for issuance made under the CDM for 2021 onwards."""
    reference = bounds.text_required(cdm_request_reference, field="cdm_request_reference",
                                     message=_("Give the CDM reference of the provisional request."))
    if len(reference) > 40:
        raise ServiceError(_("At most 40 characters."), field="cdm_request_reference", code="too_long")
    bounds.date_check(period_start, field="period_start")
    bounds.date_check(period_end, field="period_end")
    quantity = bounds.whole_check(quantity, field="quantity", maximum=bounds.UNITS_MAX)
    earliest = rules().transition_active_on
    if period_start < earliest:
        raise _error(_("Only provisional requests for %(day)s onwards are finalised under the mechanism."),
                     "period_start", "provisional_before_2021", {"day": earliest.isoformat()})
    if period_end < period_start:
        raise ServiceError(_("The monitoring period ends before it starts."), field="period_end", code="period_order")

    def apply(obj, actor):
        if obj.provisional_issuances.filter(cdm_request_reference=reference).exists():
            raise ServiceError(_("This provisional request is already recorded."), field="cdm_request_reference",
                               code="provisional_recorded")
        row = ProvisionalIssuance.objects.create(
            request=obj, cdm_request_reference=reference, period_start=period_start, period_end=period_end,
            quantity=quantity, recorded_at=timezone.now())
        events.provisional_recorded(provisional=row, actor=actor)
        return row

    return _act("record_provisional_issuance", request, user, apply)


@M.serves("request_provisional_finalisation")
def transition_request_provisional_finalisation(*, request, user, provisional, double_issuance_declared,
                                                revised_monitoring_report, other_scheme_confirmation=""):
    """Para 55(a): only after the transition, with the revised monitoring report (GWPs from 2021,
    updated fNRB and leakage) and the declaration on avoidance of double issuance (55(a)(ii))."""
    if double_issuance_declared is not True:
        raise ServiceError(_("Make the declaration on avoidance of double issuance (para 55(a)(ii))."),
                           field="double_issuance_declared", code="double_issuance_declaration")
    report = bounds.text_required(revised_monitoring_report, field="revised_monitoring_report",
                                  message=_("Describe the revised monitoring report (para 55(a)(i))."))
    other = (other_scheme_confirmation or "").strip()

    def apply(obj, actor, row):
        row.status = ProvisionalIssuance.Status.FINALISATION_REQUESTED
        row.double_issuance_declared, row.revised_monitoring_report = True, report
        row.other_scheme_confirmation, row.finalisation_requested_at = other, timezone.now()
        row.save()
        events.provisional_finalisation_requested(provisional=row, actor=actor)
        return row

    def item(obj):
        row = ProvisionalIssuance.objects.select_for_update().filter(pk=getattr(provisional, "pk", provisional),
                                                                     request=obj).first()
        if row is None:
            raise ServiceError(_("No such provisional request on this transition request."), code="not_found")
        return row

    return action_run(subject=request, name="request_provisional_finalisation", user=user, apply=apply, item=item)

from . import finalisation  # noqa: E402,F401  (para 55: the finalisation request's actions)
