"""The MRV keys page (pacm issue 9): the activity's participants list its signing keys (never a
secret but once, on registration), register one and revoke one (`dmrv.key_revoked`); nobody else
opens it (deny by default). Personas: ama (participant), kofi (another developer's participant),
dora (the engaged DOE), dina (the host's DNA), sam (the secretariat), the anonymous visitor."""
import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pacm.common.errors import Refused, ServiceError
from pacm.engine.offers import available_actions
from pacm.events.models import Event
from projects.cycle import ActivityState as A
from projects.dmrv.models import MrvKey, ReadingBatch
from projects.dmrv.selectors import KEYS_PAGE
from projects.dmrv.services import mrv_key_register, mrv_key_revoke
from projects.models import Activity
from tests.dmrv.support import key_of
from tests.issuance.conftest import registered  # noqa: F401  (fixture)

from ..submission_keys import page_keys

pytestmark = pytest.mark.django_db


def _key_events(activity):
    return [(e.kind, e.role, e.actor_id, e.payload) for e in
            Event.objects.filter(stream=activity.stream, kind__startswith="dmrv.key").order_by("sequence")]


def _page(activity):
    return reverse("mrv-keys", args=[activity.reference])


def test_the_page_registers_a_key_shows_its_secret_once_and_lists_it(world, registered, client):  # noqa: F811
    client.force_login(world.ama)
    page = client.get(_page(registered))
    assert page.status_code == 200 and "No key yet." in page.content.decode()
    created = client.post(_page(registered), page_keys(page.content.decode()))
    assert created.status_code == 200
    key, secret = created.context["created"]
    assert key == MrvKey.objects.get(activity=registered) and secret == key.secret
    assert secret in created.content.decode()
    again = client.get(_page(registered)).content.decode()
    assert key.key_id in again and secret not in again and "never" in again
    assert _key_events(registered) == [("dmrv.key_registered", "participant", world.ama.pk, {"key_id": key.key_id})]


def test_the_same_form_sent_twice_registers_one_key(world, registered, client):  # noqa: F811
    client.force_login(world.ama)
    data = page_keys(client.get(_page(registered)).content.decode())
    client.post(_page(registered), data)
    repeat = client.post(_page(registered), data)
    assert repeat.status_code == 302 and MrvKey.objects.filter(activity=registered).count() == 1


def test_revoking_records_exactly_its_event_and_a_second_revocation_is_refused(world, registered, client):  # noqa: F811
    key_id, _secret = key_of(registered, world.ama)
    client.force_login(world.ama)
    url = reverse("mrv-key-revoke", args=[registered.reference, key_id])
    assert client.post(url).status_code == 302
    key = MrvKey.objects.get(key_id=key_id)
    assert key.revoked_at is not None
    assert _key_events(registered) == [
        ("dmrv.key_registered", "participant", world.ama.pk, {"key_id": key_id}),
        ("dmrv.key_revoked", "participant", world.ama.pk, {"key_id": key_id}),
    ]
    with pytest.raises(ServiceError) as twice:
        mrv_key_revoke(activity=registered, key_id=key_id, user=world.ama)
    assert twice.value.code == "mrv_key_already_revoked"
    shown = client.post(url, follow=True)  # a stale page's button: said so, nothing recorded
    assert shown.status_code == 200 and "already revoked" in shown.content.decode()
    assert len(_key_events(registered)) == 2
    page = client.get(_page(registered)).content.decode()
    assert "revoked" in page and f'action="{url}"' not in page  # no button for a revoked key


def test_an_unknown_key_is_a_404_and_changes_nothing(world, registered, client):  # noqa: F811
    with pytest.raises(ServiceError) as unknown:
        mrv_key_revoke(activity=registered, key_id="mrv_0000000000000000", user=world.ama)
    assert unknown.value.code == "mrv_key_unknown"
    client.force_login(world.ama)
    for key_id in ("mrv_0000000000000000", "x" * 300):
        assert client.post(reverse("mrv-key-revoke", args=[registered.reference, key_id])).status_code == 404
    assert not Event.objects.filter(kind="dmrv.key_revoked").exists()


@pytest.mark.parametrize("persona", ["kofi", "dora", "dina", "sam"])
def test_only_the_participants_open_the_page_or_revoke(world, registered, client, persona):  # noqa: F811
    key_id, _secret = key_of(registered, world.ama)
    client.force_login(getattr(world, persona))
    revoke = reverse("mrv-key-revoke", args=[registered.reference, key_id])
    page = client.get(_page(registered))
    assert page.status_code == 403 and key_id not in page.content.decode()
    assert client.post(_page(registered)).status_code == 403
    assert client.post(revoke).status_code == 403
    with pytest.raises(Refused) as refused:
        mrv_key_revoke(activity=registered, key_id=key_id, user=getattr(world, persona))
    assert refused.value.code == "not_permitted"  # the declared write's skeleton (write_run)
    assert MrvKey.objects.get(key_id=key_id).revoked_at is None and MrvKey.objects.count() == 1


