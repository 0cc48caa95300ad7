"""Fixtures for the activity-cycle tests (the personas and `advance_to` are in tests/conftest.py)."""
import datetime

import pytest

from methodologies.models import RuleSet
from projects import services
from projects.cycle import ActivityState as A
from projects.models import Activity

from .. import factories as f


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The personas' passwords are never checked here; hashing them is most of a test's setup."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def new_activity(world):
    """A fresh draft activity by ama (or another participant), PDD fields overridable."""

    def make(user=None, **overrides):
        return services.activity_create(user=user or world.ama, **f.pdd_data(world.host, world.version, **overrides))

    return make


@pytest.fixture
def reach(world, advance_to):
    """`advance_to`, plus the states off the main path: SB review and request incomplete."""

    def go(activity, state):
        if state == A.UNDER_SB_REVIEW:
            activity = advance_to(activity, A.REVIEW_WINDOW)
            services.activity_request_review(activity=activity, user=world.sofia, comment="Review the baseline.")
        elif state == A.TERMINATION_REQUESTED:
            # A6.4-STAN-METH-002 v01.0 para 28: a removals activity after its crediting period.
            from .support import post_crediting

            activity = advance_to(activity, A.REGISTERED)
            post_crediting(activity)
            services.activity_request_monitoring_termination(
                activity=activity, user=world.ama, ground="negligible_risk", comment="Stored in peat: negligible risk.")
        elif state == A.REQUEST_INCOMPLETE:
            activity = advance_to(activity, A.COMPLETENESS_CHECK)
            services.activity_return_incomplete(activity=activity, user=world.sam, comment="Annex 3 is missing.")
        else:
            activity = advance_to(activity, state)
        activity = Activity.objects.get(pk=activity.pk)
        assert activity.state == state
        return activity

    return go


@pytest.fixture
def distinct_timers(db):
    """A rule set in force with a different number of days for every timer, so that a timer
    started from the wrong rule-set key cannot pass unnoticed (policy.md §3)."""
    return RuleSet.objects.create(
        version="test-timers",
        effective_from=datetime.date(2025, 8, 8),  # after the seeded 2025-08 (PROC-AC-002 v03.0 levels)
        prior_consideration_days=181,
        gsc_days=29,
        completeness_check_days=8,
        information_check_days=22,
        registration_review_days=31,
        issuance_review_days=15,
        appeal_days=16,
        registration_appeal_days=27,
        missing_information_days=13,
    )


@pytest.fixture
def approve_host(world):
    """The host DNA's approval and an NDC authorization statement (RMP 40-42)."""

    def issue(activity, *, statement=True):
        services.host_approval_issue(
            activity=activity, user=world.dina, sd_confirmation="Fosters SD.", ndc_relation="Within NDC scope.",
            authorized_participants=[world.orgs["dev"]],
        )
        if statement:
            services.authorization_statement_issue(
                activity=activity, user=world.dina, uses="ndc", effective_from=datetime.date(2021, 1, 1)
            )

    return issue
