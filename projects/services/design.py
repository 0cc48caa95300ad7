"""Design stage: the participants draft the activity, upload documents, notify, engage a DOE."""
import datetime
import os

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from methodologies.models import RuleSet
from pacm.common import bounds, uploads
from pacm.common.errors import Refused, ServiceError
from pacm.parties.models import Organisation
from pacm.parties.roles import Actor, Role, actor_for

from .. import events
from ..cycle import ActivityState
from ..machines import ACTIVITY
from ..models import Activity, Document, DocumentVersion
from .base import action_run, actor_require, transition_fire

PDD_FIELDS = (
    "title", "host_party", "methodology_version", "sectoral_scope", "location", "start_date",
    "crediting_type", "crediting_start", "crediting_end", "estimated_annual", "description",
)


# A6.4-STAN-METH-002 paras 38-40: the risk rating is part of the design document (optional fields:
# only removals and reversal-risk methodologies carry one).
RISK_FIELDS = ("risk_rating_percent", "risk_negligible")


def risk_fields_check(*, data, today=None):
    """{field: message} for the risk rating the participants enter (paras 38-40, 39(b), 42)."""
    from decimal import Decimal, InvalidOperation

    percent, negligible = data.get("risk_rating_percent"), bool(data.get("risk_negligible"))
    version = data.get("methodology_version")
    if percent in (None, ""):
        return {"risk_negligible": _("A negligible risk of reversal is a rating of 0 %: give the rating.")} if negligible else {}
    if version is not None and not version.methodology.needs_buffer:
        return {"risk_rating_percent": _("This methodology carries no reversal risk: leave the rating empty.")}
    try:
        percent = Decimal(str(percent))
    except InvalidOperation:
        return {"risk_rating_percent": _("Give the rating as a percentage from 0 to 100.")}
    if not percent.is_finite() or not 0 <= percent <= 100 or percent != percent.quantize(Decimal("0.01")):
        return {"risk_rating_percent": _("Give the rating as a percentage from 0 to 100, with at most two decimals.")}
    if negligible and percent != 0:
        return {"risk_negligible": _("A negligible risk of reversal is a rating of 0 % (A6.4-STAN-METH-002 para 39(b)).")}
    problem = RuleSet.objects.in_force(today or timezone.localdate()).risk_rating_problem(percent)
    return {"risk_rating_percent": problem[1]} if problem else {}


def crediting_period_check(*, data, rule_set):
    """rules.md §7.1 (RMP 31(f)): start on or after 2021-01-01, the lengths, the host's cap.

    Date arithmetic: a period of L years ends at the latest on start + L years - 1 day (the CDM
    convention, rules.md §7.1 [UNCONFIRMED]).
    """
    start, end = data["crediting_start"], data["crediting_end"]
    version = data["methodology_version"]
    kind = data["crediting_type"]
    errors = {}
    if kind not in Activity.CreditingType.values:
        return {"crediting_type": "Choose a renewable or a fixed crediting period."}
    if start < rule_set.crediting_earliest_start:
        errors["crediting_start"] = f"A crediting period may not start before {rule_set.crediting_earliest_start} (RMP 31(f))."
    if end < start:
        errors["crediting_end"] = "The crediting period ends before it starts."
    removals = version.methodology.kind == "removals"
    if removals:
        if kind != Activity.CreditingType.RENEWABLE:
            errors["crediting_type"] = "Removal activities have renewable crediting periods (RMP 31(f))."
        years = rule_set.removals_renewable_years
    else:
        years = (
            rule_set.reductions_renewable_years
            if kind == Activity.CreditingType.RENEWABLE
            else rule_set.reductions_fixed_years
        )
    party = data["host_party"]
    if party.crediting_period_max_years and party.crediting_period_max_years < years:
        years = party.crediting_period_max_years  # RMP 27(b): the host may impose a shorter period
    # RMP 27(b): a host that allows no renewal rules out renewable reductions periods (choose the
    # fixed one); a removals period, renewable by nature (RMP 31(f)), then simply is not renewed.
    if kind == Activity.CreditingType.RENEWABLE and not party.allows_renewal and not removals:
        errors["crediting_type"] = f"{party.name} does not allow renewable crediting periods."
    latest_end = start + relativedelta(years=years) - datetime.timedelta(days=1)
    if end > latest_end and "crediting_end" not in errors:
        errors["crediting_end"] = f"A {kind} crediting period of this activity may last at most {years} years (ends by {latest_end})."
    if data["start_date"] > start:
        errors["crediting_start"] = "The crediting period cannot start before the activity starts."
    return errors


