"""Design stage: the participants draft the activity, upload documents, notify, engage a DOE."""
import datetime
import os

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from methodologies.models import RuleSet
from pacm.common import bounds, uploads
from pacm.common.errors import Refused, ServiceError
from pacm.parties.models import Organisation
from pacm.parties.roles import Actor, Role, actor_for

from .. import events
from ..cycle import ActivityState
from ..models import Activity, Document, DocumentVersion
from .base import actor_require, lock, transition_fire

PDD_FIELDS = (
    "title", "host_party", "methodology_version", "sectoral_scope", "location", "start_date",
    "crediting_type", "crediting_start", "crediting_end", "estimated_annual", "description",
)


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
            errors[name] = bounds.INVISIBLE_MESSAGE
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
        raise Refused("Only activity participants may create an activity.")
    missing = [f for f in PDD_FIELDS if data.get(f) in (None, "")]
    if missing:
        raise ServiceError(f"Fill in: {', '.join(missing)}.", field=missing[0])
    _raise_first(pdd_check(data=data))
    actor = Actor(user=user, organisation=organisation, role=Role.PARTICIPANT)
    with transaction.atomic():
        activity = Activity(**{f: data[f] for f in PDD_FIELDS})
        activity.reference = "pending"
        activity.save()
        activity.reference = f"A64-{activity.pk:06d}"
        activity.save(update_fields=["reference"])
        activity.participants.add(organisation)
        events.activity_created(activity=activity, actor=actor)
    return activity


def activity_update(*, activity, user, **data):
    """Participants edit the PDD fields while the activity is a draft."""
    with transaction.atomic():
        activity = lock(Activity, activity.pk)
        actor = actor_require(user=user, activity=activity, roles={Role.PARTICIPANT}, what="edit the PDD")
        if activity.state != ActivityState.DRAFT:
            raise Refused("The PDD fields can be edited only while the activity is a draft.")
        unknown = sorted(set(data) - set(PDD_FIELDS))
        if unknown:
            raise ServiceError(f"These fields cannot be edited: {', '.join(unknown)}.", field=unknown[0])
        merged = {f: data.get(f, getattr(activity, f)) for f in PDD_FIELDS}
        missing = [f for f in PDD_FIELDS if merged[f] in (None, "")]
        if missing:
            raise ServiceError(f"Fill in: {', '.join(missing)}.", field=missing[0])
        _raise_first(pdd_check(data=merged))
        changed = [f for f in PDD_FIELDS if merged[f] != getattr(activity, f)]
        for f in changed:
            setattr(activity, f, merged[f])
        if changed:
            activity.save()
            events.activity_updated(activity=activity, actor=actor, changed=changed)
    return activity


def activity_engage_doe(*, activity, user, doe, stage="validation"):
    """Participants engage a DOE: for validation before it accepts, for verification once registered."""
    with transaction.atomic():
        activity = lock(Activity, activity.pk)
        actor = actor_require(user=user, activity=activity, roles={Role.PARTICIPANT}, what="engage a DOE")
        if doe.kind != Organisation.Kind.DOE:
            raise ServiceError("Choose a designated operational entity.", field="doe")
        if stage == "validation":
            if activity.state not in (ActivityState.DRAFT, ActivityState.PRIOR_CONSIDERATION):
                raise Refused("The validation DOE can be changed only before it accepts the engagement.")
            activity.validation_doe = doe
        elif stage == "verification":
            if activity.state != ActivityState.REGISTERED:
                raise Refused("A verification DOE is engaged once the activity is registered.")
            activity.verification_doe = doe
        else:
            raise ServiceError("Unknown stage.")
        activity.save()
        events.doe_engaged(activity=activity, actor=actor, doe=doe, stage=stage)
    return activity


def activity_notify_prior_consideration(*, activity, user, comment=""):
    return transition_fire(model=Activity, pk=activity.pk, name="notify_prior_consideration", user=user, comment=comment)


def activity_withdraw(*, activity, user, comment):
    return transition_fire(model=Activity, pk=activity.pk, name="withdraw", user=user, comment=comment)


# Who uploads which document (rules.md §2.3 "Documents / data" column).
UPLOADERS = {
    Role.PARTICIPANT: {
        Document.Kind.PDD, Document.Kind.LOCAL_CONSULTATION, Document.Kind.SD_REPORT,
        Document.Kind.MONITORING_REPORT, Document.Kind.REVERSAL_EVIDENCE, Document.Kind.OTHER,
    },
    Role.DOE: {Document.Kind.VALIDATION_REPORT, Document.Kind.VERIFICATION_REPORT, Document.Kind.OTHER},
    Role.DNA: {Document.Kind.HOST_APPROVAL_LETTER, Document.Kind.AUTHORIZATION_STATEMENT},
}
CLOSED_STATES = {ActivityState.WITHDRAWN, ActivityState.REJECTED, ActivityState.DEREGISTERED}


def upload_check(uploaded):
    """A PDF or office document, not empty, within the size limit, sound in structure (pacm.common.uploads)."""
    return uploads.upload_check(uploaded)


def document_upload(*, activity, user, kind, uploaded, title="", period=None):
    """Add a new immutable version of a document; the old versions stay as they were."""
    if kind not in Document.Kind.values:
        raise ServiceError("Choose the kind of document.", field="kind")
    content_type = upload_check(uploaded)
    with transaction.atomic():
        activity = lock(Activity, activity.pk)
        roles = {role for role, kinds in UPLOADERS.items() if kind in kinds}
        actor = actor_require(user=user, activity=activity, roles=roles, what="upload this document")
        if activity.state in CLOSED_STATES:
            raise Refused("The activity is closed: no new documents.")
        if period is not None and period.activity_id != activity.pk:
            raise ServiceError("That monitoring period belongs to another activity.")
        document, _ = Document.objects.get_or_create(
            activity=activity, kind=kind, monitoring_period=period, defaults={"title": title}
        )
        number = (document.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        version = DocumentVersion(
            document=document,
            number=number,
            original_name=os.path.basename(uploaded.name)[:255],
            content_type=content_type,
            size=uploaded.size,
            sha256=DocumentVersion.hash_file(uploaded),
            uploaded_by=user,
            organisation=actor.organisation,
        )
        version.file.save(uploaded.name, uploaded, save=False)
        uploads.discard_on_rollback(version.file)
        version.save()
        events.document_uploaded(activity=activity, actor=actor, version=version)
    return version


def can_upload(*, activity, user, kind):
    roles = {role for role, kinds in UPLOADERS.items() if kind in kinds}
    return actor_for(user, activity, roles) is not None
