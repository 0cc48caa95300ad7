from django.contrib import admin
from django.db.models import Q

from .models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """Read-only: events are appended by services and never edited."""

    list_display = ("stream", "sequence", "kind", "actor_label", "role", "from_state", "to_state", "created_at")
    list_filter = ("kind", "role")
    search_fields = ("stream", "actor_label", "comment")

    def get_queryset(self, request):
        # An activity's events only where the site shows the activity (pacm.common.visibility,
        # issue 11); the registry's mechanism-wide streams carry no activity.
        from pacm.common.visibility import visible_activity_ids

        qs = super().get_queryset(request)
        return qs.filter(Q(activity__isnull=True) | Q(activity__in=visible_activity_ids(request.user)))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