def pdd_check(*, data, today=None):
    """Validate PDD fields against the rules; returns {field: message}, empty when all is well."""
    today = today or timezone.localdate()
    errors = {}
    version = data["methodology_version"]
    if not version.is_applicable_on(today):
        errors["methodology_version"] = f"{version} is not an approved methodology version on {today} (RMP 32)."
    if not version.methodology.sectoral_scopes.filter(pk=data["sectoral_scope"].pk).exists():
        errors["sectoral_scope"] = f"{version.methodology.code} does not apply to sectoral scope {data['sectoral_scope'].number}."
    annual = data["estimated_annual"]
    if not isinstance(annual, int) or isinstance(annual, bool) or annual < 1:
        errors["estimated_annual"] = "Give the estimated annual reductions or removals as a whole number of tonnes."
    elif annual > bounds.ESTIMATE_MAX:
        errors["estimated_annual"] = f"The estimate is at most {bounds.limit(bounds.ESTIMATE_MAX)} tonnes a year."
    for name in ("title", "location", "description"):
        if not bounds.has_visible(str(data[name])):
            errors[name] = _(bounds.INVISIBLE_MESSAGE)
    # Dates the later arithmetic can hold (pacm.common.bounds); only then the crediting period.
    dates = {name: bounds.date_problem(data[name]) for name in ("start_date", "crediting_start", "crediting_end")}
    errors.update({name: problem for name, problem in dates.items() if problem})
    if not any(dates.values()):
        errors.update(crediting_period_check(data=data, rule_set=RuleSet.objects.in_force(today)))
    return errors


def _raise_first(errors):
    if errors:
        field, message = next(iter(errors.items()))
        error = ServiceError(message, field=field)
        error.errors = errors
        raise error


def activity_create(*, user, organisation=None, **data):
    """An activity participant drafts a new activity; its organisation becomes a participant."""
    orgs = Organisation.objects.filter(memberships__user=user, kind=Organisation.Kind.PARTICIPANT)
    if organisation is not None:
        orgs = orgs.filter(pk=organisation.pk)
    organisation = orgs.order_by("pk").first()
    if organisation is None:
        raise Refused(_("Only activity participants may create an activity."), code="not_a_participant")
    missing = [f for f in PDD_FIELDS if data.get(f) in (None, "")]
    if missing:
        params = {"missing": ', '.join(missing)}
        raise ServiceError(_("Fill in: %(missing)s.") % params, field=missing[0], code="required", params=params)
    _raise_first(pdd_check(data=data))
    _raise_first(risk_fields_check(data=data))
    actor = Actor(user=user, organisation=organisation, role=Role.PARTICIPANT)
    with transaction.atomic():
        activity = Activity(**{f: data[f] for f in PDD_FIELDS})
        activity.risk_rating_percent = data.get("risk_rating_percent")
        activity.risk_negligible = bool(data.get("risk_negligible"))
        activity.reference = "pending"
        activity.save()
        activity.reference = f"A64-{activity.pk:06d}"
        activity.save(update_fields=["reference"])
        activity.participants.add(organisation)
        events.activity_created(activity=activity, actor=actor)
    return activity


def activity_update(*, activity, user, expected_state=None, **data):
    """Participants edit the PDD fields while the activity is a draft (action edit_pdd)."""
    unknown = sorted(set(data) - set(PDD_FIELDS) - set(RISK_FIELDS))
    if unknown:
        params = {"unknown": ', '.join(unknown)}
        raise ServiceError(
            _("These fields cannot be edited: %(unknown)s.") % params,
            field=unknown[0], code="fields_not_editable", params=params,
        )

    def apply(obj, actor):
        merged = {f: data.get(f, getattr(obj, f)) for f in PDD_FIELDS}
        missing = [f for f in PDD_FIELDS if merged[f] in (None, "")]
        if missing:
            params = {"missing": ", ".join(missing)}
            raise ServiceError(_("Fill in: %(missing)s.") % params, field=missing[0], code="required", params=params)
        _raise_first(pdd_check(data=merged))
        risk = {f: data.get(f, getattr(obj, f)) for f in RISK_FIELDS}
        risk["risk_negligible"] = bool(risk["risk_negligible"])
        _raise_first(risk_fields_check(data={**merged, **risk}))
        merged.update(risk)
        changed = {f: (getattr(obj, f), merged[f]) for f in (*PDD_FIELDS, *RISK_FIELDS) if merged[f] != getattr(obj, f)}
        for f, (_old, new) in changed.items():
            setattr(obj, f, new)
        if changed:
            obj.save()
            events.activity_updated(activity=obj, actor=actor, changed=changed)
        return obj

    return action_run(subject=activity, name="edit_pdd", user=user, apply=apply, expected_state=expected_state)


