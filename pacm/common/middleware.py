"""Site-wide middleware: no cached private pages, and a clear page for a refused service call."""
import logging

from django.shortcuts import render

from .errors import Refused, ServiceError
from .refusals import stale_context
from .retry import BUSY_MESSAGE, is_conflict

logger = logging.getLogger(__name__)


class PrivateCacheMiddleware:
    """`Cache-Control: private, no-store` on every response to a logged-in user.

    What a logged-in user sees depends on who they are (drafts, accounts, offers): no shared
    cache and no browser cache may keep it for the next person at the same machine.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "private, no-store"
        return response


class ServiceErrorMiddleware:
    """Turns a ServiceError that escaped a view into a clear page instead of a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Refused):
            try:
                stale = stale_context(request, exception)  # pacm issue 9: what changed, and the way back
            except Exception:  # noqa: BLE001 - the explanation is a courtesy: the plain refusal still holds
                logger.exception("stale-page explanation failed")
                stale = None
            if stale is not None:
                # A conflict with the subject's present state, not a denial: 409 (RFC 9110 §15.5.10).
                return render(request, "stale.html", stale, status=409)
            return render(request, "403.html", {"exception": exception.message}, status=403)
        if isinstance(exception, ServiceError):
            return render(request, "400.html", {"exception": exception.message}, status=400)
        # A deadlock or serialization failure outside a retrying block (conflict_retry): the
        # transaction was rolled back, so say so instead of a 500.
        if is_conflict(exception):
            return render(request, "409.html", {"exception": BUSY_MESSAGE}, status=409)
        return None
