"""Which activities a person may see, asked by the lower layer (the admins of pacm/).

`projects` answers it (projects.selectors.activities_visible_to) and registers the answer from
its AppConfig.ready(), so that pacm/ never imports projects/. Deny by default: until an answer
is registered, nothing tied to an activity is shown.
"""
_visible = None


def visible_activities_register(fn):
    global _visible
    _visible = fn


def visible_activity_ids(user):
    """A queryset of the pks of the activities `user` may see (an empty list when unknown)."""
    if _visible is None:
        return []
    return _visible(user).values("pk")


def visible_rows(queryset, user, activity_path):
    """Rows of `queryset` whose activity (at `activity_path`, or the row itself when None) `user` may see."""
    visible = visible_activity_ids(user)
    if activity_path is None:
        return queryset.filter(pk__in=visible)
    return queryset.filter(**{f"{activity_path}__in": visible})