def doe_accreditation_check(*, activity, doe, on_date=None):
    """Issue 11; rules.md §2.3 S1->S2: a DOE is engaged only if accredited, on the day, for the
    activity's sectoral scope."""
    from pacm.parties.models import DOEAccreditation

    on_date = on_date or timezone.localdate()
    if doe.kind != Organisation.Kind.DOE:
        raise ServiceError(_("Choose a designated operational entity."), field="doe", code="not_a_doe")
    accredited = DOEAccreditation.objects.filter(
        organisation=doe, sectoral_scope=activity.sectoral_scope, valid_from__lte=on_date
    ).exclude(valid_to__lt=on_date)
    if not accredited.exists():
        params = {"doe": doe.name, "scope": activity.sectoral_scope.number, "date": str(on_date)}
        raise ServiceError(
            _("%(doe)s is not accredited for sectoral scope %(scope)s on %(date)s.") % params,
            field="doe", code="doe_not_accredited", params=params,
        )


def engage_stage(activity):
    """Which DOE the participants engage now: the validation DOE before it accepts, the
    verification DOE once the activity is registered."""
    return "verification" if activity.state == ActivityState.REGISTERED else "validation"


def _renewal_validator_check(activity, doe):
    """A6.4-PROC-AC-002 v03.0 para 160: not the renewal's validator for the first verification after it."""
    from ..renewals.guards import renewal_validator_blocked

    blocked = renewal_validator_blocked(activity, doe)
    if blocked:
        raise ServiceError(blocked.message, field="doe", code=blocked.code, params=blocked.params)


def _engage(*, activity, user, doe, name, expected_state=None):
    def apply(obj, actor):
        doe_accreditation_check(activity=obj, doe=doe)
        stage = engage_stage(obj)
        if stage == "verification":
            _renewal_validator_check(obj, doe)
        field = f"{stage}_doe"
        previous = getattr(obj, field)
        if previous is not None and previous.pk == doe.pk:
            params = {"doe": doe.name, "stage": stage}
            raise ServiceError(
                _("%(doe)s is already the %(stage)s DOE.") % params, field="doe", code="doe_already_engaged",
                params=params,
            )
        setattr(obj, field, doe)
        obj.save()
        if previous is None:
            events.doe_engaged(activity=obj, actor=actor, doe=doe, stage=stage)
        else:
            events.doe_changed(activity=obj, actor=actor, doe=doe, previous=previous, stage=stage)
        return obj

    return action_run(subject=activity, name=name, user=user, apply=apply, expected_state=expected_state)


def activity_engage_doe(*, activity, user, doe, stage=None, expected_state=None):
    """Participants engage a DOE for the stage; one already engaged is replaced through the
    declared change of DOE (its own guards and event)."""
    current = Activity.objects.filter(pk=activity.pk).first() or activity
    if stage is not None and stage != engage_stage(current):
        if stage == "verification":
            raise Refused(_("A verification DOE is engaged once the activity is registered."), code="wrong_stage")
        raise Refused(_("The validation DOE can be changed only before it accepts the engagement."), code="wrong_stage")
    engaged = current.verification_doe_id if engage_stage(current) == "verification" else current.validation_doe_id
    name = "change_doe" if engaged else "engage_doe"
    return _engage(activity=activity, user=user, doe=doe, name=name, expected_state=expected_state)


def activity_change_doe(*, activity, user, doe, expected_state=None):
    """Participants replace the DOE of the stage: never while a period is under verification."""
    return _engage(activity=activity, user=user, doe=doe, name="change_doe", expected_state=expected_state)


@ACTIVITY.serves("notify_prior_consideration")
def activity_notify_prior_consideration(*, activity, user, comment="", expected_state=None):
    return transition_fire(model=Activity, pk=activity.pk, name="notify_prior_consideration", user=user, comment=comment, expected_state=expected_state)


