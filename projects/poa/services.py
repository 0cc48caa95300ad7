"""One function per write of a PoA or a component project, each through the engine's skeleton.

The PoA's transitions run `write_run` on the PoA machine; records the activity already has a
service for (documents, findings, the authorization statement, fee payments) use those services,
which find the PoA's machine through `machine_for`. A CP's writes lock its PoA first (the
machine's owner), and the inclusion upload then locks the host's row, so uploads in one host
are counted one after the other (PROC-AC-003 v03.0 para 124).
"""
import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from methodologies.models import RuleSet
from pacm.common import bounds
from pacm.common.errors import Refused, ServiceError
from pacm.engine.run import write_run
from pacm.parties.models import Organisation

from .. import events as activity_events
from ..models import Document, Fee, HostApproval
from ..services.base import action_run
from ..services.design import document_store, upload_check
from ..services.fees import fee_assess
from . import events
from .guards import cp_crediting_problem, poa_period_problem
from .machines import COMPONENT, POA
from .models import ComponentProject, EligibilityCriterion, PoAHost, Programme, ProgrammeDesign


def _raise_first(errors):
    if errors:
        field, message = next(iter(errors.items()))
        raise ServiceError(message, field=field, code=f"{field}_invalid")


def _hosts_of(poa):
    return [h.party for h in poa.poa_hosts.select_related("party")]


# --- the PoA: creation and design ------------------------------------------------------------

def poa_create(*, user, organisation, title, hosts, methodology_version, sectoral_scope, location, period_start,
               period_end, estimated_annual, description, typical_cps="", criteria=()):
    """PROC-AC-003 v03.0 para 16: the PoA's summary; its coordinating/managing entity is `organisation`."""
    from pacm.parties.roles import Actor

    if organisation is None or organisation.kind != Organisation.Kind.PARTICIPANT or not organisation.memberships.filter(
            user=user).exists():
        raise Refused(_("Only a participant organisation you belong to may coordinate a PoA."), code="not_permitted")
    hosts = list(dict.fromkeys(hosts))
    if not hosts:
        raise ServiceError(_("Name at least one host Party (PROC-AC-003 v03.0 para 16(c))."), field="hosts",
                           code="hosts_required")
    bounds.whole_check(estimated_annual, field="estimated_annual", maximum=bounds.ESTIMATE_MAX,
                       what=_("the indicative maximum annual amount"))
    removals = methodology_version.methodology.kind == "removals"
    _raise_first(poa_period_problem(start=period_start, end=period_end, removals=removals,
                                    rule_set=RuleSet.objects.in_force(timezone.localdate())))
    actor = Actor(user=user, organisation=organisation, role="participant")
    with transaction.atomic():
        poa = Programme(
            title=title, host_party=hosts[0], methodology_version=methodology_version, sectoral_scope=sectoral_scope,
            location=location, start_date=period_start, crediting_type="renewable", crediting_start=period_start,
            crediting_end=period_end, estimated_annual=estimated_annual, description=description, reference="pending",
        )
        poa.save()
        poa.reference = f"A64-P{poa.pk:06d}"
        poa.save(update_fields=["reference"])
        poa.participants.add(organisation)
        PoAHost.objects.bulk_create([PoAHost(poa=poa, party=p, position=i) for i, p in enumerate(hosts, 1)])
        ProgrammeDesign.objects.create(poa=poa, typical_cps=typical_cps)
        EligibilityCriterion.objects.bulk_create(
            [EligibilityCriterion(poa=poa, number=i, text=t) for i, t in enumerate(criteria, 1)])
        activity_events.activity_created(activity=poa, actor=actor)
    return poa


def poa_edit_design(*, poa, user, criteria, typical_cps, expected_state=None):
    """Paras 16(d), 20, 95: the typical CPs and the eligibility criteria, until the PoA-DD is published."""
    criteria = [c.strip() for c in criteria if c and c.strip()]
    if not criteria:
        raise ServiceError(_("State at least one eligibility criterion."), field="criteria", code="criteria_required")

    def apply(obj, actor):
        EligibilityCriterion.objects.filter(poa=obj).delete()
        EligibilityCriterion.objects.bulk_create(
            [EligibilityCriterion(poa=obj, number=i, text=t) for i, t in enumerate(criteria, 1)])
        ProgrammeDesign.objects.update_or_create(poa=obj, defaults={"typical_cps": typical_cps})
        events.poa_design_edited(poa=obj, actor=actor, criteria=criteria, typical_cps=typical_cps)
        return obj

    return action_run(subject=poa, name="edit_design", user=user, apply=apply, expected_state=expected_state)


