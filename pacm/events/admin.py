from django.contrib import admin

from .models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """Read-only: events are appended by services and never edited."""

    list_display = ("stream", "sequence", "kind", "actor_label", "role", "from_state", "to_state", "created_at")
    list_filter = ("kind", "role")
    search_fields = ("stream", "actor_label", "comment")

    def get_queryset(self, request):
        """Not the events of the participants' unsent drafts, but for the superuser (projects.admin)."""
        from projects.selectors import MECHANISM_HIDDEN

        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.exclude(activity__state__in=MECHANISM_HIDDEN)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
