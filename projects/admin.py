"""Read-only views of the activity cycle for staff.

Every change to an activity, a document, a finding, an approval or a fee goes through
`projects.services` (one write path: permission, lock, transition, event). The admin offers
no add, change or delete here, not even to a superuser: it only shows what the services wrote.
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
from .selectors import MECHANISM_HIDDEN


class ReadOnlyMixin:
    """View permission only: the change page renders every field read-only and refuses a POST."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DraftsHiddenMixin:
    """Staff see what the secretariat sees on the site: everything but the participants' unsent
    drafts (selectors.MECHANISM_HIDDEN, issue 11); the superuser, who runs the registry, sees all.
    `draft_path` leads from a row to its activity."""

    draft_path = "activity__"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.exclude(**{f"{self.draft_path}state__in": MECHANISM_HIDDEN})


class ReadOnlyAdmin(DraftsHiddenMixin, ReadOnlyMixin, admin.ModelAdmin):
    pass


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    draft_path = ""
    list_display = ("reference", "title", "host_party", "state", "due_at", "updated_at")
    list_filter = ("state", "host_party", "sectoral_scope")
    list_select_related = ("host_party",)
    search_fields = ("reference", "title", "location")
    date_hierarchy = "created_at"


class DocumentVersionInline(ReadOnlyInline):
    model = DocumentVersion
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


@admin.register(MonitoringPeriod)
class MonitoringPeriodAdmin(ReadOnlyAdmin):
    list_display = ("activity", "number", "start", "end", "state", "due_at")
    list_filter = ("state",)
    list_select_related = ("activity",)
    search_fields = ("activity__reference",)
    inlines = [VintageClaimInline]


class DistributionLineInline(ReadOnlyInline):
    model = DistributionLine


@admin.register(IssuanceRequest)
class IssuanceRequestAdmin(ReadOnlyAdmin):
    draft_path = "period__activity__"
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
