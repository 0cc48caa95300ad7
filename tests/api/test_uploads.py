"""Document uploads through the API, multipart (pacm issue 9): the web's form and service, the
same uploaders as the page, the file checks of pacm.common.uploads, the exact event."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from pacm.events.models import Event
from projects.machines import ACTIVITY
from projects.models import DocumentVersion
from tests import factories as f

pytestmark = pytest.mark.django_db

PERSONAS = ("ama", "kofi", "dora", "dina", "nils", "sam")


def upload(client, activity, **data):
    return client.post(f"/api/v1/activities/{activity.reference}/documents",
                       {"kind": "pdd", "title": "", "file": f.pdf("pdd.pdf"), **data})


def stream(activity):
    return list(Event.objects.filter(stream=ACTIVITY.stream_of(activity)).order_by("sequence")
                .values_list("kind", "role"))


def test_the_participant_uploads_a_version_with_its_hash_and_event(activity, world, bearer):
    before = stream(activity)
    response = upload(bearer(world.ama), activity)
    assert response.status_code == 200, response.content
    body = response.json()
    version = DocumentVersion.objects.get(document__activity=activity, document__kind="pdd")
    assert body["document"] == {"kind": "pdd", "number": 1, "sha256": version.sha256, "size": version.size}
    assert stream(activity) == [*before, ("document.uploaded", "participant")]
    assert [(e["kind"], e["role"]) for e in body["events"]] == [("document.uploaded", "participant")]
    assert body["subject"] == {"kind": "activity", "reference": activity.reference, "state": activity.state}


def test_each_persona_uploads_through_the_api_only_where_the_web_lets_them(activity, world, bearer):
    for name in PERSONAS:
        user = getattr(world, name)
        web = Client()
        web.force_login(user)
        count = DocumentVersion.objects.count()
        api_status = upload(bearer(user), activity).status_code
        web_status = web.post(reverse("document-upload", args=[activity.reference]),
                              {"upload-kind": "pdd", "upload-file": f.pdf("pdd.pdf")}).status_code
        if web_status == 302:  # the web took it (and then so did the API: two versions)
            assert api_status == 200 and DocumentVersion.objects.count() == count + 2, name
        else:
            assert api_status == web_status and api_status in (403, 404), (name, api_status, web_status)
            assert DocumentVersion.objects.count() == count, name
    assert DocumentVersion.objects.count() == 2  # ama's two


def test_a_file_that_is_not_what_it_says_is_refused_at_the_edge(activity, world, bearer):
    api = bearer(world.ama)
    fake = SimpleUploadedFile("pdd.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = upload(api, activity, file=fake)
    assert response.status_code == 400 and response.json()["field"] == "file", response.content
    wrong_kind = upload(api, activity, kind="verification_report")
    assert wrong_kind.status_code == 400 and wrong_kind.json()["field"] == "kind", wrong_kind.content
    missing = api.post(f"/api/v1/activities/{activity.reference}/documents", {"kind": "pdd"})
    assert missing.status_code == 422 and missing.json()["code"] == "invalid_input"
    assert missing.json()["field"].split(".")[-1] == "file"
    assert not DocumentVersion.objects.exists()
    assert stream(activity)[-1][0] != "document.uploaded"
