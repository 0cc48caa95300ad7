import pytest
from django.core.cache import cache
from django.test import Client

from pacm.api.tokens import api_token_create
from tests.issuance.conftest import (  # noqa: F401  (fixtures, for test_reversals, test_issuance_confirm)
    awaiting_confirmation,
    drive,
    period_over,
    registered,
    submit,
)
from tests.registry.conftest import reg  # noqa: F401  (the registry's world, for test_registry)
from tests.web_registry.conftest import removals  # noqa: F401


@pytest.fixture(autouse=True)
def _fresh_rate_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def bearer(db):
    """bearer(user) -> a Client that sends a fresh API token of `user`."""

    def make(user):
        _token, secret = api_token_create(user=user, name="tests")
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    return make
