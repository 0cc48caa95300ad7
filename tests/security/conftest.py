"""Fixtures for the security tests: the web pages' (a client per persona, a published activity)
and the issuance ones (a registered activity, a period driven to a state)."""
from tests.issuance.conftest import drive, period_over, registered, submit  # noqa: F401 (fixtures)
from tests.web.conftest import as_user, published  # noqa: F401
