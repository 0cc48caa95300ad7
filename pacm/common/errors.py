"""Errors that services raise. Each carries a message fit to show the person who acted, and a
stable code with its parameters, for the API and the translations (the message may change with
the language; the code and params never do)."""
from django.core.exceptions import PermissionDenied


class ServiceError(Exception):
    """Bad input or a rule that refuses the request: shown as a clear message, nothing changes."""

    default_code = "invalid"

    def __init__(self, message, *, field=None, code=None, params=None):
        super().__init__(str(message))
        self.message = str(message)
        self.field = field
        self.code = code or self.default_code
        self.params = dict(params or {})

    def as_problem(self):
        """The RFC 9457 problem fields this error maps to (the API's error body)."""
        return {"code": self.code, "detail": self.message, "field": self.field, "params": self.params}


class Refused(ServiceError, PermissionDenied):
    """The actor may not do this, or not from the current state: a 403, never a 500."""

    default_code = "refused"
