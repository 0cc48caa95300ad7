"""The renewal's pages: the request on the activity page from `available_actions`, the renewal's own
page with each role's forms, bad input shown on the form with nothing saved."""
import datetime

import pytest
from django.urls import reverse
from django.utils.formats import date_format

from projects.renewals.cycle import RenewalState as S
from projects.renewals.models import CPRenewal, RenewalRequest
from tests import factories as f

from .helpers import registered_renewable, request
from .poa_helpers import included_cp, registered_poa

pytestmark = pytest.mark.django_db


def _at(clock, day):
    clock.move_to(datetime.datetime.combine(day, datetime.time(9), tzinfo=datetime.UTC), tick=False)


def _post(world, **overrides):
    data = {"renewal-validation_doe": world.orgs["doe2"].pk, "renewal-baseline_update": "Updated baseline.",
            "renewal-additionality_update": "", "renewal-estimated_annual": "45000",
            "renewal-design": f.pdf("pdd-v2.pdf", content=f.pdf_bytes("web renewal"))}
    data.update(overrides)
    return data


def test_the_activity_page_offers_the_request_to_its_participants_only(world, advance_to, client, time_machine):
    activity = registered_renewable(world, advance_to)
    _at(time_machine, activity.crediting_end - datetime.timedelta(days=100))
    page = reverse("activity-detail", kwargs={"reference": activity.reference})
    url = reverse("renewal-open", kwargs={"kind": "project", "reference": activity.reference})
    client.force_login(world.ama)
    body = client.get(page).content.decode()
    assert 'id="renewals"' in body and url in body
    client.force_login(world.kofi)
    assert url not in client.get(page).content.decode()
    assert client.post(url, _post(world)).status_code in (403, 404)
    assert not RenewalRequest.objects.exists()
    client.force_login(world.ama)
    response = client.post(url, _post(world, **{"renewal-baseline_update": ""}))
    assert response.status_code == 400 and not RenewalRequest.objects.exists()
    response = client.post(url, _post(world, **{"renewal-estimated_annual": "-5"}))
    assert response.status_code == 400 and not RenewalRequest.objects.exists()
    response = client.post(url, _post(world))
    assert response.status_code == 302
    renewal = RenewalRequest.objects.get()
    assert renewal.state == S.UNDER_VALIDATION and renewal.validation_doe == world.orgs["doe2"]


def test_the_renewal_page_shows_each_role_its_forms(world, advance_to, client, time_machine):
    activity = registered_renewable(world, advance_to)
    _at(time_machine, activity.crediting_end - datetime.timedelta(days=100))
    renewal = request(world, activity)
    page = reverse("renewal-detail", kwargs={"pk": renewal.pk})
    act = reverse("renewal-act", kwargs={"pk": renewal.pk, "name": "validate_renewal"})
    assert client.get(page).status_code == 404  # not published: the public does not see it
    client.force_login(world.nils)
    assert client.get(page).status_code == 404
    client.force_login(world.dora)
    assert client.get(page).status_code == 404 and client.post(act, {}).status_code == 404
    client.force_login(world.ama)
    body = client.get(page).content.decode()
    assert act not in body and "withdraw" in body
    assert client.post(act, {"w-validate_renewal-expected_state": S.UNDER_VALIDATION}).status_code == 403
    client.force_login(world.otto)
    assert act in client.get(page).content.decode()
    response = client.post(act, {"w-validate_renewal-expected_state": S.UNDER_VALIDATION})
    assert response.status_code == 400 and RenewalRequest.objects.get().state == S.UNDER_VALIDATION
    response = client.post(act, {"w-validate_renewal-expected_state": S.UNDER_VALIDATION,
                                 "w-validate_renewal-report": f.pdf("vr.pdf", content=f.pdf_bytes("web VR"))})
    assert response.status_code == 302 and RenewalRequest.objects.get().state == S.VALIDATED


def test_the_cp_page_offers_the_notification_to_its_doe(world, client, time_machine):
    poa = registered_poa(world, years=20)
    cp = included_cp(world, poa)
    _at(time_machine, cp.crediting_end - datetime.timedelta(days=30))
    page = reverse("cp-detail", kwargs={"reference": cp.reference})
    url = reverse("renewal-open", kwargs={"kind": "cp", "reference": cp.reference})
    client.force_login(world.dora)
    assert url not in client.get(page).content.decode()
    client.force_login(world.otto)
    assert url in client.get(page).content.decode()
    response = client.post(url, {"renewal-baseline_update": "Updated.", "renewal-estimated_annual": "20000",
                                 "renewal-design": f.pdf("cpdd.pdf", content=f.pdf_bytes("cpdd web")),
                                 "renewal-report": f.pdf("vr.pdf", content=f.pdf_bytes("vr web"))})
    assert response.status_code == 302
    renewal = CPRenewal.objects.get()
    client.force_login(world.sam)
    body = client.get(reverse("renewal-detail", kwargs={"pk": renewal.pk})).content.decode()
    assert "renew_cp" in body and "The renewal fee is not paid yet" in body


def test_the_renewals_waiting_for_the_person(world, advance_to, rf, time_machine):
    """The queue's selector and tag (`{% renewals_queue %}`, not yet on the dashboard: its query budget)."""
    from django.template import Context, Template

    from projects.renewals.selectors import renewals_waiting

    activity = registered_renewable(world, advance_to)
    _at(time_machine, activity.crediting_end - datetime.timedelta(days=100))
    renewal = request(world, activity)
    assert [r.pk for r in renewals_waiting(world.otto)] == [renewal.pk]  # the DOE validates next
    for user in (world.ama, world.dora, world.kofi, world.sam):  # nothing waits for them
        assert list(renewals_waiting(user)) == []
    web = rf.get("/")
    web.user = world.otto
    body = Template("{% load renewals_tags %}{% renewals_queue %}").render(Context({"request": web}))
    assert f"{activity.reference} renewal 1" in body and reverse("renewal-detail", kwargs={"pk": renewal.pk}) in body


def test_the_participants_are_reminded_when_the_window_opens(world, advance_to, time_machine):
    """PROC-AC-002 para 242: the secretariat's reminder 270 days before the end, once."""
    from pacm.notifications.models import Notification
    from projects.timers import timers_run

    activity = registered_renewable(world, advance_to)
    end = activity.crediting_end
    _at(time_machine, end - datetime.timedelta(days=271))
    timers_run()
    assert not Notification.objects.filter(write="renewal_reminder").exists()
    _at(time_machine, end - datetime.timedelta(days=270))
    timers_run()
    timers_run()
    row = Notification.objects.get(write="renewal_reminder")
    assert row.recipient == world.ama and row.key == f"renewal:{end.isoformat()}"
    # The dates in the recipient's language's one format (pacm/formats; English here).
    assert date_format(end + datetime.timedelta(days=365), "DATE_FORMAT") in row.body
    # Opened: no reminder for a period whose renewal is already requested.
    Notification.objects.all().delete()
    request(world, activity)
    timers_run()
    assert not Notification.objects.filter(write="renewal_reminder").exists()
