"""Fixtures for the run/admin/demo-data tests."""
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command


@pytest.fixture
def demo(db):
    """The demo data, loaded the way `make run` loads it; returns what the command printed."""
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def secretariat_client(client, demo):
    """A browser session of the demo's secretariat officer (staff, in the Secretariat group)."""
    client.force_login(get_user_model().objects.get(username="secretariat"))
    return client
