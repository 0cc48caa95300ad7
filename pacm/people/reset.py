"""Password reset, rate limited (pacm issue 9): at most PACM_PASSWORD_RESET_PER_HOUR requests an
hour for one e-mail address and PACM_PASSWORD_RESET_PER_HOUR_PER_CLIENT from one client address
(REMOTE_ADDR, as django-axes counts it). Every request counts, whether a login has the address
or not, so the answer (sent, or "try again at") never tells whether the address exists.

Counted in the Django cache (per process unless PACM_CACHE_URL names a shared Redis), in fixed
windows of an hour; keys are HMACs of the address, never the address itself. 0 turns a limit off.
"""
import hashlib
import hmac
import math
import time

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.utils.translation import ngettext

WINDOW = 3600


def _key(kind, value):
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
    return f"pacm-reset:{kind}:{digest}"


def _count(key, window):
    full = f"{key}:{window}"
    cache.add(full, 0, timeout=WINDOW + 60)
    try:
        return cache.incr(full)
    except ValueError:  # evicted between add and incr
        cache.set(full, 1, timeout=WINDOW + 60)
        return 1


def reset_rate_check(*, email, client, now=None):
    """Count one request; the seconds until the next window when a limit is passed, else 0."""
    now = time.time() if now is None else now
    window = int(now // WINDOW)
    over = False
    for kind, value, limit in (
        ("email", (email or "").strip().lower(), settings.PACM_PASSWORD_RESET_PER_HOUR),
        ("client", client or "", settings.PACM_PASSWORD_RESET_PER_HOUR_PER_CLIENT),
    ):
        if limit > 0 and _count(_key(kind, value), window) > limit:
            over = True
    return max(1, math.ceil((window + 1) * WINDOW - now)) if over else 0


def retry_message(seconds):
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext(
        "Too many password reset requests for this address or from your network: try again in %(minutes)s minute.",
        "Too many password reset requests for this address or from your network: try again in %(minutes)s minutes.",
        minutes) % {"minutes": minutes}


class RateLimitedPasswordResetView(auth_views.PasswordResetView):
    """Django's view; over a limit the form comes back (429) saying when to retry, and no mail goes."""

    def form_valid(self, form):
        retry = reset_rate_check(email=form.cleaned_data.get("email"), client=self.request.META.get("REMOTE_ADDR"))
        if retry:
            form.add_error(None, retry_message(retry))
            response = self.render_to_response(self.get_context_data(form=form, retry_after=retry), status=429)
            response["Retry-After"] = str(retry)
            return response
        return super().form_valid(form)
