"""Turns a ServiceError that escaped a view into a clear page instead of a 500."""
from django.shortcuts import render

from .errors import Refused, ServiceError
from .retry import BUSY_MESSAGE, is_conflict


class ServiceErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Refused):
            return render(request, "403.html", {"exception": exception.message}, status=403)
        if isinstance(exception, ServiceError):
            return render(request, "400.html", {"exception": exception.message}, status=400)
        # A deadlock or serialization failure outside a retrying block (conflict_retry): the
        # transaction was rolled back, so say so instead of a 500.
        if is_conflict(exception):
            return render(request, "409.html", {"exception": BUSY_MESSAGE}, status=409)
        return None
