"""Turns a ServiceError that escaped a view into a clear page instead of a 500."""
from django.shortcuts import render

from .errors import Refused, ServiceError


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
        return None
