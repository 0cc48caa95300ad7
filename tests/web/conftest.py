"""Fixtures for the web pages: a logged-in client per persona, and parsing helpers."""

import re

import pytest
from django.urls import reverse

from projects.cycle import ActivityState as A


@pytest.fixture
def as_user(client):
    """`as_user(world.ama)` logs the client in as that persona and returns it."""

    def login(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return login


@pytest.fixture
def published(activity, advance_to):
    """The persona's activity, published for global stakeholder consultation (public from here)."""
    return advance_to(activity, A.CONSULTATION)


def page_url(activity):
    return reverse("activity-detail", kwargs={"reference": activity.reference})


def do_url(activity, name):
    return reverse("activity-transition", kwargs={"reference": activity.reference, "name": name})


_FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S)


def transition_buttons(html):
    """{transition name: disabled?} for every transition form on an activity page."""
    buttons = {}
    for form in _FORM.findall(html):
        match = re.search(r'action="[^"]*/do/([a-z_]+)/"', form)
        if match:
            button = re.search(r"<button\b[^>]*>", form).group(0)
            buttons[match.group(1)] = " disabled" in button
    return buttons


def form_actions(html):
    """The action URLs of every form on the page."""
    return [m for m in re.findall(r'<form\b[^>]*action="([^"]+)"', html)]
