"""Board decisions in the admin: read-only. They change only through projects.board.services."""
from django.contrib import admin

from .models import Decision, Vote


class VoteInline(admin.TabularInline):
    model = Vote
    extra = 0
    can_delete = False
    readonly_fields = ("voter", "capacity", "seat", "choice", "cast_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ("pk", "subject_kind", "subject_id", "transition", "mode", "status", "basis", "meeting", "opened_at")
    list_filter = ("mode", "status", "subject_kind")
    search_fields = ("meeting", "transition", "proposal")
    inlines = [VoteInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Decision._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
