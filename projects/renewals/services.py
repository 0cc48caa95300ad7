"""The one write path of renewals (A6.4-PROC-AC-002 v03.0 §10; A6.4-PROC-AC-003 v03.0 §10).

Opening a renewal is a declared action of its subject's machine (`request_renewal` of the activity
and the PoA, by their participants; `notify_renewal` of a component project, by its DOE): it
stores the new version of the design document, creates the renewal row and records
`renewal.requested`. Every later write is a declared write of the renewal's own machine, run
through the engine's skeleton; `renew_after_appeal` (a project or a PoA) and `renew_cp` (a CP)
record the new period on the subject.
"""
from django.utils import timezone
from django.utils.translation import gettext as _

from pacm.common import bounds
from pacm.common.errors import ServiceError
from pacm.engine.run import write_run
from pacm.parties.models import DOEAccreditation, Organisation
from pacm.parties.roles import Role

from ..models import Document, Fee
from ..services.base import action_run
from ..services.design import document_store, upload_check
from ..services.fees import fee_assess
from . import events, periods
from .cycle import CPRenewalState, RenewalState
from .machine import CP_RENEWAL_MACHINE, POA_RENEWAL_MACHINE, RENEWAL_MACHINE
from .models import CPRenewal, Kind, PoARenewal, RenewalRequest


def _doe_check(doe, scope):
    """PROC-AC-002 para 238 (PROC-AC-003 paras 282, 297): a DOE accredited in the scope today."""
    if not isinstance(doe, Organisation) or doe.kind != Organisation.Kind.DOE:
        raise ServiceError(_("Choose the DOE contracted for the renewal's validation."), field="validation_doe",
                           code="renewal_doe_required")
    today = timezone.localdate()
    accredited = DOEAccreditation.objects.filter(organisation=doe, sectoral_scope=scope, valid_from__lte=today).exclude(
        valid_to__lt=today)
    if not accredited.exists():
        params = {"doe": doe.name, "scope": scope.number}
        raise ServiceError(_("%(doe)s is not accredited for sectoral scope %(scope)s today (A6.4-PROC-AC-002 para "
                             "238).") % params, field="validation_doe", code="renewal_doe_not_accredited",
                           params=params)


def _texts(baseline_update, additionality_update, estimated_annual):
    baseline = bounds.text_required(baseline_update, field="baseline_update", message=_(
        "Say how the baseline is updated, with its downward adjustment (A6.4-STAN-AC-002 para 162(a))."))
    if additionality_update and bounds.has_control(additionality_update):
        raise ServiceError(_(bounds.CONTROL_MESSAGE), field="additionality_update", code="invalid")
    if len(baseline) > 10_000 or len(additionality_update or "") > 10_000:
        raise ServiceError(_("At most 10,000 characters."), field="baseline_update", code="too_long")
    estimate = bounds.whole_check(estimated_annual, field="estimated_annual", maximum=bounds.ESTIMATE_MAX)
    return baseline, bounds.text_clean(additionality_update or ""), estimate


def _row(model, subject, *, rule_set, **fields):
    kind = model.objects.kind
    number = periods.renewals_of(subject).count() + 1
    opens, closes, transitioned = periods.window(subject, rule_set)
    start, end = periods.new_period(subject, rule_set)
    owner = {"activity": subject} if kind == Kind.PROJECT else {"poa": subject.poa if kind == Kind.CP else subject}
    if kind == Kind.CP:
        owner["component"] = subject
    return model.objects.create(
        **owner, number=number, previous_start=periods.crediting_periods(subject)[-1][1],
        previous_end=subject.crediting_end, new_start=start, new_end=end, window_opens=opens, window_closes=closes,
        transitioned=transitioned, state_entered_at=timezone.now(), **fields,
    )


