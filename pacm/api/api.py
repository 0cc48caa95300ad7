"""The NinjaAPI of `/api/v1/`: authentication, problem documents, the docs, the caller's own view."""
from django.http import Http404
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from pacm.common.errors import Refused, ServiceError
from pacm.common.refusals import STALE_CODES
from pacm.common.retry import BUSY_MESSAGE, is_conflict

from .auth import PUBLIC
from .docs import VendoredSwagger
from .problems import CONTENT_TYPE, ApiProblem, problem_response
from .schemas import MeOut, Problem


class PacmApi(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        """Errors are documented as what they are: `application/problem+json` (RFC 9457)."""
        schema = super().get_openapi_schema(**kwargs)
        for operation in (op for path in schema["paths"].values() for op in path.values()):
            for status, response in operation.get("responses", {}).items():
                if str(status).startswith(("4", "5")) and "application/json" in response.get("content", {}):
                    response["content"] = {CONTENT_TYPE: response["content"]["application/json"]}
        return schema


api = PacmApi(
    title="pacm API", version="1", urls_namespace="api-v1", auth=PUBLIC, docs=VendoredSwagger(),
    docs_url="/docs", openapi_url="/openapi.json",
    description="The Article 6.4 mechanism's activities, requests and registry. Authenticate with "
                "`Authorization: Bearer <token>` (create one at /account/tokens/) or the browser's session. "
                "Errors are RFC 9457 problem documents with a stable `code`.",
)

ERRORS = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem, 429: Problem}


@api.exception_handler(ApiProblem)
def _api_problem(request, exc):
    return problem_response(status=exc.status, code=exc.code, detail=exc.detail, field=exc.field,
                            headers=exc.headers, title=exc.title, params=exc.params)


@api.exception_handler(ServiceError)
def _service_error(request, exc):
    # A stale page or a write no longer possible in the present state is a conflict (409), not a
    # denial: the caller may look again and act on what is there now (pacm issue 9).
    status = 409 if exc.code in STALE_CODES else 403 if isinstance(exc, Refused) else 400
    return problem_response(status=status, code=exc.code, detail=exc.message, field=exc.field, params=exc.params)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return problem_response(status=404, code="not_found", detail=str(exc) or _("Nothing here that you may see."))


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    first = exc.errors[0] if exc.errors else {}
    loc = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path", "payload")]
    return problem_response(status=422, code="invalid_input", detail=str(first.get("msg", _("Invalid input."))),
                            field=".".join(loc) or None)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return problem_response(status=401, code="not_authenticated", detail=_("Send an API token or log in."))


@api.exception_handler(HttpError)
def _http_error(request, exc):
    return problem_response(status=exc.status_code, code="http_error", detail=str(exc))


@api.exception_handler(RawPostDataException)
def _body_not_json(request, exc):
    # A form or multipart body, already parsed by the site's middleware: the API reads JSON only.
    return problem_response(status=400, code="body_not_json", detail=_("Send the body as application/json."))


@api.exception_handler(Exception)
def _conflict_or_raise(request, exc):
    # A deadlock or serialization failure outside a retrying block: nothing was changed (409).
    if is_conflict(exc):
        return problem_response(status=409, code="busy", detail=str(BUSY_MESSAGE))
    raise exc


@api.get("/me", response={200: MeOut, **ERRORS}, tags=["account"], summary="Who the API takes you for")
def me(request):
    user, token = request.auth.user, request.auth.token
    if not user.is_authenticated:
        return {"authenticated": False, "organisations": []}
    from pacm.parties.models import Organisation

    names = list(Organisation.objects.filter(memberships__user=user).order_by("name").values_list("name", flat=True))
    return {"username": user.get_username(), "authenticated": True, "organisations": names,
            "token": None if token is None else {
                "id": token.pk, "name": token.name, "prefix": token.prefix, "created_at": token.created_at.isoformat(),
                "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None, "revoked": False}}
