"""Rule sets in the admin: published versions are never edited, new ones are published from them
(policy.md §1: "changing a parameter means publishing a new rule set version; the old one stays")."""
import datetime
from decimal import Decimal

import pytest
import time_machine
from django.forms.models import model_to_dict
from django.urls import reverse

from methodologies.models import RuleSet
from projects.cycle import ActivityState as A

TODAY = datetime.date.today()


def change_url(rule_set):
    return reverse("admin:methodologies_ruleset_change", args=[rule_set.pk])


def form_data(rule_set, **changes):
    """What the admin form posts for this rule set, with some values changed."""
    data = {k: ("" if v is None else v) for k, v in model_to_dict(rule_set, exclude=["id"]).items()}
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    data.update(changes)
    return {k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in data.items()}


def snapshot(rule_set):
    return model_to_dict(RuleSet.objects.get(pk=rule_set.pk))


@pytest.fixture
def in_force(db):
    """The rule set seeded by the migrations that is in force today (2025-08, from 2025-08-07)."""
    return RuleSet.objects.in_force(TODAY)


@pytest.fixture
def scheduled(db):
    return RuleSet.objects.create(version="next", effective_from=TODAY + datetime.timedelta(days=10))


def test_a_rule_set_in_force_is_shown_read_only(admin_client, in_force):
    page = admin_client.get(change_url(in_force))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="sop_rate"' not in html and 'name="effective_from"' not in html
    assert "0.0500" in html  # the value is shown, not offered for editing
    assert 'name="_save"' not in html
    assert f"copy_from={in_force.pk}" in html  # the way to the next version


def test_posting_changes_to_a_rule_set_in_force_changes_nothing(admin_client, in_force):
    before = snapshot(in_force)
    response = admin_client.post(change_url(in_force), form_data(in_force, sop_rate="0.0700", gsc_days="30"))
    assert response.status_code == 403
    assert snapshot(in_force) == before
    assert RuleSet.objects.count() == 3  # the seeded versions 2021-01, 2024-10 and 2025-08


def test_a_rule_set_in_force_cannot_be_deleted(admin_client, in_force):
    url = reverse("admin:methodologies_ruleset_delete", args=[in_force.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert RuleSet.objects.filter(pk=in_force.pk).exists()


def test_save_as_new_publishes_the_next_version_and_keeps_the_old(secretariat_client, in_force):
    """The secretariat (staff, not superuser) publishes 2027-01 from the rule set in force."""
    before = snapshot(in_force)
    copy = secretariat_client.get(reverse("admin:methodologies_ruleset_add") + f"?copy_from={in_force.pk}")
    assert copy.status_code == 200
    initial = copy.context["adminform"].form.initial
    assert initial["sop_rate"] == in_force.sop_rate and initial["gsc_days"] == in_force.gsc_days
    assert "version" not in initial and "effective_from" not in initial
    starts = TODAY + datetime.timedelta(days=30)
    response = secretariat_client.post(
        change_url(in_force),
        form_data(in_force, _saveasnew="Save as new", version="2027-01", effective_from=starts, gsc_days="35",
                  issuance_fee_per_unit_usd="0.15"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    new = RuleSet.objects.get(version="2027-01")
    assert new.pk != in_force.pk
    assert (new.effective_from, new.gsc_days, new.issuance_fee_per_unit_usd) == (starts, 35, Decimal("0.15"))
    assert new.sop_rate == in_force.sop_rate and new.omge_rounding == in_force.omge_rounding
    assert snapshot(in_force) == before
    # Until it takes effect the old one stays in force; from its date on, the new one applies.
    assert RuleSet.objects.in_force(TODAY) == in_force
    assert RuleSet.objects.in_force(starts) == new


def test_a_new_version_cannot_start_in_the_past(admin_client, in_force):
    response = admin_client.post(
        change_url(in_force),
        form_data(in_force, _saveasnew="Save as new", version="back", effective_from=TODAY - datetime.timedelta(days=1)),
    )
    assert response.status_code == 200
    assert "cannot take effect in the past" in response.content.decode()
    assert not RuleSet.objects.filter(version="back").exists()


def test_the_model_checks_apply(admin_client, in_force):
    """RuleSet.clean(): SOP + OMGE + the highest buffer rate must leave participants some units."""
    response = admin_client.post(
        change_url(in_force),
        form_data(in_force, _saveasnew="Save as new", version="greedy", effective_from=TODAY, sop_rate="0.5",
                  omge_min_rate="0.3", risk_rating_max_percent="30"),
    )
    assert response.status_code == 200
    assert "must leave participants some units" in response.content.decode()
    assert not RuleSet.objects.filter(version="greedy").exists()


def test_a_scheduled_rule_set_can_still_be_corrected(admin_client, scheduled):
    page = admin_client.get(change_url(scheduled)).content.decode()
    assert 'name="sop_rate"' in page and 'name="_saveasnew"' in page
    response = admin_client.post(change_url(scheduled), form_data(scheduled, appeal_days="21"))
    assert response.status_code == 302
    assert RuleSet.objects.get(pk=scheduled.pk).appeal_days == 21


def test_a_scheduled_rule_set_recorded_by_a_fee_is_frozen(admin_client, scheduled, activity, advance_to):
    """A fee assessed under a rule set records it (policy.md §1); that rule set is then never edited."""
    with time_machine.travel(scheduled.effective_from + datetime.timedelta(days=1)):
        activity = advance_to(activity, A.REGISTRATION_REQUESTED)
    assert activity.fees.get().rule_set == scheduled
    assert scheduled.effective_from > TODAY
    before = snapshot(scheduled)
    assert 'name="sop_rate"' not in admin_client.get(change_url(scheduled)).content.decode()
    assert admin_client.post(change_url(scheduled), form_data(scheduled, appeal_days="21")).status_code == 403
    assert snapshot(scheduled) == before


def test_the_list_tells_which_rule_set_is_in_force(admin_client, in_force, scheduled):
    old = RuleSet.objects.create(version="old", effective_from=datetime.date(2020, 6, 1))
    rows = admin_client.get(reverse("admin:methodologies_ruleset_changelist")).context["cl"].result_list
    standing = {r.version: r for r in rows}
    from methodologies.admin import RuleSetAdmin

    label = RuleSetAdmin.standing
    assert label(None, standing[in_force.version]) == "in force"
    assert label(None, standing["next"]) == "scheduled"
    assert label(None, standing[old.version]) == "superseded"
