"""Drafting and editing the PDD: good input saves through the service; bad input says why and saves nothing."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse

from methodologies.models import RuleSet
from pacm.events.models import Event, EventKind
from projects import services
from projects.cycle import ActivityState as A
from projects.models import Activity

from .. import factories as f
from .conftest import page_url


def form_data(world, version=None, **overrides):
    data = f.pdd_data(world.host, version or world.version)
    data.update(overrides)
    return {
        key: (value.pk if hasattr(value, "pk") else value.isoformat() if isinstance(value, datetime.date) else value)
        for key, value in data.items()
    }


def test_participant_drafts_an_activity(as_user, world):
    client = as_user(world.ama)
    response = client.post(reverse("activity-create"), form_data(world, title="Tema solar farm"))
    activity = Activity.objects.get(title="Tema solar farm")
    assert response.status_code == 302 and response.url == page_url(activity)
    assert activity.state == A.DRAFT and list(activity.participants.all()) == [world.orgs["dev"]]
    assert activity.estimated_annual == 40_000
    assert Event.objects.filter(stream=activity.stream, kind=EventKind.ACTIVITY_CREATED).count() == 1
    page = client.get(page_url(activity)).content.decode()
    assert "Tema solar farm" in page and "drafted" in page  # the success message


def test_crediting_period_before_the_earliest_start_is_refused(as_user, world):
    """rules.md §7.1, RMP 31(f): a crediting period may not start before 2021 (rule set value)."""
    earliest = RuleSet.objects.in_force().crediting_earliest_start
    start = earliest - datetime.timedelta(days=200)
    data = form_data(world, start_date=start, crediting_start=start, crediting_end=start + relativedelta(years=3))
    response = as_user(world.ama).post(reverse("activity-create"), data)
    assert response.status_code == 200
    assert f"A crediting period may not start before {earliest} (RMP 31(f))." in response.content.decode()
    assert not Activity.objects.exists()


def test_crediting_period_too_long_is_refused(as_user, world):
    """RMP 31(f): a renewable reductions period lasts at most the rule set's years."""
    years = RuleSet.objects.in_force().reductions_renewable_years
    start = datetime.date.today() - datetime.timedelta(days=30)
    data = form_data(world, crediting_end=start + relativedelta(years=years + 1))
    html = as_user(world.ama).post(reverse("activity-create"), data).content.decode()
    assert f"may last at most {years} years" in html
    assert "is-invalid" in html  # the message sits on the field
    assert not Activity.objects.exists()


@pytest.mark.parametrize("status", ["on_hold", "withdrawn"])
def test_methodology_version_not_approved_is_refused(as_user, world, status):
    """RMP 32: only an approved methodology version may be applied."""
    version = f.methodology_version("A6.4-AMM-009", status=status)
    html = as_user(world.ama).post(reverse("activity-create"), form_data(world, version)).content.decode()
    assert f"{version} is not an approved methodology version" in html
    assert not Activity.objects.exists()


def test_form_checks_shapes_at_the_edge(as_user, world):
    data = form_data(world, estimated_annual=0, start_date="2024-13-45")
    html = as_user(world.ama).post(reverse("activity-create"), data).content.decode()
    assert "Ensure this value is greater than or equal to 1." in html
    assert "Enter a valid date." in html
    assert not Activity.objects.exists()


def test_only_participants_may_draft(as_user, world):
    for user in (world.dora, world.dina, world.sam):
        client = as_user(user)
        assert client.get(reverse("activity-create")).status_code == 403
        assert client.post(reverse("activity-create"), form_data(world)).status_code == 403
    assert not Activity.objects.exists()
    assert as_user(None).get(reverse("activity-create")).status_code == 302  # to the login page


def test_participant_edits_the_draft(as_user, world, activity):
    client = as_user(world.ama)
    assert client.get(reverse("activity-edit", kwargs={"reference": activity.reference})).status_code == 200
    response = client.post(
        reverse("activity-edit", kwargs={"reference": activity.reference}), form_data(world, title="Kpone LFG v2")
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.title == "Kpone LFG v2"
    updated = Event.objects.get(stream=activity.stream, kind=EventKind.ACTIVITY_UPDATED)
    assert updated.payload["changed"] == ["title"]
    assert updated.payload["new"] == {"title": "Kpone LFG v2"} and set(updated.payload["old"]) == {"title"}


def test_edit_with_bad_input_changes_nothing(as_user, world, activity):
    years = RuleSet.objects.in_force().reductions_renewable_years
    start = activity.crediting_start
    data = form_data(world, title="Changed", crediting_end=start + relativedelta(years=years, days=5))
    html = (
        as_user(world.ama)
        .post(reverse("activity-edit", kwargs={"reference": activity.reference}), data)
        .content.decode()
    )
    assert f"may last at most {years} years" in html
    activity.refresh_from_db()
    assert activity.title == "Accra landfill gas flaring"
    assert not Event.objects.filter(stream=activity.stream, kind=EventKind.ACTIVITY_UPDATED).exists()


def test_edit_is_refused_after_the_draft_and_hidden_from_others(as_user, world, activity):
    url = reverse("activity-edit", kwargs={"reference": activity.reference})
    assert as_user(world.kofi).post(url, form_data(world, title="Hijack")).status_code == 404
    services.activity_notify_prior_consideration(activity=activity, user=world.ama)
    client = as_user(world.ama)
    assert client.get(url).status_code == 403
    assert client.post(url, form_data(world, title="Late change")).status_code == 403
    activity.refresh_from_db()
    assert activity.title == "Accra landfill gas flaring"
