"""Who calls: a bearer token (`Authorization: Bearer pacm_...`), else the browser's session (with
its CSRF token for unsafe methods), else the anonymous public. A bad or revoked token is refused,
never read as anonymous. Every caller is rate-limited."""
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _
from ninja.security import HttpBearer
from ninja.utils import check_csrf

from .problems import ApiProblem
from .ratelimit import rate_check
from .tokens import api_token_authenticate

SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


class Caller:
    """What ninja's `request.auth` holds: the user (maybe anonymous), the token, if any, and the
    subject a route's `check` found (`ApiAuth(check=...)`)."""

    def __init__(self, user, token=None):
        self.user, self.token, self.subject = user, token, None

    def __bool__(self):  # ninja treats a falsy result as "not authenticated"
        return True


def _address(request):
    return request.META.get("REMOTE_ADDR", "unknown")


class ApiAuth(HttpBearer):
    """Bearer token or session; `anonymous=True` lets the public read (the web's public part).

    `check(user, **path)`: run once the caller is known, before ninja reads and validates the body
    (deny by default: a caller who may not write here is refused, 403 or 404, before a body of the
    wrong shape is a 422). It raises its refusal, or returns the subject (`request.auth.subject`)."""

    def __init__(self, *, anonymous, check=None):
        super().__init__()
        self.anonymous, self.check = anonymous, check

    def __call__(self, request):
        caller = self._caller(request)
        if self.check is not None:
            match = getattr(request, "resolver_match", None)
            caller.subject = self.check(caller.user, **(match.kwargs if match is not None else {}))
        return caller

    def _caller(self, request):
        header = request.headers.get("Authorization")
        if header:
            scheme, _sep, secret = header.partition(" ")
            token = api_token_authenticate(secret.strip()) if scheme.lower() == "bearer" else None
            if token is None:
                raise ApiProblem(401, "token_invalid", _("This API token is unknown, revoked or malformed."),
                                 headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
            rate_check(f"token:{token.pk}")
            request.user = token.owner
            return Caller(token.owner, token)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            # Read the body first: the CSRF check parses a form body, and the API reads it after.
            if request.method not in SAFE and (request.body is not None) and check_csrf(request) is not None:
                raise ApiProblem(403, "csrf_failed", _("A session request that writes needs its CSRF token "
                                                       "(the X-CSRFToken header)."))
            rate_check(f"user:{user.pk}")
            return Caller(user)
        if not self.anonymous:
            raise ApiProblem(401, "not_authenticated", _("Send an API token (Authorization: Bearer ...) or log in."),
                             headers={"WWW-Authenticate": "Bearer"})
        rate_check(f"addr:{_address(request)}")
        request.user = AnonymousUser()
        return Caller(request.user)

    def authenticate(self, request, token):  # the header is read in __call__
        return None


PUBLIC = ApiAuth(anonymous=True)
SIGNED_IN = ApiAuth(anonymous=False)
