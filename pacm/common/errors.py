"""Errors that services raise. Each carries a message fit to show the person who acted."""
from django.core.exceptions import PermissionDenied


class ServiceError(Exception):
    """Bad input or a rule that refuses the request: shown as a clear message, nothing changes."""

    def __init__(self, message, *, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


class Refused(ServiceError, PermissionDenied):
    """The actor may not do this, or not from the current state: a 403, never a 500."""