def _methodology(subject, version, change_reason):
    """STAN-AC-002 para 163 (STAN-METH-002 para 35): the version named, or by default the latest in force
    of the registered methodology; checked on today's date (and again at the DOE's submission)."""
    from methodologies.models import MethodologyVersion

    from . import methodology

    change_reason = bounds.text_clean(change_reason or "")
    if len(change_reason) > 5_000:
        raise ServiceError(_("At most 5,000 characters."), field="methodology_change", code="too_long")
    if version is None:
        version = methodology.default_version(subject)
    elif not isinstance(version, MethodologyVersion):
        raise ServiceError(_("Choose the methodology version the updated design document applies."),
                           field="methodology_version", code="renewal_methodology_required")
    problem = version if not isinstance(version, MethodologyVersion) else methodology.version_problem(
        subject, version, timezone.localdate(), change_reason=change_reason)
    if problem is not None:
        field = "methodology_change" if problem.code == "renewal_methodology_change_reason" else "methodology_version"
        raise ServiceError(problem.message, field=field, code=problem.code, params=problem.params)
    return version, change_reason


def renewal_request(*, subject, user, validation_doe, baseline_update, estimated_annual, design,
                    additionality_update="", methodology_version=None, methodology_change=""):
    """PROC-AC-002 paras 235, 238 (PROC-AC-003 paras 280, 282): the participants update the design
    document (STAN-AC-002 para 162: baseline with its downward adjustment, additionality, the
    estimate; para 163: the valid methodology version) and submit it to the DOE they contracted.
    `subject`: an activity or a PoA."""
    baseline, additionality, estimate = _texts(baseline_update, additionality_update, estimated_annual)
    upload_check(design)
    _doe_check(validation_doe, subject.sectoral_scope)
    version, change = _methodology(subject, methodology_version, methodology_change)
    model = PoARenewal if subject.kind == "poa" else RenewalRequest

    def apply(obj, actor):
        rule_set = periods.rules()
        design_version = document_store(activity=obj, actor=actor, kind=Document.Kind.PDD, uploaded=design)
        renewal = _row(model, obj, rule_set=rule_set, validation_doe=validation_doe,
                       baseline_update=baseline, additionality_update=additionality, estimated_annual=estimate,
                       design_version=design_version, methodology_version=version, methodology_change=change,
                       state=RenewalState.UNDER_VALIDATION)
        events.renewal_requested(renewal=renewal, actor=actor, renewals_left=periods.renewals_left(obj, rule_set),
                                 extra={"methodology_version": str(version)})
        return renewal

    return action_run(subject=subject, name="request_renewal", user=user, apply=apply)


def cp_renewal_notify(*, cp, user, baseline_update, estimated_annual, design, report):
    """PROC-AC-003 paras 294, 297-300: the DOE notifies the renewal with the updated CP-DD and its
    validation report; the fee statement (the inclusion fee, App.1 para 18) follows at once."""
    baseline, _a, estimate = _texts(baseline_update, "", estimated_annual)
    upload_check(design)
    upload_check(report)
    # STAN-AC-004 (as STAN-AC-002 para 163(a)): the notification is the submission: the PoA's
    # methodology in its latest version in force today.
    version, _change = _methodology(cp, None, "")

    def apply(obj, actor):
        rule_set = periods.rules()
        poa = obj.poa
        title = f"{obj.reference} renewal {periods.renewals_of(obj).count() + 1}"
        design_version = document_store(activity=poa, actor=actor, kind=Document.Kind.CP_DD, uploaded=design,
                                        title=obj.reference, by_title=True)
        report_version = document_store(activity=poa, actor=actor, kind=Document.Kind.CP_VALIDATION_REPORT,
                                        uploaded=report, title=title, by_title=True)
        fee = fee_assess(activity=poa, kind=Fee.Kind.RENEWAL, amount=lambda rs: rs.cp_renewal_fee(),
                         basis=lambda rs: f"CP renewal fee for {obj.reference} under rule set {rs.version}",
                         actor=actor, hosts=[obj.host.party])
        renewal = _row(CPRenewal, obj, rule_set=rule_set, validation_doe=actor.organisation,
                       baseline_update=baseline, estimated_annual=estimate, design_version=design_version,
                       report_version=report_version, fee=fee, submitted_at=timezone.now(),
                       methodology_version=version, state=CPRenewalState.NOTIFIED)
        events.renewal_requested(renewal=renewal, actor=actor, renewals_left=periods.renewals_left(obj, rule_set),
                                 extra={"report": events._version(report_version), "fee_usd": str(fee.amount_usd),
                                        "fee_status": fee.status, "methodology_version": str(version)})
        return renewal

    return action_run(subject=cp, name="notify_renewal", user=user, apply=apply)


# --- the renewal machines' writes ----------------------------------------------------------------

