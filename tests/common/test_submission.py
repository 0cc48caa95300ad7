"""The one-time submission key (issue 11), below the views: `submit_once` and the form mixin."""
import pytest
from django import forms
from django.test import RequestFactory

from pacm.common.errors import ServiceError
from pacm.common.models import SubmissionKey
from pacm.common.submission import USED_ELSEWHERE, SubmissionKeyMixin, submit_once
from pacm.parties.models import Party
from tests.common.test_retry import deadlock

KEY = "k" * 32


class NoteForm(SubmissionKeyMixin, forms.Form):
    note = forms.CharField()


def posted(user, path="/notes/"):
    request = RequestFactory().post(path)
    request.user = user
    return request


def bound(key=KEY, **data):
    form = NoteForm({"note": "n", "submission_key": key, **data})
    assert form.is_valid(), form.errors
    return form


def test_the_key_is_rendered_hidden_new_each_time_and_kept_out_of_cleaned_data():
    first, second = NoteForm(), NoteForm()
    assert 'type="hidden" name="submission_key"' in str(first["submission_key"])
    assert first["submission_key"].value() != second["submission_key"].value()
    form = bound()
    assert form.submission_key == KEY and form.cleaned_data == {"note": "n"}


@pytest.mark.django_db
def test_the_second_call_with_a_key_gets_the_first_result(world, settings):
    settings.PACM_DB_CONFLICT_BACKOFF_SECONDS = 0
    calls = []

    def call():
        calls.append(1)
        return Party.objects.create(iso2="ZZ", name="Zedland")

    def done(party):
        return f"/parties/{party.iso2}/", f"{party.name} added."

    first = submit_once(posted(world.ama), form=bound(), call=call, done=done)
    second = submit_once(posted(world.ama), form=bound(), call=call, done=done)
    assert (first.url, first.message, first.repeated) == ("/parties/ZZ/", "Zedland added.", False)
    assert (second.url, second.message, second.repeated) == ("/parties/ZZ/", "Zedland added.", True)
    assert len(calls) == 1 and Party.objects.filter(iso2="ZZ").count() == 1
    row = SubmissionKey.objects.get(key=KEY)
    assert (row.user, row.path, row.result_url) == (world.ama, "/notes/", "/parties/ZZ/")
    # Another person, or another form, cannot use the key.
    with pytest.raises(ServiceError, match=str(USED_ELSEWHERE)):
        submit_once(posted(world.kofi), form=bound(), call=call, done=done)
    with pytest.raises(ServiceError, match=str(USED_ELSEWHERE)):
        submit_once(posted(world.ama, "/other/"), form=bound(), call=call, done=done)
    assert len(calls) == 1


@pytest.mark.django_db
def test_a_refused_call_frees_the_key(world):
    def refuse():
        Party.objects.create(iso2="ZZ", name="Zedland")
        raise ServiceError("No.")

    with pytest.raises(ServiceError, match="No."):
        submit_once(posted(world.ama), form=bound(), call=refuse, done=lambda _: ("/", ""))
    assert not SubmissionKey.objects.exists() and not Party.objects.filter(iso2="ZZ").exists()
    outcome = submit_once(posted(world.ama), form=bound(), call=lambda: None, done=lambda _: ("/done/", "Done."))
    assert (outcome.url, outcome.repeated) == ("/done/", False)


@pytest.mark.django_db
def test_a_conflict_reruns_the_claim_and_the_call_together(world, settings):
    settings.PACM_DB_CONFLICT_BACKOFF_SECONDS = 0
    calls = []

    def call():
        calls.append(1)
        Party.objects.create(iso2="ZZ", name="Zedland")
        if len(calls) == 1:
            raise deadlock()

    outcome = submit_once(posted(world.ama), form=bound(), call=call, done=lambda _: ("/done/", "Done."))
    assert (outcome.url, outcome.repeated, len(calls)) == ("/done/", False, 2)
    assert SubmissionKey.objects.count() == 1 and Party.objects.filter(iso2="ZZ").count() == 1


@pytest.mark.django_db
def test_without_a_key_each_call_takes_effect(world):
    calls = []
    for _ in range(2):
        submit_once(posted(world.ama), form=bound(key=""), call=lambda: calls.append(1), done=lambda _: ("/", ""))
    assert len(calls) == 2 and not SubmissionKey.objects.exists()
