"""The server-error page: a database that is briefly away (a restart, a failover) gets its own
answer, a 503 that says so and when to try again, instead of the generic 500 (issue 11)."""
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.views import defaults

RETRY_AFTER_SECONDS = 5


def server_error(request):
    """handler500: called inside Django's exception handling, so the exception is at hand."""
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        # Rendered without the request: its context processors would ask the database again.
        body = loader.get_template("503.html").render({})
        response = HttpResponse(body, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return defaults.server_error(request)
