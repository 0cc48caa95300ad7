"""A PoA batch's page: the period page serving a PoA's monitoring period (PROC-AC-003 v03.0 paras 217-222).

The batch's CP lines per vintage; the verification DOE starts verification and certifies per CP per
vintage; the DOE requests issuance (the project's form and service; `poa_issuance_holds` checks the
per-CP rules); everyone else sees what a project's period page shows them, and does nothing.
Personas as in tests/poa/issuance_world.py.
"""
from pacm.events.models import Event
from projects.cycle import PeriodState as P
from projects.models import MonitoringPeriod
from projects.poa.models import ComponentClaim
from tests.web_registry.conftest import issuance_post

from .issuance_world import batch, drive, poa_world  # noqa: F401  (poa_world: the fixture pw)


def _since(poa, mark):
    return list(Event.objects.filter(stream=poa.stream, sequence__gt=mark).order_by("sequence"))


def _mark(poa):
    return Event.objects.filter(stream=poa.stream).order_by("-sequence").values_list("sequence", flat=True).first()


def _url(period, tail=""):
    return f"/activities/{period.activity.reference}/periods/{period.number}/{tail}"


def _two_cps(world, pw):
    return batch(world, pw, {"gh": {pw.y1: 10_000, pw.y2: 2_000}, "ke": {pw.y1: 8_000}})


def _certify_post(pw, gh, ke, gh_y2="2000", comment="Verified per CP."):
    n_gh, n_ke = pw.cps["gh"].number, pw.cps["ke"].number
    return {f"certify-verified_{n_gh}_{pw.y1}": gh, f"certify-verified_{n_gh}_{pw.y2}": gh_y2,
            f"certify-verified_{n_ke}_{pw.y1}": ke, "certify-comment": comment}


def test_the_batch_page_shows_its_cp_lines_to_the_public_and_links_from_the_poa_page(world, pw, client):
    period = _two_cps(world, pw)
    page = client.get(f"/poas/{pw.poa.reference}/").content.decode()
    assert f'href="{_url(period)}"' in page
    response = client.get(_url(period))
    assert response.status_code == 200
    page = response.content.decode()
    gh, ke = pw.cps["gh"].reference, pw.cps["ke"].reference
    assert f'href="/cps/{gh}/"' in page and f'href="/cps/{ke}/"' in page and "10,000" in page and "8,000" in page
    assert f'href="/poas/{pw.poa.reference}/"' in page  # the breadcrumb names the PoA, not a project page
    assert "Submitted" in page
    # The public is offered nothing (deny by default): no certify, no request, no transition button.
    assert "certify/" not in page and "issuance/" not in page and "/do/" not in page
    assert client.get(_url(period).replace(f"/{period.number}/", "/99/")).status_code == 404


def test_only_the_verification_doe_is_offered_the_steps(world, pw, client):
    period = _two_cps(world, pw)
    for user in (world.ama, world.kofi, world.otto, world.dina, world.sam, world.sofia):
        client.force_login(user)
        page = client.get(_url(period)).content.decode()
        assert "do/start_verification/" not in page, user.username
        assert client.post(_url(period, "do/start_verification/"),
                           {"t-start_verification-comment": ""}).status_code in (302, 403), user.username
        assert MonitoringPeriod.objects.get(pk=period.pk).state == P.SUBMITTED, user.username
    client.force_login(world.dora)
    assert "do/start_verification/" in client.get(_url(period)).content.decode()


def test_the_doe_certifies_per_cp_per_vintage_through_the_page(world, pw, client):
    period = drive(world, _two_cps(world, pw), P.UNDER_VERIFICATION, None)
    from projects import services
    from tests import factories as f

    services.document_upload(activity=period.activity, user=world.dora, kind="verification_report",
                             uploaded=f.pdf("ver.pdf"), period=period)
    for user in (world.ama, world.otto, world.sam):  # not theirs: no form, a 403, nothing recorded
        client.force_login(user)
        assert "certify-verified_" not in client.get(_url(period)).content.decode()
        mark = _mark(pw.poa)
        assert client.post(_url(period, "certify/"), _certify_post(pw, "9000", "8000")).status_code == 403
        assert _since(pw.poa, mark) == []
    client.force_login(world.dora)
    page = client.get(_url(period)).content.decode()
    n_gh = pw.cps["gh"].number
    assert f'name="certify-verified_{n_gh}_{pw.y1}"' in page
    mark = _mark(pw.poa)
    response = client.post(_url(period, "certify/"), _certify_post(pw, "9000", "7500"))
    assert response.status_code == 302
    events = _since(pw.poa, mark)
    assert [(e.kind, e.actor_label, e.payload.get("transition")) for e in events] == [
        ("monitoring.transitioned", "dora", "certify")]
    gh, ke = pw.cps["gh"].reference, pw.cps["ke"].reference
    assert events[0].payload["verified_by_cp"] == {gh: {str(pw.y1): 9_000, str(pw.y2): 2_000},
                                                   ke: {str(pw.y1): 7_500}}
    assert sorted(ComponentClaim.objects.filter(period=period).values_list("component__reference", "vintage",
                                                                           "verified")) == [
        (gh, pw.y1, 9_000), (gh, pw.y2, 2_000), (ke, pw.y1, 7_500)]
    period.refresh_from_db()
    assert period.state == P.VERIFIED and period.verified_total == 18_500


