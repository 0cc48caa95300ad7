"""Consultation comments through the API: the participants answer a published comment (the item)."""
import pytest

from pacm.events.models import Event
from projects.consultation import services as gsc
from projects.cycle import ActivityState as A
from tests.consultation.conftest import last_token

pytestmark = pytest.mark.django_db


def test_the_participants_answer_a_published_comment(world, activity, advance_to, bearer,
                                                     django_capture_on_commit_callbacks):
    consulting = advance_to(activity, A.CONSULTATION)
    with django_capture_on_commit_callbacks(execute=True):
        gsc.comment_submit(subject=consulting, ip="198.51.100.7", author_name="Abena Mensah", organisation="",
                           email="abena@example.org", text="The baseline ignores the new hydro plant.")
    comment = gsc.comment_confirm(token=last_token())
    url = f"/api/v1/activities/{consulting.reference}/actions"
    offers = [o for o in bearer(world.ama).get(url).json()["actions"] if o["name"] == "answer_comment"]
    assert [(o["item"], o["in_api"]) for o in offers] == [(comment.pk, True)]
    assert all(o["name"] != "answer_comment" for o in bearer(world.kofi).get(url).json()["actions"])
    before = Event.objects.filter(stream=consulting.stream).count()
    answered = bearer(world.ama).post(f"{url}/answer_comment", {"item": comment.pk, "inputs": {"text": "Included."}},
                                      content_type="application/json")
    assert answered.status_code == 200, answered.content
    new = list(Event.objects.filter(stream=consulting.stream).order_by("sequence")[before:])
    assert [e.kind for e in new] == ["consultation.comment_answered"]
    assert [e["kind"] for e in answered.json()["events"]] == ["consultation.comment_answered"]
