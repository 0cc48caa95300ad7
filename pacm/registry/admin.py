"""Read-only admin: every row here is written by `pacm.registry.services`, never by hand.

Rows tied to an activity (serial blocks, serial counters, the issuance's transactions) keep to
the activities the site shows the user (pacm.common.visibility, answered by projects; issue 11).
"""
from django.contrib import admin
from django.db.models import Q

from pacm.common.visibility import visible_rows

from .models import Account, LedgerEntry, LedgerTransaction, SerialCounter, UnitBlock
from .serials import serial_format


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ("number", "kind", "name", "organisation", "party", "opened_at")
    list_filter = ("kind",)
    search_fields = ("number", "name", "organisation__name", "party__name")


@admin.register(UnitBlock)
class UnitBlockAdmin(ReadOnlyAdmin):
    def get_queryset(self, request):
        return visible_rows(super().get_queryset(request), request.user, "activity")

    list_display = ("serial", "account", "authorization_status", "first_transfer_definition", "first_transferred")
    list_filter = ("authorization_status", "first_transferred", "account__kind", "vintage")
    list_select_related = ("activity", "host_party", "account")
    search_fields = ("activity__reference", "account__number")

    @admin.display(description="serial range")
    def serial(self, obj):
        return serial_format(obj)


class LedgerEntryInline(admin.TabularInline):
    model = LedgerEntry
    fields = ("vintage", "serial_start", "serial_end", "first_transfer", "block")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdmin):
    def get_queryset(self, request):
        qs = super().get_queryset(request)
        tied = visible_rows(qs.filter(issuance__isnull=False), request.user, "issuance__period__activity")
        return qs.filter(Q(issuance__isnull=True) | Q(pk__in=tied.values("pk")))

    list_display = ("pk", "kind", "from_account", "to_account", "quantity", "first_transfer",
                    "corresponding_adjustment", "actor_label", "created_at")
    list_filter = ("kind", "first_transfer", "corresponding_adjustment")
    list_select_related = ("from_account", "to_account")
    search_fields = ("from_account__number", "to_account__number", "purpose", "beneficiary", "idempotency_key")
    inlines = [LedgerEntryInline]


@admin.register(SerialCounter)
class SerialCounterAdmin(ReadOnlyAdmin):
    list_display = ("activity", "vintage", "next_serial")

    def get_queryset(self, request):
        return visible_rows(super().get_queryset(request), request.user, "activity")
