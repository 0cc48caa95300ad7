"""Fixtures for the rules of pacm issue 6 §5: the issuance fixtures and a logged-in client per persona."""

from tests.issuance.conftest import drive, period_dates, period_over, registered, submit  # noqa: F401 (fixtures)
from tests.web.conftest import as_user  # noqa: F401
from tests.web_registry.conftest import removals, verified  # noqa: F401
