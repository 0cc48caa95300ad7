"""The host Party's DNA approves participation and issues or revises the authorization statement.

Both are versioned records beside the cycle, not states (policy.md §4): a new version never
edits the one before it.
"""
import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from pacm.common import bounds
from pacm.common.errors import ServiceError
from pacm.parties.models import Organisation

from .. import events
from ..models import AuthorizationStatement, HostApproval
from .base import action_run


def _next_version(qs):
    return (qs.order_by("-version").values_list("version", flat=True).first() or 0) + 1


def host_approval_issue(
    *, activity, user, sd_confirmation, ndc_relation, authorized_participants, renewal_approved=False,
    sop_exemption_opt_out=False,
):
    """RMP 40-41: approval with SD confirmation, renewal approval, NDC relation; AP authorization."""
    sd_confirmation = bounds.text_required(
        sd_confirmation, field="sd_confirmation",
        message=_("Confirm how the activity fosters sustainable development (RMP 40(a))."),
    )
    ndc_relation = bounds.text_required(
        ndc_relation, field="ndc_relation", message=_("Say how the activity relates to the NDC (RMP 40(c))."),
    )

    def apply(obj, actor):
        participants = list(authorized_participants or [])
        allowed = set(obj.participants.values_list("pk", flat=True))
        if not participants or any(p.pk not in allowed or p.kind != Organisation.Kind.PARTICIPANT for p in participants):
            raise ServiceError(
                _("Authorize one or more of this activity's participants (RMP 41)."),
                field="authorized_participants", code="authorized_participants_required",
            )
        approval = HostApproval.objects.create(
            activity=obj,
            version=_next_version(obj.host_approvals),
            dna=actor.organisation,
            sd_confirmation=sd_confirmation,
            ndc_relation=ndc_relation,
            renewal_approved=renewal_approved,
            sop_exemption_opt_out=sop_exemption_opt_out,
            issued_at=timezone.now(),
        )
        approval.authorized_participants.set(participants)
        events.host_approval_issued(approval=approval, actor=actor)
        return approval

    approval = action_run(subject=activity, name="issue_host_approval", user=user, apply=apply)
    return approval


def authorization_statement_issue(
    *, activity, user, uses, effective_from, first_transfer="", quantity_cap=None, vintage_from=None,
    vintage_to=None, change_terms="",
):
    """RMP 42; 6/CMA.6 paras 10-11; 4/CMA.6 para 5. A revision is a new version."""
    Uses, FT = AuthorizationStatement.Uses, AuthorizationStatement.FirstTransfer
    if uses not in Uses.values:
        raise ServiceError(_("Choose what the statement authorizes."), field="uses", code="uses_required")
    if not isinstance(effective_from, datetime.date):
        raise ServiceError(
            _("Give the date from which the statement applies."),
            field="effective_from", code="effective_from_required",
        )
    bounds.date_check(effective_from, field="effective_from")
    if uses in (Uses.OIMP, Uses.BOTH) and first_transfer not in (FT.AUTHORIZATION, FT.ISSUANCE, FT.USE_OR_CANCELLATION):
        # RMP 42: if OIMP is authorized the statement must define the first transfer.
        raise ServiceError(
            _("Define the first transfer for other international mitigation purposes."),
            field="first_transfer", code="first_transfer_required",
        )
    if uses == Uses.NDC:
        first_transfer = FT.INTERNATIONAL_TRANSFER  # 2/CMA.3 annex para 2(a)
    if uses == Uses.MITIGATION_CONTRIBUTION:
        first_transfer, quantity_cap, vintage_from, vintage_to = "", None, None, None
    for name, value in (("quantity_cap", quantity_cap), ("vintage_from", vintage_from), ("vintage_to", vintage_to)):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise ServiceError(_("Give a whole number."), field=name, code="whole_number_required")
    if quantity_cap is not None and quantity_cap < 1:
        raise ServiceError(
            _("A quantity cap is a whole number of units, at least 1."),
            field="quantity_cap", code="quantity_cap_invalid",
        )
    if quantity_cap is not None:
        bounds.whole_check(quantity_cap, field="quantity_cap", maximum=bounds.UNITS_MAX, what=_("a quantity cap"))
    for name, year in (("vintage_from", vintage_from), ("vintage_to", vintage_to)):
        if year is not None and not bounds.YEAR_MIN <= year <= bounds.YEAR_MAX:
            raise ServiceError(_(bounds.YEAR_TEMPLATE) % bounds.YEAR_PARAMS, field=name, code="year_out_of_range")
    if vintage_from and vintage_to and vintage_to < vintage_from:
        raise ServiceError(_("The last vintage is before the first."), field="vintage_to", code="vintages_reversed")
    def apply(obj, actor):
        statement = AuthorizationStatement.objects.create(
            activity=obj,
            version=_next_version(obj.authorization_statements),
            dna=actor.organisation,
            uses=uses,
            first_transfer=first_transfer,
            quantity_cap=quantity_cap,
            vintage_from=vintage_from,
            vintage_to=vintage_to,
            change_terms=change_terms or "",
            effective_from=effective_from,
            issued_at=timezone.now(),
        )
        events.authorization_issued(statement=statement, actor=actor)
        return statement

    statement = action_run(subject=activity, name="issue_authorization", user=user, apply=apply)
    return statement


def authorization_in_force(*, activity, on_date):
    """7/CMA.4 annex I para 38: the statement valid at issuance sets the units' status."""
    return (
        activity.authorization_statements.filter(effective_from__lte=on_date).order_by("-effective_from", "-version").first()
    )