def test_a_bad_quantity_is_a_clear_message_and_records_nothing(world, pw, client):
    period = drive(world, _two_cps(world, pw), P.UNDER_VERIFICATION, None)
    from projects import services
    from tests import factories as f

    services.document_upload(activity=period.activity, user=world.dora, kind="verification_report",
                             uploaded=f.pdf("ver.pdf"), period=period)
    client.force_login(world.dora)
    gh = pw.cps["gh"].reference
    for post, message in (
        (_certify_post(pw, "lots", "10"), "Enter a whole number."),
        (_certify_post(pw, "-1", "10"), "greater than or equal to 0"),
        (_certify_post(pw, "10", "10", gh_y2="99999999999999999999"), "10,000,000,000"),
        (_certify_post(pw, "10001", "10"), f"{gh}, vintage {pw.y1}: 10001 verified exceeds the 10000 claimed."),
    ):
        mark = _mark(pw.poa)
        response = client.post(_url(period, "certify/"), post)
        assert response.status_code == 200  # the page again, the message on the field (as a project's)
        assert message in response.content.decode()
        assert _since(pw.poa, mark) == []
    missing = _certify_post(pw, "10", "10")
    missing.pop(f"certify-verified_{pw.cps['ke'].number}_{pw.y1}")
    response = client.post(_url(period, "certify/"), missing)
    assert "This field is required." in response.content.decode()
    assert MonitoringPeriod.objects.get(pk=period.pk).state == P.UNDER_VERIFICATION
    assert not ComponentClaim.objects.filter(period=period, verified__isnull=False).exists()


def test_the_issuance_request_through_the_page_checks_the_per_cp_rules(world, pw, client):
    period = drive(world, _two_cps(world, pw), P.VERIFIED, None)
    for user in (world.ama, world.otto, world.dina, world.sam):
        client.force_login(user)
        assert 'id="issuance-form"' not in client.get(_url(period)).content.decode()
        mark = _mark(pw.poa)
        post = issuance_post(units=20_000, lines=[("PACM-H-CME-1", None, "100")])
        assert client.post(_url(period, "issuance/"), post).status_code == 403
        assert _since(pw.poa, mark) == []
    client.force_login(world.dora)
    assert 'issuance/"' in client.get(_url(period)).content.decode()
    # Para 220: a PoA's request states every verified unit by CP and vintage; less is refused, nothing recorded.
    mark = _mark(pw.poa)
    response = client.post(_url(period, "issuance/"), issuance_post(units=19_000, lines=[("PACM-H-CME-1", None, "100")]))
    assert response.status_code == 200 and "request all 20,000 units verified" in response.content.decode()
    assert _since(pw.poa, mark) == []
    response = client.post(_url(period, "issuance/"), issuance_post(units=20_000, lines=[("PACM-H-CME-1", None, "100")]))
    assert response.status_code == 302
    assert [(e.kind, e.actor_label, e.payload.get("transition")) for e in _since(pw.poa, mark)] == [
        ("fee.assessed", "dora", None), ("monitoring.transitioned", "dora", "request_issuance")]
    assert MonitoringPeriod.objects.get(pk=period.pk).state == P.ISSUANCE_REQUESTED


def test_a_batch_notification_links_to_the_batch_page(world, pw, client, django_capture_on_commit_callbacks):
    from pacm.notifications.models import Notification
    from projects import services

    period = _two_cps(world, pw)
    with django_capture_on_commit_callbacks(execute=True):
        services.period_start_verification(period=period, user=world.dora)
    told = Notification.objects.filter(machine="period", subject_pk=period.pk, write="start_verification")
    assert told.exists() and set(told.values_list("url", flat=True)) == {_url(period)}
    client.force_login(told.first().recipient)
    assert client.get(_url(period)).status_code == 200
