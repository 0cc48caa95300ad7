"""Requests per minute per caller (token, session user or address), counted in the Django cache.

A fixed window per minute: simple, shared by every process that shares the cache (Redis in
production). The limit is a setting (`PACM_API_RATE_PER_MINUTE`), not a rule of the mechanism.
"""
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from .problems import ApiProblem

WINDOW = 60


def rate_check(who):
    """Count one request of `who`; over the limit, a 429 problem with Retry-After (seconds)."""
    limit = settings.PACM_API_RATE_PER_MINUTE
    if limit <= 0:
        return
    now = time.time()
    window = int(now // WINDOW)
    key = f"pacm-api-rate:{who}:{window}"
    cache.add(key, 0, timeout=WINDOW + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr: count this one as the first
        cache.set(key, 1, timeout=WINDOW + 5)
        count = 1
    if count > limit:
        retry = max(1, int((window + 1) * WINDOW - now) + 1)
        raise ApiProblem(429, "rate_limited",
                         _("More than %(limit)s requests in a minute: try again in %(retry)s seconds.")
                         % {"limit": limit, "retry": retry}, headers={"Retry-After": str(retry)})
