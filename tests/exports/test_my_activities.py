"""A DNA's activities (pacm issue 9): the dashboard's "Activities you work on" as CSV/XLSX: the host
Party's activities once past the draft, for its DNA only (projects.selectors.activities_of_user)."""
from django.urls import reverse

from projects import selectors
from projects.models import Activity

from .conftest import activity_make, csv_rows, xlsx_rows

URL = reverse("export-my-activities-csv")


def _activities(reg):
    draft = activity_make(reg)
    registered = activity_make(reg)
    consultation = activity_make(reg)
    kenyan = activity_make(reg, host=reg.other, participants=[reg.orgs["dev2"]])
    for a, state in ((registered, "registered"), (consultation, "consultation"), (kenyan, "registered")):
        Activity.objects.filter(pk=a.pk).update(state=state)
    return draft, registered, consultation, kenyan


def test_the_dna_exports_its_partys_activities_past_the_draft(reg, as_user):
    draft, registered, consultation, kenyan = _activities(reg)
    rows = csv_rows(as_user(reg.dina).get(URL))
    got = [r[0] for r in rows[1:]]
    assert got == [a.reference for a in selectors.activities_of_user(reg.dina)]
    assert set(got) == {registered.reference, consultation.reference}  # no draft, no Kenyan activity
    assert [r[0] for r in xlsx_rows(as_user(reg.dina).get(reverse("export-my-activities-xlsx")))[1:]] == got


def test_another_partys_dna_and_others_see_only_their_own(reg, as_user):
    draft, registered, consultation, kenyan = _activities(reg)
    assert [r[0] for r in csv_rows(as_user(reg.nils).get(URL))[1:]] == [kenyan.reference]
    assert [r[0] for r in csv_rows(as_user(reg.otto).get(URL))[1:]] == []
    # The participant's own list holds its draft (the same selector as its dashboard).
    assert draft.reference in [r[0] for r in csv_rows(as_user(reg.ama).get(URL))[1:]]
    assert kenyan.reference not in [r[0] for r in csv_rows(as_user(reg.ama).get(URL))[1:]]


def test_anonymous_is_sent_to_log_in(client, world):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