def _machine(renewal):
    return {Kind.PROJECT: RENEWAL_MACHINE, Kind.POA: POA_RENEWAL_MACHINE, Kind.CP: CP_RENEWAL_MACHINE}[renewal.kind]


def _fire(name, renewal, user, *, comment="", expected_state=None, prepare=None, after=None):
    return write_run(machine=_machine(renewal), pk=renewal.pk, name=name, user=user, comment=comment,
                     expected_state=expected_state, prepare=prepare, after=after)


# App.1 para 17 (PROC-AC-002), paras 19-20 (PROC-AC-003): a withdrawn or rejected renewal's paid fee.
_ENDS = {"withdraw": "withdrawn", "withdraw_cp_renewal": "withdrawn", "reject": "rejected"}


# PROC-AC-002 para 234: approved after the period expired: the participants may need a temporary
# deviation from the monitoring plan (a post-registration change); the event says so (renewal-16).
_APPROVALS = {"approve", "approve_by_timer"}


def _approval_after(obj, _actor):
    if timezone.localdate() > obj.previous_end:
        return {"approved_after_expiry": True}
    return None


def _plain(name, machines=(RENEWAL_MACHINE, POA_RENEWAL_MACHINE)):
    def service(*, renewal, user=None, actor=None, comment="", expected_state=None):
        hooks = {}
        if name in _APPROVALS:
            hooks = {"after": _approval_after}
        if name in _ENDS:
            from . import refunds

            hooks = dict(zip(("prepare", "after"), refunds.refund_hooks(outcome=_ENDS[name],
                                                                         record=refunds.renewal_refund), strict=True))
        return _fire(name, renewal, actor or user, comment=comment, expected_state=expected_state, **hooks)

    service.__name__ = f"renewal_{name}"
    service.__doc__ = f"Fire '{name}' (projects/renewals/cycle.py declares who and when)."
    for machine in machines:
        machine.serves(name)(service)
    return service


renewal_decline = _plain("decline_renewal")
renewal_resubmit = _plain("resubmit_renewal")
renewal_start_completeness_check = _plain("start_completeness_check")
renewal_pass_completeness_check = _plain("pass_completeness_check")
renewal_pass_substantive_check = _plain("pass_substantive_check")
renewal_return_incomplete = _plain("return_incomplete")
renewal_request_review = _plain("request_review")
renewal_approve_by_timer = _plain("approve_by_timer")
renewal_approve = _plain("approve")
renewal_reject = _plain("reject")
renewal_withdraw = _plain("withdraw")
cp_renewal_withdraw = _plain("withdraw_cp_renewal", machines=(CP_RENEWAL_MACHINE,))


@RENEWAL_MACHINE.serves("validate_renewal")
@POA_RENEWAL_MACHINE.serves("validate_renewal")
def renewal_validate(*, renewal, user, report, comment="", expected_state=None):
    """PROC-AC-002 para 239 (PROC-AC-003 para 283): the DOE validates, with its validation report."""
    if report is not None:
        upload_check(report)

    def prepare(obj, actor):
        if report is None:
            return
        version = document_store(activity=obj.owner_row, actor=actor, kind=Document.Kind.VALIDATION_REPORT,
                                 uploaded=report, title=f"Validation report for renewal {obj.number}", by_title=True)
        obj.report_version = version
        obj.save(update_fields=["report_version"])

    def after(obj, actor):
        return {"report": events._version(obj.report_version)}

    return _fire("validate_renewal", renewal, user, comment=comment, expected_state=expected_state, prepare=prepare,
                 after=after)


def _fee(renewal, actor):
    """PROC-AC-002 para 244, App.1 para 16: the registration tier on the updated estimate; PROC-AC-003
    para 288, App.1 para 17: the PoA registration fee; waived for an LDC/SIDS host (App.1 para 4)."""
    owner = renewal.owner_row
    if renewal.kind == Kind.POA:
        hosts = [h.party for h in owner.poa_hosts.select_related("party")]
        return fee_assess(activity=owner, kind=Fee.Kind.RENEWAL, amount=lambda rs: rs.poa_renewal_fee(),
                          basis=lambda rs: f"PoA renewal fee under rule set {rs.version}", actor=actor, hosts=hosts)
    tonnes = renewal.estimated_annual
    return fee_assess(activity=owner, kind=Fee.Kind.RENEWAL, amount=lambda rs: rs.renewal_fee(tonnes),
                      basis=lambda rs: f"renewal: registration tier for {tonnes:,} t/yr under rule set {rs.version}",
                      actor=actor)


