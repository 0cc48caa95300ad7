"""RFC 9457 problem documents: every error of the API, with the stable code of the refusal."""
import json

from django.http import HttpResponse

PROBLEM_TYPE = "https://pacm.example/problems/"
CONTENT_TYPE = "application/problem+json"


class ApiProblem(Exception):
    """An error the API itself raises (authentication, rate limit, bad cursor, unknown write)."""

    def __init__(self, status, code, detail, *, field=None, headers=None, title=None, params=None):
        super().__init__(detail)
        self.status, self.code, self.detail, self.field = status, code, str(detail), field
        self.params = params
        self.headers = headers or {}
        self.title = title


TITLES = {400: "Bad request", 401: "Not authenticated", 403: "Refused", 404: "Not found", 405: "Method not allowed",
          409: "Conflict", 422: "Invalid input", 429: "Too many requests"}


def problem_response(*, status, code, detail, field=None, params=None, headers=None, title=None):
    body = {
        "type": PROBLEM_TYPE + code, "title": title or TITLES.get(status, "Error"), "status": status,
        "detail": detail, "code": code, "field": field,
    }
    if params:
        body["params"] = {k: str(v) for k, v in params.items()}
    response = HttpResponse(json.dumps(body), status=status, content_type=CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response
