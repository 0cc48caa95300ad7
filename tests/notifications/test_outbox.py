"""The outbox: a task run twice creates and sends nothing twice; e-mail off keeps the row and
sends nothing; an SMTP error is retried; the page lists only the person's own notifications."""
import smtplib

import pytest
from django.core import mail
from django.urls import reverse

from pacm.engine.tasks import notify_write
from pacm.notifications import services as nservices
from pacm.notifications.models import Notification
from pacm.notifications.tasks import notifications_email
from projects import services
from projects.cycle import ActivityState as A


@pytest.fixture
def validated(world, activity, reach):
    return reach(activity, A.VALIDATED)


def _request(world, activity, told):
    services.host_approval_issue(activity=activity, user=world.dina, sd_confirmation="Fosters SD.",
                                 ndc_relation="Within NDC scope.", authorized_participants=[world.orgs["dev"]])
    import datetime

    services.authorization_statement_issue(activity=activity, user=world.dina, uses="ndc",
                                           effective_from=datetime.date(2021, 1, 1))
    return told("request_registration",
                lambda: services.activity_request_registration(activity=activity, user=world.dora))


def test_the_write_is_mailed_once_to_each_person_told(world, validated, told):
    mail.outbox.clear()
    usernames, rows = _request(world, validated, told)
    assert usernames == {"ama", "sam"}
    assert sorted(m.to[0] for m in mail.outbox) == ["ama@example.org", "sam@example.org"]
    assert all(r.emailed_at is not None and r.read_at is None for r in Notification.objects.filter(pk__in=[r.pk for r in rows]))
    assert mail.outbox[0].subject == f"[pacm] {validated.reference}: Submit the registration request"
    assert f"/activities/{validated.reference}/" in mail.outbox[0].body


def test_a_task_run_twice_creates_no_second_row_and_sends_no_second_mail(world, validated, django_capture_on_commit_callbacks):
    from pacm.engine.tasks import notify_write as task

    _ = task
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notify_write("activity", validated.pk, "validate", world.dora.pk, "key-1")
    first = set(Notification.objects.values_list("pk", "recipient__username"))
    sent = len(mail.outbox)
    assert {u for _pk, u in first} == {"ama", "dina"} and sent == 2
    with django_capture_on_commit_callbacks(execute=True):
        notify_write("activity", validated.pk, "validate", world.dora.pk, "key-1")
        notifications_email.delay([pk for pk, _u in first])
    assert set(Notification.objects.values_list("pk", "recipient__username")) == first
    assert len(mail.outbox) == sent
    # Another committed write (another key) is told again.
    with django_capture_on_commit_callbacks(execute=True):
        notify_write("activity", validated.pk, "validate", world.dora.pk, "key-2")
    assert Notification.objects.count() == 4 and len(mail.outbox) == 4


def test_email_off_keeps_the_row_and_sends_no_mail(world, validated, told):
    nservices.notification_preference_set(user=world.sam, email_enabled=False)
    mail.outbox.clear()
    usernames, rows = _request(world, validated, told)
    assert usernames == {"ama", "sam"}
    assert [m.to for m in mail.outbox] == [["ama@example.org"]]
    sam_row = Notification.objects.get(recipient=world.sam)
    assert sam_row.emailed_at is None


def test_an_smtp_error_leaves_the_row_unsent_for_a_bounded_retry(world, validated, monkeypatch):
    from pacm.notifications import services as module

    row = Notification.objects.create(recipient=world.ama, machine="activity", subject_pk=validated.pk,
                                      write="validate", key="k", subject_line="s", url="/")
    real = module.send_mail

    def down(*args, **kw):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr(module, "send_mail", down)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        notifications_email.run([row.pk])
    row.refresh_from_db()
    assert row.emailed_at is None
    assert smtplib.SMTPException in notifications_email.autoretry_for and notifications_email.max_retries == 5
    monkeypatch.setattr(module, "send_mail", real)
    mail.outbox.clear()
    assert notifications_email.run([row.pk]) == 1 and notifications_email.run([row.pk]) == 0
    assert len(mail.outbox) == 1


def _login(client, user):
    client.force_login(user)
    return client


def test_the_page_lists_only_my_notifications_and_counts_the_unread(world, validated, told, client):
    _request(world, validated, told)
    ama_row = Notification.objects.get(recipient=world.ama)
    sam_row = Notification.objects.get(recipient=world.sam)
    _login(client, world.ama)
    page = client.get(reverse("notifications"))
    html = page.content.decode()
    assert page.status_code == 200
    assert f'data-notification="{ama_row.pk}"' in html and f'data-notification="{sam_row.pk}"' not in html
    assert 'id="unread-count">1<' in html
    # Opening marks it read and goes to the subject's page.
    opened = client.post(reverse("notification-open", args=[ama_row.pk]))
    assert opened.status_code == 302 and opened.url == f"/activities/{validated.reference}/"
    ama_row.refresh_from_db()
    assert ama_row.read_at is not None
    assert 'id="unread-count"' not in client.get(reverse("notifications")).content.decode()
    # Another person's notification: not found, and left unread.
    assert client.post(reverse("notification-open", args=[sam_row.pk])).status_code == 404
    sam_row.refresh_from_db()
    assert sam_row.read_at is None
    # Opening is a POST.
    assert client.get(reverse("notification-open", args=[ama_row.pk])).status_code == 405


def test_a_person_with_no_notifications_sees_none(world, validated, told, client):
    _request(world, validated, told)
    html = _login(client, world.kofi).get(reverse("notifications")).content.decode()
    assert "No notifications yet." in html and 'id="unread-count"' not in html


def test_the_preference_toggle(world, client):
    _login(client, world.sam)
    assert 'id="email-enabled" name="email_enabled" checked' in client.get(reverse("notifications")).content.decode()
    client.post(reverse("notification-preference"), {})
    assert world.sam.notification_preference.email_enabled is False
    client.post(reverse("notification-preference"), {"email_enabled": "on"})
    world.sam.notification_preference.refresh_from_db()
    assert world.sam.notification_preference.email_enabled is True


def test_the_list_is_paginated_newest_first(world, client):
    for i in range(30):
        Notification.objects.create(recipient=world.ama, machine="activity", subject_pk=1, write="w", key=str(i),
                                    subject_line=f"note {i:02d}", url="/")
    _login(client, world.ama)
    first = client.get(reverse("notifications")).content.decode()
    second = client.get(reverse("notifications") + "?page=2").content.decode()
    assert "note 29" in first and "note 05" in first and "note 04" not in first
    assert "note 04" in second and "note 00" in second and "note 29" not in second
    assert first.index("note 29") < first.index("note 28")
