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

    def get_queryset(self, request):
        """Decisions on subjects the site shows this person (issue 11: the admin shows no more)."""
        from django.db.models import Q

        from ..models import MonitoringPeriod
        from ..selectors import activities_visible_to

        visible = activities_visible_to(request.user).values("pk")
        periods = MonitoringPeriod.objects.filter(activity__in=visible).values("pk")
        return super().get_queryset(request).filter(
            Q(subject_kind="activity", subject_id__in=visible) | Q(subject_kind="period", subject_id__in=periods)
        )

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Decision._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
