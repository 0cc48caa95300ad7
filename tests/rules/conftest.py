"""Fixtures for the rules of pacm issue 6 §5: the issuance fixtures and a logged-in client per persona."""

from tests.issuance.conftest import drive, period_dates, period_over, registered, submit  # noqa: F401 (fixtures)
from tests.projects.conftest import approve_host  # noqa: F401
from tests.projects.test_fees import requested  # noqa: F401
from tests.web.conftest import as_user  # noqa: F401