@RENEWAL_MACHINE.serves("submit_renewal")
@POA_RENEWAL_MACHINE.serves("submit_renewal")
def renewal_submit(*, renewal, user, comment="", expected_state=None):
    """PROC-AC-002 paras 241-244 (PROC-AC-003 paras 285-288): the DOE's request, within its window;
    the fee statement follows."""
    def after(obj, actor):
        obj.submitted_at = timezone.now()
        if obj.fee_id is None:
            obj.fee = _fee(obj, actor)
        obj.save(update_fields=["submitted_at", "fee"])
        return {"fee_usd": str(obj.fee.amount_usd), "fee_status": obj.fee.status}

    return _fire("submit_renewal", renewal, user, comment=comment, expected_state=expected_state, after=after)


def _period_recorded(obj, subject, start, end):
    obj.new_start, obj.new_end, obj.renewed_at = start, end, timezone.now()
    obj.save(update_fields=["new_start", "new_end", "renewed_at"])
    subject.crediting_end = end
    subject.save(update_fields=["crediting_end"])
    rule_set = periods.rules()
    return {"crediting_start": start.isoformat(), "crediting_end": end.isoformat(),
            "renewals_left": periods.renewals_left(subject, rule_set), "rule_set": rule_set.version}


@RENEWAL_MACHINE.serves("renew_after_appeal")
@POA_RENEWAL_MACHINE.serves("renew_after_appeal")
def renewal_renew_after_appeal(*, renewal, actor=None, user=None, expected_state=None):
    """PROC-AC-002 paras 233, 248 (PROC-AC-003 paras 277, 291): renewed; the new period starts the day
    after the previous one ended, however late the approval; its length from the rule set in force."""
    def after(obj, actor):
        subject = obj.owner_row  # locked first, as the machine's owner
        start, end = periods.new_period(subject, periods.rules())
        return _period_recorded(obj, subject, start, end)

    return _fire("renew_after_appeal", renewal, actor or user, expected_state=expected_state, after=after)


@CP_RENEWAL_MACHINE.serves("renew_cp")
def cp_renewal_renew(*, renewal, user, comment="", expected_state=None):
    """PROC-AC-003 para 302: the fee processed, the CP's crediting period is renewed (never past the
    PoA's end, STAN-AC-004 para 130)."""
    from ..poa.models import ComponentProject

    def after(obj, actor):
        cp = ComponentProject.objects.select_for_update().get(pk=obj.component_id)  # after its PoA, the owner
        cp.poa = obj.poa
        start, end = periods.new_period(cp, periods.rules())
        return _period_recorded(obj, cp, start, end)

    return _fire("renew_cp", renewal, user, comment=comment, expected_state=expected_state, after=after)


def board_proposals(renewal):
    machine = _machine(renewal)
    return [t for t in machine.transitions if Role.BOARD in t.actors and renewal.state in t.source]


@RENEWAL_MACHINE.serves("decide_as_board")
@POA_RENEWAL_MACHINE.serves("decide_as_board")
@CP_RENEWAL_MACHINE.serves("decide_as_board")
def renewal_board_decision_record(*, renewal, user, transition, meeting, agenda_item, comment):
    """PROC-AC-002 para 249 (section 5.2; RMP 22), PROC-AC-003 paras 292, 302 and 305 (a CP renewal's
    review, section 6.2.5 mutatis mutandis: para 132): the secretariat records the SB's decision taken
    at a meeting: the Board panel's meeting path for every renewal (projects.board kinds `renewal`,
    `poa_renewal`, `cp_renewal`: board.decided, then the transition fired as the Board); the panel also
    opens electronic decisions (docs/rules-coverage.md renewal-9, renewal-17)."""
    from ..board.services import board_decision_record_meeting

    return board_decision_record_meeting(subject=renewal, transition=transition, user=user, meeting=meeting,
                                         agenda_item=agenda_item, outcome="adopted", comment=comment,
                                         by="consensus")


from . import review  # noqa: E402,F401  (PROC-AC-003 paras 302, 305: the CP renewal's review)