@ACTIVITY.serves("withdraw")
def activity_withdraw(*, activity, user, comment, expected_state=None):
    """The participants withdraw; anything of it still pending ends with it (issue 6 §5 rule 2)."""
    from .closing import activity_periods_end

    with transaction.atomic():
        activity = transition_fire(model=Activity, pk=activity.pk, name="withdraw", user=user, comment=comment,
                                   expected_state=expected_state)
        activity_periods_end(activity=activity, user=user, transition="withdraw", comment=comment)
    return activity


# Who uploads which document (rules.md §2.3 "Documents / data" column).
UPLOADERS = {
    Role.PARTICIPANT: {
        Document.Kind.PDD, Document.Kind.LOCAL_CONSULTATION, Document.Kind.SD_REPORT,
        Document.Kind.MONITORING_REPORT, Document.Kind.REVERSAL_EVIDENCE, Document.Kind.OTHER,
        Document.Kind.RISK_ASSESSMENT,  # A6.4-STAN-METH-002 paras 38-41: the participants' risk assessment
    },
    Role.DOE: {Document.Kind.VALIDATION_REPORT, Document.Kind.VERIFICATION_REPORT, Document.Kind.OTHER},
    Role.DNA: {Document.Kind.HOST_APPROVAL_LETTER, Document.Kind.AUTHORIZATION_STATEMENT},
}
# A PoA's participants also upload its generic CP-DD (A6.4-PROC-AC-003 v03.0 para 20); a CP's
# documents have their own service (projects.poa.services.cp_document_upload).
POA_UPLOADERS = {**UPLOADERS, Role.PARTICIPANT: UPLOADERS[Role.PARTICIPANT] | {Document.Kind.GENERIC_CP_DD}}


def uploaders_for(activity):
    return POA_UPLOADERS if activity.kind == Activity.Kind.POA else UPLOADERS


CLOSED_STATES = {ActivityState.WITHDRAWN, ActivityState.REJECTED, ActivityState.DEREGISTERED}


def upload_check(uploaded):
    """A PDF or office document, not empty, within the size limit, sound in structure (pacm.common.uploads)."""
    return uploads.upload_check(uploaded)


def document_upload(*, activity, user, kind, uploaded, title="", period=None, expected_state=None):
    """Add a new immutable version of a document; the old versions stay as they were."""
    if kind not in Document.Kind.values:
        raise ServiceError(_("Choose the kind of document."), field="kind", code="document_kind_required")
    content_type = upload_check(uploaded)
    roles = {role for role, kinds in uploaders_for(activity).items() if kind in kinds}
    subject = period if period is not None else activity

    def apply(obj, actor):
        owner = obj if period is None else obj.activity
        if owner.pk != activity.pk:
            raise ServiceError(
                _("That monitoring period belongs to another activity."),
                code="period_of_other_activity",
            )
        if actor.role not in roles:
            actor = actor_require(user=user, activity=obj, roles=roles, what=_("upload this document"))
        return document_store(activity=owner, actor=actor, kind=kind, uploaded=uploaded, title=title,
                              period=period, content_type=content_type)

    return action_run(subject=subject, name="upload_document", user=user, apply=apply, expected_state=expected_state)


def document_store(*, activity, actor, kind, uploaded, title="", period=None, content_type=None, by_title=False):
    """The version row, its file and its event: inside a write that has locked the activity.

    `by_title`: one document of the kind per title (a component project's CP-DD, named by the
    CP's reference), not one per activity."""
    if activity.state in CLOSED_STATES:
        raise Refused(_("The activity is closed: no new documents."), code="activity_closed")
    if content_type is None:
        content_type = upload_check(uploaded)
    lookup = {"title": title} if by_title else {}
    document, _created = Document.objects.get_or_create(
        activity=activity, kind=kind, monitoring_period=period, **lookup, defaults={"title": title}
    )
    number = (document.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = DocumentVersion(
        document=document,
        number=number,
        original_name=os.path.basename(uploaded.name)[:255],
        content_type=content_type,
        size=uploaded.size,
        sha256=DocumentVersion.hash_file(uploaded),
        uploaded_by=actor.user,
        organisation=actor.organisation,
    )
    version.file.save(uploaded.name, uploaded, save=False)
    uploads.discard_on_rollback(version.file)
    version.save()
    events.document_uploaded(activity=activity, actor=actor, version=version)
    return version


def can_upload(*, activity, user, kind):
    roles = {role for role, kinds in uploaders_for(activity).items() if kind in kinds}
    return actor_for(user, activity, roles) is not None