def test_the_anonymous_visitor_is_sent_to_log_in(world, registered, client):  # noqa: F811
    key_id, _secret = key_of(registered, world.ama)
    for response in (client.get(_page(registered)),
                     client.post(reverse("mrv-key-revoke", args=[registered.reference, key_id]))):
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert MrvKey.objects.get(key_id=key_id).revoked_at is None


def test_the_page_is_paged_and_its_queries_do_not_grow_with_the_keys(world, registered, client):  # noqa: F811
    key_id, _secret = key_of(registered, world.ama)
    key = MrvKey.objects.get(key_id=key_id)
    batch_at = timezone.now()
    ReadingBatch.objects.create(activity=registered, period_number=1, key=key, client_key="batch-0000000000000001",
                                body_sha256="0" * 64, signed_at=batch_at, received_at=batch_at,
                                submitted_by=world.ama, count=0)
    client.force_login(world.ama)
    client.get(_page(registered))
    with CaptureQueriesContext(connection) as few:
        client.get(_page(registered))
    MrvKey.objects.bulk_create([MrvKey(activity=registered, organisation=key.organisation, created_by=world.ama,
                                       key_id=f"mrv_{i:016x}", secret="s" * 64) for i in range(KEYS_PAGE * 2)])
    with CaptureQueriesContext(connection) as many:
        page = client.get(_page(registered))
    assert len(many) == len(few)  # no query per key
    shown = list(page.context["keys"])
    assert len(shown) == KEYS_PAGE and shown == sorted(shown, key=lambda k: -k.pk)
    assert all(k.secret not in page.content.decode() for k in MrvKey.objects.all())
    second = client.get(_page(registered) + page.context["keys"].next_link)
    assert len(second.context["keys"]) == KEYS_PAGE and second.context["keys"][0].pk < shown[-1].pk
    oldest = client.get(_page(registered) + second.context["keys"].next_link)
    assert [k.key_id for k in oldest.context["keys"]] == [key_id]
    assert oldest.context["keys"][0].last_used == batch_at  # its last batch received


def test_the_activity_page_and_the_report_form_link_the_keys_page(world, registered, client):  # noqa: F811
    client.force_login(world.ama)
    for url in (reverse("activity-detail", args=[registered.reference]),
                reverse("period-submit", args=[registered.reference])):
        assert _page(registered) in client.get(url).content.decode(), url
    client.force_login(world.kofi)
    assert _page(registered) not in client.get(reverse("activity-detail", args=[registered.reference])).content.decode()


KEY_WRITES = {"register_mrv_key", "revoke_mrv_key"}


def test_the_keys_are_the_activitys_own_declared_writes_offered_to_its_participants(world, registered):  # noqa: F811
    """pacm issue 9: `register_mrv_key` and `revoke_mrv_key` (projects/cycle.py), the participants'
    while the activity is registered (as the monitoring report, RMP 50); not the DOE's, the DNA's, the
    secretariat's, another developer's or the public's."""
    assert KEY_WRITES <= available_actions(world.ama, registered).names
    for user in (world.kofi, world.dora, world.dina, world.sam, AnonymousUser()):
        assert not KEY_WRITES & available_actions(user, registered).names, user


def test_out_of_the_registered_state_the_keys_are_neither_offered_nor_written(world, registered, client):  # noqa: F811
    key_id, _secret = key_of(registered, world.ama)
    Activity.objects.filter(pk=registered.pk).update(state=A.DEREGISTERED)
    activity = Activity.objects.get(pk=registered.pk)
    assert not KEY_WRITES & available_actions(world.ama, activity).names
    client.force_login(world.ama)
    assert client.get(_page(activity)).status_code == 403
    assert client.post(reverse("mrv-key-revoke", args=[activity.reference, key_id])).status_code == 403
    for call in (lambda: mrv_key_register(activity=activity, user=world.ama),
                 lambda: mrv_key_revoke(activity=activity, key_id=key_id, user=world.ama)):
        with pytest.raises(Refused) as refused:
            call()
        assert refused.value.code == "wrong_state"
    assert MrvKey.objects.get(key_id=key_id).revoked_at is None and MrvKey.objects.count() == 1
    assert [kind for kind, *_rest in _key_events(activity)] == ["dmrv.key_registered"]
