from pacm.parties.roles import ORG_KIND_ROLE, user_organisations


def pacm(request):
    """The user's organisations and roles, for the navbar (one query per page)."""
    user = getattr(request, "user", None)
    organisations = list(user_organisations(user)) if user is not None and user.is_authenticated else []
    roles = {ORG_KIND_ROLE[o.kind] for o in organisations}
    return {
        "user_roles": sorted(r.value for r in roles),
        "user_organisations": [(o.name, o.get_kind_display()) for o in organisations],
    }


def notifications(request):
    """The navbar's unread count: one COUNT on the partial unread index, only when rendered."""
    from django.utils.functional import SimpleLazyObject

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count():
        from pacm.notifications.models import Notification

        return Notification.objects.filter(recipient=user, read_at__isnull=True).count()

    return {"unread_notifications": SimpleLazyObject(count)}
