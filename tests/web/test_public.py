"""Public registry, login, visibility (deny by default) and no page answering 500."""

import pytest
from django.urls import reverse

from projects import services
from projects.cycle import ActivityState as A
from projects.models import Activity

from .. import factories as f
from .conftest import page_url


def test_home_lists_public_activities_only(client, world, published):
    draft = services.activity_create(
        user=world.kofi, **f.pdd_data(world.other, world.version, title="Nairobi cookstoves")
    )
    response = client.get(reverse("registry-public"))
    html = response.content.decode()
    assert response.status_code == 200
    assert published.reference in html and published.title in html and "Ghana" in html
    assert published.get_state_display() in html
    assert page_url(published) in html
    assert draft.reference not in html and "Nairobi cookstoves" not in html


def test_home_search_filters(client, world, published):
    assert published.reference in client.get(reverse("registry-public"), {"q": "landfill"}).content.decode()
    assert published.reference not in client.get(reverse("registry-public"), {"q": "cookstove"}).content.decode()


@pytest.mark.parametrize("who", ["kofi", "otto", "dina", None])
def test_draft_is_404_to_everyone_but_its_participants(as_user, world, activity, who):
    response = as_user(getattr(world, who) if who else None).get(page_url(activity))
    assert response.status_code == 404
    assert activity.title not in response.content.decode()


def test_draft_is_shown_to_its_participant(as_user, world, activity):
    response = as_user(world.ama).get(page_url(activity))
    assert response.status_code == 200
    assert activity.title in response.content.decode()


def test_doe_not_engaged_gets_404_and_engaged_doe_sees_it(as_user, world, activity):
    services.activity_notify_prior_consideration(activity=activity, user=world.ama)
    services.activity_engage_doe(activity=activity, user=world.ama, doe=world.orgs["doe"])
    assert as_user(world.otto).get(page_url(activity)).status_code == 404
    assert as_user(world.dora).get(page_url(activity)).status_code == 200
    assert as_user(None).get(page_url(activity)).status_code == 404


def test_the_public_sees_a_published_activity(client, world, published):
    response = client.get(page_url(published))
    html = response.content.decode()
    assert response.status_code == 200
    assert published.title in html and "Global stakeholder consultation" in html
    assert 'id="actions"' not in html  # nobody anonymous may act


def test_unknown_reference_is_the_same_404(client, world):
    response = client.get(reverse("activity-detail", kwargs={"reference": "A64-999999"}))
    assert response.status_code == 404
    assert "There is no activity with this reference that you may see." in response.content.decode()


def test_document_download_follows_activity_visibility(as_user, world, activity):
    version = services.document_upload(activity=activity, user=world.ama, kind="pdd", uploaded=f.pdf("pdd.pdf"))
    url = reverse("document-download", kwargs={"reference": activity.reference, "version_id": version.pk})
    response = as_user(world.ama).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == f.PDF_BYTES
    assert 'filename="pdd.pdf"' in response["Content-Disposition"]
    assert as_user(world.kofi).get(url).status_code == 404
    assert as_user(None).get(url).status_code == 404
    # Another activity's reference with this version id does not reach it either.
    other = services.activity_create(user=world.ama, **f.pdd_data(world.host, world.version, title="Other"))
    wrong = reverse("document-download", kwargs={"reference": other.reference, "version_id": version.pk})
    assert as_user(world.ama).get(wrong).status_code == 404


def test_document_of_published_activity_is_public(client, world, published):
    version = published.documents.get(kind="pdd").versions.get()
    url = reverse("document-download", kwargs={"reference": published.reference, "version_id": version.pk})
    assert client.get(url).status_code == 200


def _all_urls(activity, finding_number=1, fee_id=1, version_id=1):
    ref = {"reference": activity.reference}
    return [
        reverse("registry-public"),
        reverse("dashboard"),
        reverse("login"),
        reverse("activity-create"),
        reverse("activity-detail", kwargs=ref),
        reverse("activity-edit", kwargs=ref),
        reverse("activity-transition", kwargs={**ref, "name": "notify_prior_consideration"}),
        reverse("activity-transition", kwargs={**ref, "name": "no_such_thing"}),
        reverse("activity-engage-doe", kwargs=ref),
        reverse("document-upload", kwargs=ref),
        reverse("document-download", kwargs={**ref, "version_id": version_id}),
        reverse("finding-raise", kwargs=ref),
        reverse("finding-act", kwargs={**ref, "number": finding_number, "action": "answer"}),
        reverse("finding-act", kwargs={**ref, "number": finding_number, "action": "close"}),
        reverse("finding-act", kwargs={**ref, "number": finding_number, "action": "reopen"}),
        reverse("host-approval-issue", kwargs=ref),
        reverse("authorization-statement-issue", kwargs=ref),
        reverse("fee-record-payment", kwargs={**ref, "fee_id": fee_id}),
        "/no/such/page/",
    ]


