"""schemathesis against the OpenAPI document, in-process (the WSGI app): no 5xx, and every
response conforms to the document (status, content type, body). A modest number of examples per
operation keeps it in the normal suite; the calls run as ama with a token, on a small world."""
import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from pacm.api.tokens import api_token_create
from projects.cycle import ActivityState as A

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 12


@pytest.fixture
def caller(world, activity, advance_to, settings):
    settings.PACM_API_RATE_PER_MINUTE = 0  # the limit has its own test
    settings.ALLOWED_HOSTS = ["*"]
    advance_to(activity, A.CONSULTATION)
    # The raw WSGI app ends each request with close_old_connections, which closes a PostgreSQL
    # connection held inside the test's transaction; Django's test client unhooks it the same way.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield {"Authorization": f"Bearer {api_token_create(user=world.ama, name='schemathesis')[1]}"}
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_the_api_conforms_to_its_openapi_document(case, caller):
    case.call_and_validate(headers=caller, checks=CHECKS)
