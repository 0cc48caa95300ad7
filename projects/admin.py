"""Read-only views of the activity cycle for staff.

Every change to an activity, a document, a finding, an approval or a fee goes through
`projects.services` (one write path: permission, lock, transition, event). The admin offers
no add, change or delete here, not even to a superuser: it only shows what the services wrote.

It shows no one more than the site shows them (issue 11): every list and page here keeps to the
activities `projects.selectors.activities_visible_to` gives the logged-in user, so the
secretariat does not read the participants' drafts here either (selectors.MECHANISM_HIDDEN).
A superuser with no organisation sees what the public sees.
"""
from django.contrib import admin

from .models import (
    Activity,
    AuthorizationStatement,
    DistributionLine,
    Document,
    DocumentVersion,
    Fee,
    Finding,
    HostApproval,
    IssuanceRequest,
    MonitoringPeriod,
    Reversal,
    VintageClaim,
)
from .selectors import activities_visible_to


class ReadOnlyMixin:
    """View permission only: the change page renders every field read-only and refuses a POST."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class VisibleActivitiesMixin:
    """Rows of the activities the site shows this user, through `activity_path` (None: the activity itself)."""

    activity_path = "activity"

    def get_queryset(self, request):
        return visible_rows(super().get_queryset(request), request.user, self.activity_path)


def visible_rows(queryset, user, activity_path):
    visible = activities_visible_to(user).values("pk")
    if activity_path is None:
        return queryset.filter(pk__in=visible)
    return queryset.filter(**{f"{activity_path}__in": visible})


class ReadOnlyAdmin(VisibleActivitiesMixin, ReadOnlyMixin, admin.ModelAdmin):
    pass


class ReadOnlyInline(VisibleActivitiesMixin, ReadOnlyMixin, admin.TabularInline):
    extra = 0


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    activity_path = None
    list_display = ("reference", "title", "host_party", "state", "due_at", "updated_at")
    list_filter = ("state", "host_party", "sectoral_scope")
    list_select_related = ("host_party",)
    search_fields = ("reference", "title", "location")
    date_hierarchy = "created_at"


class DocumentVersionInline(ReadOnlyInline):
    model = DocumentVersion
    activity_path = "document__activity"
    fields = ("number", "file", "original_name", "size", "sha256", "uploaded_by", "organisation", "uploaded_at")
    readonly_fields = fields


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ("activity", "kind", "title", "monitoring_period")
    list_filter = ("kind",)
    list_select_related = ("activity", "monitoring_period__activity")
    search_fields = ("activity__reference", "title")
    inlines = [DocumentVersionInline]


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ("activity", "number", "kind", "status", "raised_by", "raised_at", "closed_at")
    list_filter = ("kind", "status")
    list_select_related = ("activity", "raised_by")
    search_fields = ("activity__reference", "text")


@admin.register(HostApproval)
class HostApprovalAdmin(ReadOnlyAdmin):
    list_display = ("activity", "version", "dna", "renewal_approved", "sop_exemption_opt_out", "issued_at")
    list_select_related = ("activity", "dna")
    search_fields = ("activity__reference",)


@admin.register(AuthorizationStatement)
class AuthorizationStatementAdmin(ReadOnlyAdmin):
    list_display = ("activity", "version", "uses", "first_transfer", "quantity_cap", "effective_from", "issued_at")
    list_filter = ("uses",)
    list_select_related = ("activity",)
    search_fields = ("activity__reference",)


@admin.register(Fee)
class FeeAdmin(ReadOnlyAdmin):
    list_display = ("activity", "kind", "amount_usd", "status", "rule_set", "assessed_at", "paid_at")
    list_filter = ("kind", "status")
    list_select_related = ("activity", "rule_set")
    search_fields = ("activity__reference", "payment_reference")


class VintageClaimInline(ReadOnlyInline):
    model = VintageClaim
    activity_path = "period__activity"


@admin.register(MonitoringPeriod)
class MonitoringPeriodAdmin(ReadOnlyAdmin):
    list_display = ("activity", "number", "start", "end", "state", "due_at")
    list_filter = ("state",)
    list_select_related = ("activity",)
    search_fields = ("activity__reference",)
    inlines = [VintageClaimInline]


class DistributionLineInline(ReadOnlyInline):
    model = DistributionLine
    activity_path = "request__period__activity"


@admin.register(IssuanceRequest)
class IssuanceRequestAdmin(ReadOnlyAdmin):
    activity_path = "period__activity"
    list_display = ("period", "units_requested", "gross", "share_of_proceeds", "omge", "buffer", "net", "issued_at")
    list_select_related = ("period__activity",)
    search_fields = ("period__activity__reference",)
    inlines = [DistributionLineInline]


@admin.register(Reversal)
class ReversalAdmin(ReadOnlyAdmin):
    list_display = ("activity", "kind", "quantity", "cancelled", "status", "reported_at")
    list_filter = ("kind", "status")
    list_select_related = ("activity",)
    search_fields = ("activity__reference",)