def poa_host_approve(*, poa, user, host, max_annual, sd_confirmation, ndc_relation, renewal_approved=False,
                     sop_exemption_opt_out=False):
    """Paras 23-27: one host Party's approval, with the maximum annual reductions or removals of
    all its CPs over the PoA's lifetime (para 25(d)); each host of a multi-country PoA (para 26)."""
    bounds.whole_check(max_annual, field="max_annual", maximum=bounds.UNITS_MAX, what=_("a maximum annual amount"))
    if max_annual < 1:
        raise ServiceError(_("The maximum annual amount is at least 1 t CO2e."), field="max_annual",
                           code="max_annual_invalid")
    sd_confirmation = bounds.text_required(sd_confirmation, field="sd_confirmation",
                                           message=_("Confirm how the PoA fosters sustainable development (para 25(a))."))
    ndc_relation = bounds.text_required(ndc_relation, field="ndc_relation",
                                        message=_("Say how the PoA relates to the NDC (para 25(c))."))
    host_id = host.pk if isinstance(host, PoAHost) else host

    def locked(obj):
        row = PoAHost.objects.select_for_update().select_related("party").filter(poa=obj, pk=host_id).first()
        if row is None:
            raise ServiceError(_("That Party is not a host of this PoA."), field="host", code="host_of_other_poa")
        return row

    def apply(obj, actor, row):
        version = (obj.host_approvals.order_by("-version").values_list("version", flat=True).first() or 0) + 1
        approval = HostApproval.objects.create(
            activity=obj, version=version, dna=actor.organisation, sd_confirmation=sd_confirmation,
            ndc_relation=ndc_relation, renewal_approved=renewal_approved, sop_exemption_opt_out=sop_exemption_opt_out,
            issued_at=timezone.now(),
        )
        approval.authorized_participants.set(obj.participants.all())
        row.max_annual, row.approval, row.approved_at = max_annual, approval, approval.issued_at
        row.save(update_fields=["max_annual", "approval", "approved_at"])
        events.poa_host_approved(poa=obj, host=row, approval=approval, actor=actor)
        return row

    return action_run(subject=poa, name="issue_host_approval", user=user, apply=apply, item=locked)


# --- the PoA's transitions -------------------------------------------------------------------

def _poa_fire(name, poa, user, comment="", expected_state=None, after=None):
    return write_run(machine=POA, pk=poa.pk, name=name, user=user, comment=comment, expected_state=expected_state,
                     after=after)


def _poa_transition(name, *, after=None, doc=""):
    """The service of the PoA's transition `name` (one per write; the timer and the Board call it
    with `actor`, people with `user`)."""
    def service(*, poa, user=None, actor=None, comment="", expected_state=None):
        return _poa_fire(name, poa, user or actor, comment, expected_state, after)

    service.__name__ = service.__qualname__ = f"poa_{name}"
    service.__doc__ = doc
    return POA.serves(name)(service)


def _published(obj, actor):
    """Para 91: the CP notification window counts from the PoA-DD's publication."""
    today = timezone.localdate()
    ProgrammeDesign.objects.update_or_create(poa=obj, defaults={"published_on": today})
    return {"published_on": str(today)}


def _poa_fee(obj, actor):
    """PROC-AC-003 v03.0 App.1 para 6(a): the PoA registration fee; waived where any host is an
    LDC or SIDS (para 4). A resubmission does not charge again."""
    if obj.fees.filter(kind=Fee.Kind.REGISTRATION).exists():
        return None
    fee = fee_assess(activity=obj, kind=Fee.Kind.REGISTRATION, amount=lambda rs: rs.poa_registration_fee_usd,
                     basis=lambda rs: f"PoA registration fee under rule set {rs.version}", actor=actor,
                     hosts=_hosts_of(obj))
    return {"fee_usd": str(fee.amount_usd), "fee_status": fee.status}


