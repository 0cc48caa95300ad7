"""Fixtures of the global stakeholder consultation: an activity in consultation, comments."""
import re

import pytest
from django.core import mail
from django.urls import reverse

from projects.consultation import services as gsc
from projects.cycle import ActivityState as A
from tests.web.conftest import as_user  # noqa: F401

LINK = re.compile(r"/consultation/confirm/([^/\s]+)/")


@pytest.fixture
def consulting(activity, advance_to):
    return advance_to(activity, A.CONSULTATION)


def comment_post(**overrides):
    data = {"gsc-author_name": "Abena Mensah", "gsc-organisation": "Friends of the Volta",
            "gsc-email": "abena@example.org", "gsc-text": "The baseline ignores the grid's new hydro plant.",
            "gsc-website": ""}
    data.update({f"gsc-{k}": v for k, v in overrides.items()})
    return data


def comment_url(activity):
    return reverse("consultation-comment", kwargs={"reference": activity.reference})


def last_token():
    return LINK.search(mail.outbox[-1].body).group(1)


@pytest.fixture
def submit(django_capture_on_commit_callbacks):
    """`submit(activity, **fields)`: a comment through the service, its e-mail sent; returns (comment, token)."""

    def run(activity, ip="198.51.100.7", **fields):
        data = {"author_name": "Abena Mensah", "organisation": "Friends of the Volta", "email": "abena@example.org",
                "text": "The baseline ignores the grid's new hydro plant."}
        data.update(fields)
        with django_capture_on_commit_callbacks(execute=True):
            comment = gsc.comment_submit(subject=activity, ip=ip, **data)
        return comment, last_token()

    return run


@pytest.fixture
def published_comment(submit, consulting):
    comment, token = submit(consulting)
    return gsc.comment_confirm(token=token)
