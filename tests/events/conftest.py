import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The personas' passwords are never checked here; hashing them is most of a test's setup."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

from tests.issuance.conftest import drive, period_over, registered, submit  # noqa: E402, F401  (fixtures, reused; test_chain.py has its own `registered`)