poa_notify_prior_consideration = _poa_transition("notify_prior_consideration", doc="Paras 16-19.")
poa_accept_engagement = _poa_transition("accept_engagement")
poa_publish_for_consultation = _poa_transition("publish_for_consultation", after=_published, doc="Paras 20-22.")
poa_close_consultation = _poa_transition("close_consultation")
poa_validate = _poa_transition("validate")
poa_request_registration = _poa_transition("request_registration", after=_poa_fee, doc="Paras 44-45.")
poa_resubmit_registration = _poa_transition("resubmit_registration")
poa_start_completeness_check = _poa_transition("start_completeness_check")
poa_pass_completeness_check = _poa_transition("pass_completeness_check")
poa_return_incomplete = _poa_transition("return_incomplete")
poa_pass_information_check = _poa_transition("pass_information_check")
poa_request_review = _poa_transition("request_review")
poa_register_by_timer = _poa_transition("register_by_timer")
poa_register_after_appeal = _poa_transition("register_after_appeal")
poa_register = _poa_transition("register")
poa_reject = _poa_transition("reject")
poa_withdraw = _poa_transition("withdraw")
poa_deregister = _poa_transition("deregister")


def _doe_engage(*, poa, user, doe, stage, name, expected_state):
    """The coordinating/managing entity engages the DOE of a stage: `validation_doe` or `verification_doe`."""
    from ..services.design import _renewal_validator_check, doe_accreditation_check

    if doe is None or doe.kind != Organisation.Kind.DOE:
        raise ServiceError(_("Choose a DOE."), field="doe", code="doe_required")

    def apply(obj, actor):
        doe_accreditation_check(activity=obj, doe=doe)
        if stage == "verification":
            _renewal_validator_check(obj, doe)  # PROC-AC-002 v03.0 para 160, as for a project
        setattr(obj, f"{stage}_doe", doe)
        obj.save(update_fields=[f"{stage}_doe", "updated_at"])
        activity_events.doe_engaged(activity=obj, actor=actor, doe=doe, stage=stage)
        return obj

    return action_run(subject=poa, name=name, user=user, apply=apply, expected_state=expected_state)


def poa_engage_doe(*, poa, user, doe, expected_state=None):
    """The coordinating/managing entity engages the DOE that validates the PoA."""
    return _doe_engage(poa=poa, user=user, doe=doe, stage="validation", name="engage_doe",
                       expected_state=expected_state)


def poa_engage_verification_doe(*, poa, user, doe, expected_state=None):
    """PROC-AC-003 v03.0 para 203: the DOE that verifies the PoA's monitoring reports (accredited in its
    scope); never replaced while one of its batches is under verification."""
    return _doe_engage(poa=poa, user=user, doe=doe, stage="verification", name="engage_verification_doe",
                       expected_state=expected_state)


# --- component projects ----------------------------------------------------------------------

