"""The profile page (/account/): details, memberships, notification settings per kind, and the
API tokens link only when that page exists (pacm issue 9)."""
from django.core import mail
from django.urls import reverse

from pacm.notifications.models import Notification, NotificationOptOut, email_enabled
from pacm.notifications.services import notification_email
from pacm.parties.models import Membership
from pacm.people.views import notification_kinds


def test_the_profile_shows_the_person_and_their_memberships(client, world):
    Membership.objects.filter(user=world.ama).update(is_admin=True)
    client.force_login(world.ama)
    page = client.get(reverse("account"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "ama@example.org" in body and "Kpone Green Energy" in body
    assert reverse("organisation-people", args=[world.orgs["dev"].pk]) in body
    assert 'id="kind-activity"' in body and 'id="kind-period"' in body
    # The API tokens page (pacm.api) is linked from the profile.
    assert f'href="{reverse("api-tokens")}" id="api-tokens-link"' in body


def test_the_profile_needs_a_login(client, db):
    response = client.get(reverse("account"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_opting_out_of_one_kind_stops_its_email_only(client, world):
    client.force_login(world.ama)
    # Everything on but the period kind.
    data = {"email_enabled": "on", "kind_activity": "on", "kind_account": "on"}
    assert client.post(reverse("account-notifications"), data).status_code == 302
    assert set(NotificationOptOut.objects.filter(user=world.ama).values_list("machine", flat=True)) >= {"period"}
    assert "activity" not in set(NotificationOptOut.objects.filter(user=world.ama).values_list("machine", flat=True))
    assert email_enabled(world.ama) and not email_enabled(world.ama, machine="period")
    on = Notification.objects.create(recipient=world.ama, machine="activity", subject_pk=1, write="w", key="k1",
                                     subject_line="Activity news")
    off = Notification.objects.create(recipient=world.ama, machine="period", subject_pk=1, write="w", key="k2",
                                      subject_line="Period news")
    assert notification_email(notification_id=on.pk) is True
    assert notification_email(notification_id=off.pk) is False
    assert [m.subject for m in mail.outbox] == ["Activity news"]
    # Back on.
    everything = {"email_enabled": "on", **{f"kind_{m}": "on" for m in notification_kinds()}}
    client.post(reverse("account-notifications"), everything)
    assert not NotificationOptOut.objects.filter(user=world.ama).exists()
