"""The PoA and CP pages and their forms: what each person sees and may post; bad input is a clear
message on the form and changes nothing; the page's queries do not grow with its CPs."""
import datetime

from django.urls import reverse

from projects.cycle import ActivityState as A
from projects.poa.cycle import CPState as C
from projects.poa.models import ComponentProject, PoAHost, Programme

from .conftest import host, notify_cp, poa_data, reach_cp, reach_poa


def _client(client, user):
    client.force_login(user)
    return client


def test_public_poa_page_shows_caps_totals_and_included_cps(client, world, poa):
    poa = reach_poa(world, poa, A.REGISTERED)
    included = reach_cp(world, notify_cp(world, poa, estimated_annual=20_000), C.INCLUDED)
    hidden = notify_cp(world, poa, title="Secret pipeline CP")
    page = client.get(reverse("poa-detail", args=[poa.reference]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "50,000" in body and "30,000" in body and "20,000" in body  # caps and Ghana's total
    assert included.reference in body
    assert hidden.title not in body  # para 126: displayed once included
    assert client.get(reverse("cp-detail", args=[included.reference])).status_code == 200
    assert client.get(reverse("cp-detail", args=[hidden.reference])).status_code == 404
    assert client.get(reverse("poa-list")).status_code == 200


def test_draft_poa_is_hidden_from_the_public_and_other_hosts_see_it_after_the_draft(client, world, poa):
    assert client.get(reverse("poa-detail", args=[poa.reference])).status_code == 404
    assert _client(client, world.ama).get(reverse("poa-detail", args=[poa.reference])).status_code == 200
    assert _client(client, world.nils).get(reverse("poa-detail", args=[poa.reference])).status_code == 404
    reach_poa(world, poa, A.PRIOR_CONSIDERATION)
    assert _client(client, world.nils).get(reverse("poa-detail", args=[poa.reference])).status_code == 200


def test_host_approval_form_for_each_host(client, world, poa):
    poa = reach_poa(world, poa, A.VALIDATED)
    kenya = host(poa, "KE")
    url = reverse("poa-host-approve", args=[poa.reference, kenya.pk])
    data = {f"host-{kenya.pk}-max_annual": "abc", f"host-{kenya.pk}-sd_confirmation": "SD",
            f"host-{kenya.pk}-ndc_relation": "NDC"}
    # Ghana's DNA may not approve for Kenya.
    assert _client(client, world.dina).post(url, data).status_code == 403
    c = _client(client, world.nils)
    page = c.get(reverse("poa-detail", args=[poa.reference]))
    assert f'action="{url}"' in page.content.decode()
    bad = c.post(url, data)
    assert bad.status_code == 200 and "Nothing was saved" in bad.content.decode()
    assert PoAHost.objects.get(pk=kenya.pk).max_annual is None
    data[f"host-{kenya.pk}-max_annual"] = "30000"
    assert c.post(url, data).status_code == 302
    assert PoAHost.objects.get(pk=kenya.pk).max_annual == 30_000


def test_cap_refusal_shows_on_the_page_and_changes_nothing(client, world, poa):
    poa = reach_poa(world, poa, A.REGISTERED)
    reach_cp(world, notify_cp(world, poa, estimated_annual=45_000), C.INCLUDED)
    cp = reach_cp(world, notify_cp(world, poa, estimated_annual=10_000), C.VALIDATED)
    c = _client(client, world.otto)
    page = c.get(reverse("cp-detail", args=[cp.reference]))
    # The button is offered blocked, with the refusal that names the total and the cap.
    assert "55,000 t CO2e, above the host&#x27;s maximum of 50,000 t CO2e" in page.content.decode()
    response = c.post(reverse("cp-transition", args=[cp.reference, "upload_inclusion"]), {
        "t-upload_inclusion-crediting_start": cp.crediting_start.isoformat(),
        "t-upload_inclusion-crediting_end": cp.crediting_end.isoformat(),
        "t-upload_inclusion-expected_state": "validated"}, follow=True)
    body = response.content.decode()
    assert "55,000 t CO2e" in body and "50,000 t CO2e" in body
    assert ComponentProject.objects.get(pk=cp.pk).state == C.VALIDATED


def test_cp_notification_form_errors(client, world, poa):
    poa = reach_poa(world, poa, A.CONSULTATION)
    c = _client(client, world.ama)
    url = reverse("cp-notify", args=[poa.reference])
    assert c.get(url).status_code == 200
    today = datetime.date.today()
    data = {"title": "Late CP", "host": host(poa, "GH").pk, "participants": [world.orgs["dev2"].pk],
            "doe": world.orgs["doe2"].pk, "location": "Tamale", "technologies": "Stoves",
            "start_date": today.isoformat(), "crediting_type": "renewable",
            "crediting_start": today.isoformat(), "crediting_end": (poa.crediting_end + datetime.timedelta(days=1)).isoformat(),
            "estimated_annual": "1000"}
    response = c.post(url, data)
    assert response.status_code == 200 and "past the end of the PoA" in response.content.decode()
    assert not ComponentProject.objects.exists()
    data["crediting_end"] = (today + datetime.timedelta(days=365)).isoformat()
    assert c.post(url, data).status_code == 302
    assert ComponentProject.objects.count() == 1


def test_poa_create_form(client, world):
    c = _client(client, world.ama)
    data = poa_data(world)
    form = {"title": data["title"], "hosts": [world.host.pk, world.other.pk],
            "methodology_version": world.version.pk, "sectoral_scope": data["sectoral_scope"].pk,
            "location": "GH and KE", "period_start": data["period_start"].isoformat(),
            "period_end": data["period_start"].replace(year=data["period_start"].year + 25).isoformat(),
            "estimated_annual": "1000", "description": "Stoves", "typical_cps": "", "criteria": "One\nTwo"}
    response = c.post(reverse("poa-create"), form)
    assert response.status_code == 200 and "at most 20 years" in response.content.decode()
    form["period_end"] = data["period_end"].isoformat()
    assert c.post(reverse("poa-create"), form).status_code == 302
    poa = Programme.objects.get()
    assert list(poa.eligibility_criteria.values_list("text", flat=True)) == ["One", "Two"]
    assert PoAHost.objects.filter(poa=poa).count() == 2


def test_poa_page_queries_do_not_grow_with_cps(client, world, poa, django_assert_max_num_queries):
    poa = reach_poa(world, poa, A.REGISTERED)
    for i in range(3):
        notify_cp(world, poa, title=f"CP {i}", estimated_annual=100)
    c = _client(client, world.ama)
    url = reverse("poa-detail", args=[poa.reference])
    c.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        c.get(url)
    for i in range(5):
        notify_cp(world, poa, title=f"More CP {i}", estimated_annual=100)
    with django_assert_max_num_queries(len(few.captured_queries)):
        c.get(url)
    cp = ComponentProject.objects.filter(poa=poa).first()
    cp_url = reverse("cp-detail", args=[cp.reference])
    with CaptureQueriesContext(connection) as one:
        c.get(cp_url)
    assert len(one.captured_queries) < 40


def test_dashboard_lists_poas_and_cps_waiting_for_the_person(client, world, poa):
    poa = reach_poa(world, poa, A.VALIDATED)
    body = _client(client, world.nils).get(reverse("dashboard")).content.decode()
    assert poa.reference in body  # Kenya's approval waits for its DNA
    cp = notify_cp(world, poa)
    assert cp.reference in _client(client, world.otto).get(reverse("dashboard")).content.decode()  # the CP's DOE
    assert cp.reference not in _client(client, world.dora).get(reverse("dashboard")).content.decode()


def test_the_secretariat_includes_from_the_cp_page_with_the_fee_reference(client, world, poa):
    """PROC-AC-003 v03.0 paras 124-126: with the inclusion fee due, the CP page offers the secretariat the
    include button with the fee's payment reference (the service records the payment, then includes);
    without the reference, a clear message and nothing changes."""
    from pacm.events.models import Event
    from projects.models import Fee

    poa = reach_poa(world, poa, A.REGISTERED)
    cp = reach_cp(world, notify_cp(world, poa), C.UPLOADED)
    assert cp.inclusion_fee.status == Fee.Status.DUE
    c = _client(client, world.sam)
    body = c.get(reverse("cp-detail", args=[cp.reference])).content.decode()
    assert 'name="t-include-reference"' in body and 'aria-describedby="blocked-include"' not in body
    url = reverse("cp-transition", args=[cp.reference, "include"])
    before = Event.objects.filter(stream=poa.stream).count()
    response = c.post(url, {"t-include-expected_state": "uploaded"}, follow=True)
    assert "This field is required." in response.content.decode()
    assert ComponentProject.objects.get(pk=cp.pk).state == C.UPLOADED
    assert Event.objects.filter(stream=poa.stream).count() == before
    response = c.post(url, {"t-include-expected_state": "uploaded", "t-include-reference": "WIRE-CP-7"})
    assert response.status_code == 302
    cp = ComponentProject.objects.get(pk=cp.pk)
    assert cp.state == C.INCLUDED
    assert (cp.inclusion_fee.status, cp.inclusion_fee.payment_reference) == (Fee.Status.PAID, "WIRE-CP-7")
    assert [(e.kind, e.actor_label, e.payload.get("transition")) for e in
            Event.objects.filter(stream=poa.stream).order_by("sequence")[before:]] == [
        ("fee.paid", "sam", None), ("cp.transitioned", "sam", "include")]
