"""Browser-test plumbing: Debian's Chromium, driven by Playwright, against Django's live server.

- The browser is the system package at /usr/bin/chromium (PACM_CHROMIUM overrides the path);
  never `playwright install`. Without it the tests here skip with that reason, unless
  PACM_REQUIRE_CHROMIUM is set (CI), where a missing browser stops the run instead.
- Every test here is marked `e2e` and runs on a transactional database (the live server thread
  must see committed rows), with serialized rollback so the reference rows the migrations
  seeded (sectoral scopes, the first rule set, the mechanism accounts) are there for each test.
- They run last. Playwright keeps an event loop running in the test thread from the first
  browser test to the end of the session, and while it runs Django hands that thread a second
  database connection, one without the seeded rows Django kept for serialized rollback; other
  transactional tests after them would find an empty database. `_seeded_rows_restored` gives
  that connection the rows for the browser tests themselves.
- `page.goto("/...")` resolves against the live server; `login(user)` signs the page in.
- The context prefers reduced motion: no Bootstrap transition runs while a test acts (issue 11).
"""
import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("PACM_CHROMIUM", "/usr/bin/chromium"))
HERE = Path(__file__).resolve().parent

# Playwright's sync API keeps an event loop in the test's thread; the test's own ORM calls
# (builders, assertions) are still plain synchronous calls, so Django may allow them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    mine = [item for item in items if HERE in Path(str(item.fspath)).resolve().parents]
    if not mine:
        return
    missing = not CHROMIUM.exists()
    if missing and os.environ.get("PACM_REQUIRE_CHROMIUM"):
        raise pytest.UsageError(f"PACM_REQUIRE_CHROMIUM is set but {CHROMIUM} is missing (apt-get install chromium).")
    chosen = set(mine)
    items[:] = [item for item in items if item not in chosen] + mine
    for item in mine:
        item.add_marker(pytest.mark.e2e)
        if item.get_closest_marker("django_db") is None:
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))
        if missing:
            item.add_marker(pytest.mark.skip(
                reason=f"browser test: {CHROMIUM} is missing (install Debian's chromium package to run it)"
            ))


@pytest.fixture(scope="session", autouse=True)
def _seeded_rows(django_db_setup):
    """The rows Django serialized after migrating, read before any browser starts its loop."""
    from django.db import connections

    return getattr(connections["default"], "_test_serialized_contents", None)


@pytest.fixture(autouse=True)
def _seeded_rows_restored(_seeded_rows, transactional_db):
    from django.db import connections

    connection = connections["default"]
    if _seeded_rows and not hasattr(connection, "_test_serialized_contents"):
        connection._test_serialized_contents = _seeded_rows
        connection.creation.deserialize_db_from_string(_seeded_rows)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [*browser_type_launch_args.get("args", []), "--no-sandbox", "--disable-dev-shm-usage"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """The browser asks for reduced motion, as some people's do: Bootstrap then folds and unfolds
    forms, fades alerts and opens dialogs at once (its CSS drops the transitions, its JS the wait),
    so no test acts on an element still moving (issue 11). `reveal` in pages.py waits all the same."""
    return {**browser_context_args, "reduced_motion": "reduce"}


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server.url


@pytest.fixture
def login(context, live_server):
    """login(user): the browser context carries a session of `user` (no login form involved)."""
    from django.conf import settings
    from django.test import Client

    def sign_in(user):
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.clear_cookies()
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}])
        return user

    return sign_in
