"""Fixtures of the transition tests: the logged-in client per persona (tests/web)."""
from tests.web.conftest import as_user  # noqa: F401 (fixture)
