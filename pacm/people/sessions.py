"""End every session of one person (pacm issue 9: a disabled person is signed out everywhere).

Django's database sessions hold the user's id only inside their encoded data, so the live rows
are read in batches and decoded; disabling a person is rare and done by hand, the scan is fine.
Other session engines (cache, signed cookies) keep no table to scan: nothing is ended there, and
the person's next request still finds no membership (every role check is a membership check).
"""
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils import timezone

DB_ENGINES = {"django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"}
BATCH = 500


def sessions_end(user):
    """Delete the live sessions signed in as `user`; returns how many."""
    if settings.SESSION_ENGINE not in DB_ENGINES:
        return 0
    from importlib import import_module

    from django.contrib.sessions.models import Session

    store = import_module(settings.SESSION_ENGINE).SessionStore
    mine = []
    for row in Session.objects.filter(expire_date__gt=timezone.now()).only("session_key", "session_data").iterator(
            chunk_size=BATCH):
        if str(row.get_decoded().get(SESSION_KEY)) == str(user.pk):
            mine.append(row.session_key)
    for key in mine:
        store(session_key=key).delete()  # the cached_db engine drops its cache entry too
    return len(mine)