def poa_notify_inclusion(*, poa, user, title, host, participants, doe, location, technologies, start_date,
                         crediting_type, crediting_start, crediting_end, estimated_annual):
    """PROC-AC-003 v03.0 paras 91-94: a CP's inclusion notification, once the PoA-DD is published;
    a CP that has already started notifies within 180 days of that publication (rule set)."""
    bounds.whole_check(estimated_annual, field="estimated_annual", maximum=bounds.ESTIMATE_MAX,
                       what=_("the estimated annual amount"))
    if crediting_type not in ("renewable", "fixed"):
        raise ServiceError(_("Choose a renewable or a fixed crediting period."), field="crediting_type",
                           code="crediting_type_required")
    implementers = list(participants or [])
    if not implementers or any(p.kind != Organisation.Kind.PARTICIPANT for p in implementers):
        raise ServiceError(_("Name the CP's implementers (participant organisations)."), field="participants",
                           code="participants_required")
    if doe is not None and doe.kind != Organisation.Kind.DOE:
        raise ServiceError(_("Choose a DOE."), field="doe", code="doe_required")
    host_id = host.pk if isinstance(host, PoAHost) else host

    def apply(obj, actor):
        row = PoAHost.objects.select_related("party").filter(poa=obj, pk=host_id).first()
        if row is None:
            raise ServiceError(_("That Party is not a host of this PoA."), field="host", code="host_of_other_poa")
        rule_set = RuleSet.objects.in_force(timezone.localdate())
        today = timezone.localdate()
        published = getattr(ProgrammeDesign.objects.filter(poa=obj).first(), "published_on", None)
        if start_date <= today and published is not None:
            last = published + datetime.timedelta(days=rule_set.cp_notification_days)
            if today > last:
                raise ServiceError(
                    _("A CP that has already started had to be notified within %(days)s days of the PoA-DD's "
                      "publication, by %(last)s (PROC-AC-003 v03.0 para 91).") % {"days": rule_set.cp_notification_days,
                                                                                  "last": last},
                    field="start_date", code="cp_notification_late", params={"last": str(last)},
                )
        _raise_first(cp_crediting_problem(
            poa=obj, start_date=start_date, crediting_type=crediting_type, crediting_start=crediting_start,
            crediting_end=crediting_end, notified_on=today, rule_set=rule_set))
        number = (obj.components.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        cp = ComponentProject.objects.create(
            poa=obj, number=number, reference=f"{obj.reference}-CP{number:04d}", title=title, host=row, doe=doe,
            location=location, technologies=technologies, start_date=start_date, crediting_type=crediting_type,
            crediting_start=crediting_start, crediting_end=crediting_end, estimated_annual=estimated_annual,
            notified_at=timezone.now(), state_entered_at=timezone.now(),
        )
        cp.participants.set(implementers)
        events.cp_notified(cp=cp, actor=actor)
        return cp

    return action_run(subject=poa, name="notify_inclusion", user=user, apply=apply)


def cp_engage_doe(*, cp, user, doe, expected_state=None):
    """PROC-AC-003 v03.0 paras 297, 304 (renewal-20): the participants name the DOE, accredited in the
    PoA's sectoral scope today, that validates and notifies the renewal of a CP that records none (a
    CP transitioned from the CDM); the guard `cp_no_doe_recorded` refuses a second one."""
    from ..services.design import doe_accreditation_check

    if not isinstance(doe, Organisation) or doe.kind != Organisation.Kind.DOE:
        raise ServiceError(_("Choose a DOE."), field="doe", code="doe_required")

    def apply(obj, actor):
        doe_accreditation_check(activity=obj.poa, doe=doe)
        obj.doe = doe
        obj.save(update_fields=["doe"])
        events.cp_doe_engaged(cp=obj, actor=actor, doe=doe)
        return obj

    return action_run(subject=cp, name="engage_doe", user=user, apply=apply, expected_state=expected_state)


# Who uploads which CP document (paras 95, 97, 123).
CP_UPLOADERS = {
    Document.Kind.CP_DD: {"participant"},
    Document.Kind.CP_VALIDATION_REPORT: {"doe"},
    Document.Kind.CP_INCLUSION_FORM: {"doe"},
}


def cp_document_upload(*, cp, user, kind, uploaded, expected_state=None):
    """A new version of one of the CP's documents, kept on the PoA under the CP's reference."""
    if kind not in CP_UPLOADERS:
        raise ServiceError(_("Choose the kind of document."), field="kind", code="document_kind_required")
    content_type = upload_check(uploaded)

    def apply(obj, actor):
        if actor.role not in CP_UPLOADERS[kind]:
            params = {"kind": kind}
            raise Refused(_("You may not upload this kind of document."), code="not_permitted", params=params)
        return document_store(activity=obj.poa, actor=actor, kind=kind, uploaded=uploaded, title=obj.reference,
                              content_type=content_type, by_title=True)

    return action_run(subject=cp, name="upload_document", user=user, apply=apply, expected_state=expected_state)


def _cp_fire(name, cp, user, comment="", expected_state=None, prepare=None, after=None, payload=None):
    return write_run(machine=COMPONENT, pk=cp.pk, name=name, user=user, comment=comment,
                     expected_state=expected_state, prepare=prepare, after=after, payload=payload)


@COMPONENT.serves("start_validation")
def cp_start_validation(*, cp, user, comment="", expected_state=None):
    return _cp_fire("start_validation", cp, user, comment, expected_state)


@COMPONENT.serves("validate")
def cp_validate(*, cp, user, criteria, comment="", expected_state=None):
    """Para 95: the DOE confirms, one by one, that the CP meets the PoA's eligibility criteria."""
    chosen = {int(c.pk if hasattr(c, "pk") else c) for c in criteria or ()}

    def prepare(obj, actor):
        confirmed = list(obj.poa.eligibility_criteria.filter(pk__in=chosen))
        obj.criteria_confirmed.set(confirmed)

    def after(obj, actor):
        return {"criteria": sorted(obj.criteria_confirmed.values_list("number", flat=True))}

    return _cp_fire("validate", cp, user, comment, expected_state, prepare=prepare, after=after)


@COMPONENT.serves("upload_inclusion")
def cp_upload_inclusion(*, cp, user, crediting_start, crediting_end, comment="", expected_state=None):
    """Paras 123-124 (STAN-AC-004 v03.0 paras 127-131): the DOE includes the CP by uploading it, with
    the crediting period of the validated CP-DD; the host's row is locked and the upload blocked if
    the host's annual total would exceed its maximum; the inclusion fee follows (App.1 para 6(b))."""
    from .guards import host_total

    def prepare(obj, actor):
        obj.host = PoAHost.objects.select_for_update().select_related("party").get(pk=obj.host_id)
        obj.crediting_start, obj.crediting_end = crediting_start, crediting_end
        obj.save(update_fields=["crediting_start", "crediting_end"])

    def after(obj, actor):
        fee = fee_assess(activity=obj.poa, kind=Fee.Kind.INCLUSION, amount=lambda rs: rs.cp_inclusion_fee_usd,
                         basis=lambda rs: f"CP inclusion fee for {obj.reference} under rule set {rs.version}",
                         actor=actor, hosts=_hosts_of(obj.poa))
        obj.inclusion_fee = fee
        obj.save(update_fields=["inclusion_fee"])
        return {"fee_usd": str(fee.amount_usd), "fee_status": fee.status, "crediting_start": str(crediting_start),
                "crediting_end": str(crediting_end), "host_total": host_total(obj.host),
                "host_cap": obj.host.max_annual}

    return _cp_fire("upload_inclusion", cp, user, comment, expected_state, prepare=prepare, after=after)


@COMPONENT.serves("include")
def cp_include(*, cp, user, reference="", comment="", expected_state=None):
    """Paras 124-126: the secretariat records the inclusion fee (unless waived) and the CP is included."""
    def prepare(obj, actor):
        fee = obj.inclusion_fee
        if fee is not None and fee.status == Fee.Status.DUE:
            ref = bounds.text_required(reference, field="reference", message=_("Give the payment reference."))
            fee = Fee.objects.select_for_update().get(pk=fee.pk)
            fee.status, fee.paid_at, fee.payment_reference = Fee.Status.PAID, timezone.now(), ref[:100]
            fee.save()
            obj.inclusion_fee = fee
            activity_events.fee_paid(fee=fee, actor=actor)

    def after(obj, actor):
        obj.included_at = timezone.now()
        obj.save(update_fields=["included_at"])

    return _cp_fire("include", cp, user, comment, expected_state, prepare=prepare, after=after)


@COMPONENT.serves("withdraw")
def cp_withdraw(*, cp, user, comment, expected_state=None):
    return _cp_fire("withdraw", cp, user, comment, expected_state)


def _excluded(obj, actor):
    obj.excluded_at = timezone.now()
    obj.save(update_fields=["excluded_at"])


@COMPONENT.serves("exclude_voluntarily")
def cp_exclude_voluntarily(*, cp, user, comment, expected_state=None):
    """Paras 306-316: effective on the date of the submission."""
    return _cp_fire("exclude_voluntarily", cp, user, comment, expected_state, after=_excluded)


@COMPONENT.serves("request_inclusion_review")
def cp_request_inclusion_review(*, cp, user, comment, expected_state=None):
    return _cp_fire("request_inclusion_review", cp, user, comment, expected_state)


@COMPONENT.serves("refer_sample_issue")
def cp_refer_sample_issue(*, cp, user, comment, expected_state=None):
    """PROC-AC-003 v03.0 paras 126, 133: the secretariat's sample assessment of an included CP raised an
    issue; the CP goes under the SB's inclusion review as on a request (para 128's window; poa-11)."""
    return _cp_fire("refer_sample_issue", cp, user, comment, expected_state)


@COMPONENT.serves("confirm_inclusion")
def cp_confirm_inclusion(*, cp, user=None, actor=None, comment="", expected_state=None):
    return _cp_fire("confirm_inclusion", cp, user or actor, comment, expected_state)


@COMPONENT.serves("exclude_erroneous")
def cp_exclude_erroneous(*, cp, user=None, actor=None, comment="", expected_state=None, doe_at_fault=False):
    """Paras 132(b), 137: the SB excludes the CP with immediate effect; para 139: where it determines
    the validating DOE at fault, the DOE owes the units issued for the CP (projects.poa.liability)."""
    from .liability import liability_open

    def after(obj, actor):
        _excluded(obj, actor)
        return liability_open(cp=obj, actor=actor) if doe_at_fault else {"doe_at_fault": False}

    return _cp_fire("exclude_erroneous", cp, user or actor, comment, expected_state, after=after)
