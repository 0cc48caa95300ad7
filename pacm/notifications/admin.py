from django.contrib import admin

from .models import Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("recipient", "subject_line", "created_at", "read_at", "emailed_at")
    list_filter = ("machine", "write")
    raw_id_fields = ("recipient",)
    readonly_fields = ("machine", "subject_pk", "write", "key", "created_at", "emailed_at")


admin.site.register(NotificationPreference)
