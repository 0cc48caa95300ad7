"""The admin shows the cycle's records but changes none of them: writes go through the services."""
import pytest
from django.contrib import admin
from django.urls import reverse

from pacm.parties.models import Membership, Party
from projects.cycle import ActivityState as A
from projects.models import Activity


def test_the_activity_page_does_not_allow_changing_the_state(admin_client, admin_user, world, activity):
    # The admin shows a draft only to someone the site shows it to (issue 11): one of its participants.
    Membership.objects.create(user=admin_user, organisation=world.orgs["dev"])
    url = reverse("admin:projects_activity_change", args=[activity.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert activity.reference in html and "Draft" in html
    assert 'name="state"' not in html and 'name="title"' not in html and 'name="_save"' not in html
    response = admin_client.post(url, {"state": A.REGISTERED, "title": "Renamed"})
    assert response.status_code == 403
    activity = Activity.objects.get(pk=activity.pk)
    assert (activity.state, activity.title) == (A.DRAFT, "Accra landfill gas flaring")
    assert activity.events.count() == 1  # only its creation


@pytest.mark.parametrize("action", ["add", "delete"])
def test_activities_are_neither_added_nor_deleted_in_the_admin(admin_client, activity, action):
    args = [] if action == "add" else [activity.pk]
    response = admin_client.post(reverse(f"admin:projects_activity_{action}", args=args), {"post": "yes"})
    assert response.status_code == 403
    assert Activity.objects.filter(pk=activity.pk).exists()


def test_the_records_of_a_registration_request_are_read_only(admin_client, activity, advance_to):
    activity = advance_to(activity, A.REGISTRATION_REQUESTED)
    for model, obj in (
        ("document", activity.documents.first()),
        ("hostapproval", activity.host_approvals.get()),
        ("authorizationstatement", activity.authorization_statements.get()),
        ("fee", activity.fees.get()),
    ):
        url = reverse(f"admin:projects_{model}_change", args=[obj.pk])
        assert admin_client.get(url).status_code == 200, model
        assert admin_client.post(url, {}).status_code == 403, model
    fee = activity.fees.get()
    assert fee.status == "due"


def test_every_admin_list_renders(admin_client, activity, advance_to):
    """No admin list breaks (each list_display column is real), with data in the cycle's tables."""
    advance_to(activity, A.REGISTRATION_REQUESTED)
    for model in admin.site._registry:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert admin_client.get(url).status_code == 200, url


def test_the_secretariat_sees_the_cycle_but_cannot_edit_reference_data(secretariat_client):
    assert secretariat_client.get(reverse("admin:projects_activity_changelist")).status_code == 200
    party_url = reverse("admin:parties_party_change", args=[Party.objects.get(iso2="GH").pk])
    page = secretariat_client.get(party_url)
    assert page.status_code == 200 and 'name="name"' not in page.content.decode()
    assert secretariat_client.post(party_url, {"name": "Renamed"}).status_code == 403

