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
        # An activity's events only where the site shows the activity (projects.selectors, issue 11);
        # the registry's mechanism-wide streams carry no activity.
        from projects.selectors import activities_visible_to

        qs = super().get_queryset(request)
        return qs.filter(Q(activity__isnull=True) | Q(activity__in=activities_visible_to(request.user).values("pk")))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