@pytest.mark.parametrize("state", [A.DRAFT, A.CONSULTATION])
def test_no_page_answers_500_to_the_public(client, world, activity, advance_to, state):
    activity = advance_to(activity, state)
    for url in _all_urls(activity):
        response = client.get(url)
        assert response.status_code in (200, 302, 404, 405), (url, response.status_code)


def test_no_page_answers_500_to_each_persona_either(as_user, world, activity, advance_to):
    activity = advance_to(activity, A.REGISTRATION_REQUESTED)
    fee = activity.fees.get()
    version = activity.documents.first().versions.first()
    for user in world.people.values():
        client = as_user(user)
        for url in _all_urls(activity, fee_id=fee.pk, version_id=version.pk):
            response = client.get(url)
            assert response.status_code in (200, 302, 403, 404, 405), (user, url, response.status_code)


def test_get_on_a_post_only_url_is_405(as_user, world, activity):
    client = as_user(world.ama)
    for name in ("activity-engage-doe", "document-upload", "finding-raise", "host-approval-issue"):
        assert client.get(reverse(name, kwargs={"reference": activity.reference})).status_code == 405
    assert (
        client.get(
            reverse("activity-transition", kwargs={"reference": activity.reference, "name": "withdraw"})
        ).status_code
        == 405
    )
    assert Activity.objects.get(pk=activity.pk).state == A.DRAFT


def test_login_page_and_navbar_show_organisation_and_role(client, world):
    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("login"), {"username": "ama", "password": "pacm-test-pw"}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("dashboard")
    assert "Kpone Green Energy" in html and "Activity participant" in html and "Log out" in html


def test_pages_use_vendored_bootstrap_not_a_cdn(client, world, published):
    html = client.get(page_url(published)).content.decode()
    assert "/static/vendor/bootstrap/bootstrap.min.css" in html
    assert "/static/vendor/bootstrap/bootstrap.bundle.min.js" in html
    assert "cdn" not in html.lower()


def test_error_pages_extend_the_base_layout(client, world):
    response = client.get("/no/such/page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in html and "PACM registry" in html and "Resolver404" not in html


def test_server_error_and_bad_request_pages_render_without_a_request_context(rf, world):
    """Django renders 500.html and 400.html with no context processors: the layout must cope."""
    from django.views.defaults import bad_request, server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500 and "Something went wrong on our side" in response.content.decode()
    response = bad_request(rf.get("/"), Exception("bad"))
    assert response.status_code == 400 and "The request could not be processed" in response.content.decode()


def test_download_of_a_file_missing_from_storage_is_404_not_500(as_user, world, activity):
    version = services.document_upload(activity=activity, user=world.ama, kind="pdd", uploaded=f.pdf("pdd.pdf"))
    version.file.storage.delete(version.file.name)
    url = reverse("document-download", kwargs={"reference": activity.reference, "version_id": version.pk})
    response = as_user(world.ama).get(url)
    assert response.status_code == 404
    assert "missing from storage" in response.content.decode()


def test_a_database_briefly_away_answers_503_with_a_clear_message(client, world, monkeypatch):
    """Issue 11 (make chaos): a PostgreSQL restart must not show a bare 500; the page says what
    happened, that nothing was half-done, and when to try again. Any other error stays a 500."""
    from django.db import OperationalError

    from projects import selectors

    def away():
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(selectors, "public_activities", away)
    client.raise_request_exception = False
    response = client.get(reverse("registry-public"))
    html = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "The registry is briefly unavailable" in html and "either happens completely or not at all" in html
    assert "terminating connection" not in html

    def broken():
        raise ValueError("a bug")

    monkeypatch.setattr(selectors, "public_activities", broken)
    response = client.get(reverse("registry-public"))
    assert response.status_code == 500 and "Something went wrong on our side" in response.content.decode()
