"""What the activity page and the dashboard show: PDD, parties, host documents, due dates, timeline."""

import datetime

import time_machine
from django.urls import reverse

from methodologies.models import RuleSet
from projects import services
from projects.cycle import ActivityState as A

from .. import factories as f
from .conftest import page_url


def test_page_shows_the_timeline_with_actors_roles_states_and_hashes(as_user, world, published):
    html = as_user(world.ama).get(page_url(published)).content.decode()
    pdd = published.documents.get(kind="pdd").versions.get()
    assert "State changed: Validation contracted → Global stakeholder consultation" in html
    assert "dora · Terra Verification · Designated operational entity" in html
    assert "ama · Kpone Green Energy · Activity participant" in html
    assert html.count(pdd.sha256) >= 3  # the documents table, the upload event, the publication event's payload
    assert "Documents at this step (1)" in html


def test_page_shows_due_date_and_days_left_from_the_rule_set(client, world, published):
    """policy.md §3: the consultation lasts the rule set's gsc_days; the page says how long is left."""
    days = RuleSet.objects.in_force().gsc_days
    html = client.get(page_url(published)).content.decode()
    assert f"{days} days left" in html
    with time_machine.travel(published.due_at + datetime.timedelta(days=2), tick=False):
        html = client.get(page_url(published)).content.decode()
    assert "2 days overdue" in html


def test_page_shows_every_version_of_host_approval_and_statement(as_user, world, published):
    for i in (1, 2):
        services.host_approval_issue(
            activity=published,
            user=world.dina,
            sd_confirmation=f"SD text {i}",
            ndc_relation=f"NDC text {i}",
            authorized_participants=[world.orgs["dev"]],
        )
        services.authorization_statement_issue(
            activity=published,
            user=world.dina,
            uses="mc",
            effective_from=datetime.date(2026, 1, i),
            change_terms=f"Terms {i}",
        )
    html = as_user(None).get(page_url(published)).content.decode()
    for text in (
        "SD text 1",
        "SD text 2",
        "NDC text 1",
        "Terms 1",
        "Terms 2",
        "Not authorized: mitigation contribution A6.4ERs",
    ):
        assert text in html
    assert "Kpone Green Energy" in html and "Terra Verification" in html


def test_dashboard_queue_shows_days_left_and_overdue(as_user, world, activity, advance_to):
    activity = advance_to(activity, A.COMPLETENESS_CHECK)
    days = RuleSet.objects.in_force().completeness_check_days
    client = as_user(world.sam)
    html = client.get(reverse("dashboard")).content.decode()
    assert activity.reference in html and f"{days} days left" in html
    assert "Fees awaiting payment" in html and "No fee is due." in html
    with time_machine.travel(activity.due_at + datetime.timedelta(days=3), tick=False):
        client = as_user(world.sam)
        assert "3 days overdue" in client.get(reverse("dashboard")).content.decode()
    # Not the participant's turn: its queue is empty, its own list still shows the activity.
    html = as_user(world.ama).get(reverse("dashboard")).content.decode()
    assert "Nothing waits for you right now." in html and activity.reference in html and "New activity" in html


def test_dashboard_lists_due_fees_for_the_secretariat_only(as_user, world, activity, advance_to):
    activity = advance_to(activity, A.REGISTRATION_REQUESTED)
    html = as_user(world.sam).get(reverse("dashboard")).content.decode()
    assert "Fees awaiting payment" in html and "Registration fee" in html
    assert "Fees awaiting payment" not in as_user(world.dora).get(reverse("dashboard")).content.decode()


def test_dashboard_needs_login(client, world):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and reverse("login") in response.url


def test_participant_in_two_organisations_chooses_on_whose_behalf(as_user, world):
    from pacm.parties.models import Membership

    Membership.objects.create(user=world.ama, organisation=world.orgs["dev2"])
    data = {
        k: (v.pk if hasattr(v, "pk") else v.isoformat() if isinstance(v, datetime.date) else v)
        for k, v in f.pdd_data(world.host, world.version, title="Joint venture").items()
    }
    client = as_user(world.ama)
    assert "On behalf of" in client.get(reverse("activity-create")).content.decode()
    assert "This field is required." in client.post(reverse("activity-create"), data).content.decode()
    client.post(reverse("activity-create"), {**data, "organisation": world.orgs["dev2"].pk})
    from projects.models import Activity

    assert list(Activity.objects.get(title="Joint venture").participants.all()) == [world.orgs["dev2"]]


def test_the_timeline_reads_payload_keys_as_words_never_raw_snake_case(as_user, world, activity, advance_to):
    """pacm issue 9 ("People"): the timeline's payload fields (fee, approval, authorization, uploads)
    read as words: no `snake_case:` key in the timeline."""
    import re

    registered = advance_to(activity, A.REGISTERED)
    html = as_user(world.ama).get(page_url(registered)).content.decode()
    timeline = re.search(r'<ol class="timeline">.*?</ol>', html, re.S).group(0)
    assert "First transfer: " in timeline and "Fee status: " in timeline and "SOP exemption opt out: " in timeline
    assert re.findall(r"\b[a-z]+_[a-z_]+:", timeline) == []
