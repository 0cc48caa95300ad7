"""Fixtures and helpers for the hardening tests (issue 11): the scenes of the cycle, what the
database and the media folder hold, so a refusal can be shown to have written nothing."""
import datetime
import os

import pytest
from django.apps import apps

from tests.issuance.conftest import drive, period_over, registered, submit  # noqa: F401 (fixtures)
from tests.web.conftest import as_user  # noqa: F401
from tests.web_registry.conftest import claims_post, issuance_post, management, removals, verified  # noqa: F401

APPS = ("projects", "reversals", "registry", "events", "methodologies", "parties", "consultation", "transition")


def rows():
    """Every row of the project's own tables: a refusal must leave them exactly as they were."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values_list())
        for label in APPS
        for model in apps.get_app_config(label).get_models()
    }


def counts():
    return {label: len(values) for label, values in rows().items()}


def stored_files(settings):
    root = str(settings.MEDIA_ROOT)
    if not os.path.exists(root):
        return []
    return sorted(os.path.join(d, n) for d, _, names in os.walk(root) for n in names)


def iso(value):
    return value.isoformat() if isinstance(value, datetime.date) else value


@pytest.fixture
def issued(world, removals, submit, drive):  # noqa: F811
    """A removals activity whose first period is issued: 30,000 units (vintage of its start)."""
    from projects.cycle import PeriodState as P

    drive(submit(removals), P.ISSUED)
    return removals


def observed_event(world, activity, *, until="assessment"):
    """An observed event of `activity`, notified and suspended (para 44), optionally taken on to a
    verified monitoring report of the event (para 47)."""
    from django.utils import timezone

    from projects.reversals import services as rev
    from tests import factories as f

    today = timezone.localdate()
    event = rev.observed_event_notify(
        activity=activity, user=world.ama, description="Wildfire", location="Compartment 4",
        occurred_from=today - datetime.timedelta(days=9), occurred_to=today - datetime.timedelta(days=8),
        aware_on=today - datetime.timedelta(days=8))
    event = rev.event_suspend_units(event=event, user=world.sofia, comment="Para 44")
    if until == "full_verified":
        event = rev.event_conclude_reversal(event=event, user=world.ama, comment="Biomass lost")
        event = rev.event_submit_full_report(event=event, user=world.ama, report=f.pdf("event-report.pdf"))
        event = rev.event_verify_full_report(event=event, user=world.dora, comment="Verified")
    return event
