"""Reference data the secretariat keeps: Parties with their dated statuses, organisations, members.

Roles follow from membership (pacm.parties.roles), so these pages decide who may act; only
users given the change permission (the superuser) edit them. The secretariat group views them.
"""
from django.contrib import admin

from .models import DOEAccreditation, Membership, Organisation, Party, PartyStatus


class PartyStatusInline(admin.TabularInline):
    """Dated LDC/SIDS statuses: fee waivers and the SOP exemption read the status on a date."""

    model = PartyStatus
    extra = 0


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin):
    list_display = ("iso2", "name", "dna_designated", "participates", "allows_renewal", "crediting_period_max_years")
    list_filter = ("dna_designated", "allows_renewal", "statuses__kind")
    search_fields = ("iso2", "name")
    inlines = [PartyStatusInline]

    @admin.display(boolean=True, description="meets RMP 26")
    def participates(self, obj):
        return obj.participates


class DOEAccreditationInline(admin.TabularInline):
    model = DOEAccreditation
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "party", "authorized_by_party")
    list_filter = ("kind", "authorized_by_party")
    list_select_related = ("party",)
    search_fields = ("name", "party__name", "party__iso2")

    def get_inlines(self, request, obj):
        # Only a DOE holds accreditations (sectoral scopes with validity dates).
        if obj is not None and obj.kind == Organisation.Kind.DOE:
            return [DOEAccreditationInline, MembershipInline]
        return [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organisation", "kind", "alternate_for")
    list_filter = ("organisation__kind",)
    list_select_related = ("user", "organisation", "alternate_for__user")
    search_fields = ("user__username", "user__email", "organisation__name")
    raw_id_fields = ("user", "alternate_for")

    @admin.display(description="role", ordering="organisation__kind")
    def kind(self, obj):
        return obj.organisation.get_kind_display()
