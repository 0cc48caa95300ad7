"""Double submit on the activity pages (issue 11): a form sent twice takes effect once.

The host approval sent twice made two versions; now the second post with the same one-time
key gets the first's redirect and message. A fresh key (the page rendered again) is an honest
second submission and makes a second version.
"""
from django.urls import reverse

from projects.models import Activity, AuthorizationStatement, DocumentVersion, HostApproval
from tests.submission_keys import form_keys, outcome, page_keys

from .. import factories as f
from .conftest import page_url
from .test_activity_form import form_data


def url(name, activity):
    return reverse(name, kwargs={"reference": activity.reference})


def host_post(client, activity, key, **overrides):
    data = {
        "host-sd_confirmation": "Jobs and cleaner air.",
        "host-ndc_relation": "Waste sector of the NDC.",
        "host-authorized_participants": [str(p.pk) for p in activity.participants.all()],
        "host-submission_key": key,
    }
    data.update(overrides)
    return client.post(url("host-approval-issue", activity), data, follow=True)


def key_of(client, activity, field):
    return page_keys(client.get(page_url(activity)).content.decode())[field]


def test_every_form_of_the_page_but_the_buttons_carries_a_key(as_user, world, published):
    for person in (world.dina, world.ama, world.dora):
        html = as_user(person).get(page_url(published)).content.decode()
        forms = [(action, keys) for action, keys in form_keys(html) if action.startswith("/activities/")]
        assert forms, person
        for action, keys in forms:
            if "/do/" in action:
                assert keys == {}, action  # a cycle button carries the state it was shown in instead
            else:
                assert len(keys) == 1, action


def test_a_host_approval_sent_twice_makes_one_version(as_user, world, published):
    client = as_user(world.dina)
    key = key_of(client, published, "host-submission_key")
    first = outcome(host_post(client, published, key))
    second = outcome(host_post(client, published, key))
    assert first == (302, page_url(published) + "#host", ["Host approval issued."])
    assert second == first
    assert HostApproval.objects.filter(activity=published).count() == 1


def test_a_fresh_key_makes_a_second_version(as_user, world, published):
    client = as_user(world.dina)
    assert outcome(host_post(client, published, key_of(client, published, "host-submission_key")))[0] == 302
    assert outcome(host_post(client, published, key_of(client, published, "host-submission_key")))[0] == 302
    assert sorted(HostApproval.objects.filter(activity=published).values_list("version", flat=True)) == [1, 2]


def test_a_refused_host_approval_does_not_use_the_key_up(as_user, world, published):
    client = as_user(world.dina)
    key = key_of(client, published, "host-submission_key")
    refused = host_post(client, published, key, **{"host-sd_confirmation": ""})
    assert refused.status_code == 200 and "This field is required." in refused.content.decode()
    assert page_keys(refused.content.decode())["host-submission_key"] == key
    assert not HostApproval.objects.exists()
    assert outcome(host_post(client, published, key))[0] == 302
    assert outcome(host_post(client, published, key))[0] == 302
    assert HostApproval.objects.filter(activity=published).count() == 1


def test_an_authorization_statement_sent_twice_makes_one_version(as_user, world, published):
    client = as_user(world.dina)
    key = key_of(client, published, "auth-submission_key")
    data = {"auth-uses": "ndc", "auth-first_transfer": "", "auth-quantity_cap": "", "auth-vintage_from": "",
            "auth-vintage_to": "", "auth-change_terms": "", "auth-effective_from": "2026-01-01",
            "auth-submission_key": key}
    first = outcome(client.post(url("authorization-statement-issue", published), data, follow=True))
    second = outcome(client.post(url("authorization-statement-issue", published), data, follow=True))
    assert first[0] == 302 and second == first
    assert AuthorizationStatement.objects.filter(activity=published).count() == 1


def test_a_document_uploaded_twice_makes_one_version(as_user, world, activity):
    client = as_user(world.ama)
    key = key_of(client, activity, "upload-submission_key")

    def send():
        data = {"upload-kind": "pdd", "upload-title": "PDD", "upload-file": f.pdf("pdd.pdf"),
                "upload-submission_key": key}
        return outcome(client.post(url("document-upload", activity), data, follow=True))

    first, second = send(), send()
    assert first[0] == 302 and second == first
    assert DocumentVersion.objects.filter(document__activity=activity).count() == 1


def test_an_activity_drafted_twice_is_drafted_once(as_user, world):
    client = as_user(world.ama)
    key = page_keys(client.get(reverse("activity-create")).content.decode())["submission_key"]
    data = form_data(world, title="Tema solar farm") | {"submission_key": key}
    first = outcome(client.post(reverse("activity-create"), data, follow=True))
    second = outcome(client.post(reverse("activity-create"), data, follow=True))
    assert first[0] == 302 and second == first
    assert Activity.objects.filter(title="Tema solar farm").count() == 1
