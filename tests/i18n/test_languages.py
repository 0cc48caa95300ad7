"""pacm in four languages (pacm issue 9): the header's switch and the profile's language, dates and
numbers in each language's one format, notifications in each recipient's language, and the API and
the exports the same whatever the language.

Translations here come from a test-only catalog (tests/catalogs.py catalog_install), so each test
reads a real translation whether or not the project's catalogs are translated yet.
"""
import datetime
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation

from pacm.common.errors import ServiceError
from pacm.notifications.models import Notification
from pacm.notifications.services import notifications_write
from pacm.people.language import language_of, person_language_set
from pacm.people.models import Profile
from tests.catalogs import catalog_install

CODES = [code for code, _name in settings.LANGUAGES]
COOKIE = settings.LANGUAGE_COOKIE_NAME
WHEN = datetime.datetime(2026, 3, 5, 14, 30, tzinfo=datetime.UTC)


class _Text(HTMLParser):
    """A page's text nodes (not its attributes, scripts or form values)."""

    def __init__(self):
        super().__init__()
        self.parts, self.raw = [], 0

    def handle_starttag(self, tag, attrs):
        self.raw += tag in ("script", "style", "option")

    def handle_endtag(self, tag):
        self.raw -= tag in ("script", "style", "option") and self.raw > 0

    def handle_data(self, data):
        if not self.raw:
            self.parts.append(data)


def text_of(response):
    reader = _Text()
    reader.feed(response.content.decode())
    return " ".join(" ".join(reader.parts).split())


def in_language(code, value, fmt):
    with translation.override(code):
        return formats.date_format(value, fmt)


def switch(client, code, next_url="/"):
    return client.post(reverse("set_language"), {"language": code, "next": next_url})


# --- The switch and the profile -------------------------------------------------------------------

def test_the_header_offers_the_four_languages_in_a_form_without_script(client, world):
    page = client.get(reverse("registry-units")).content.decode()
    form = re.search(r'<form method="post" action="/i18n/setlang/".*?</form>', page, re.S).group(0)
    assert 'name="csrfmiddlewaretoken"' in form and f'name="next" value="{reverse("registry-units")}"' in form
    assert re.findall(r'<option value="([^"]+)"', form) == CODES
    assert "English" in form and "简体中文" in form and "Français" in form and "Español" in form
    assert "<script>" not in page and " onchange=" not in page  # CSP: pacm.js submits on change
    assert '<html lang="en">' in page


def test_an_anonymous_choice_is_remembered_by_the_cookie(client, world):
    response = switch(client, "fr", "/registry/")
    assert response.status_code == 302 and response["Location"] == "/registry/"
    assert response.cookies[COOKIE].value == "fr"
    page = client.get(reverse("registry-public"))
    assert page["Content-Language"] == "fr" and '<html lang="fr">' in page.content.decode()
    assert not Profile.objects.exists()


def test_a_signed_in_choice_goes_on_the_profile_and_follows_the_person_to_another_browser(client, world):
    client.force_login(world.ama)
    switch(client, "zh-hans")
    assert Profile.objects.get(user=world.ama).language == "zh-hans" and language_of(world.ama) == "zh-hans"
    elsewhere = Client()  # no cookie: the profile's language, set in the session at login
    elsewhere.force_login(world.ama)
    page = elsewhere.get(reverse("account"))
    assert page["Content-Language"] == "zh-hans" and '<html lang="zh-hans">' in page.content.decode()
    # The profile wins over the browser's cookie while signed in; signed out, the cookie speaks.
    elsewhere.cookies[COOKIE] = "es"
    assert elsewhere.get(reverse("account"))["Content-Language"] == "zh-hans"
    elsewhere.post(reverse("logout"))
    assert elsewhere.get(reverse("registry-public"))["Content-Language"] == "es"


def test_the_account_page_shows_and_sets_the_language(client, world):
    client.force_login(world.ama)
    page = client.get(reverse("account")).content.decode()
    card = re.search(r'<form method="post" action="/i18n/setlang/" class="d-flex gap-2" id="account-language">.*?</form>',
                     page, re.S).group(0)
    assert 'name="next" value="/account/"' in card and '<option value="en" lang="en" selected>' in card
    switch(client, "es", "/account/")
    page = client.get(reverse("account")).content.decode()
    assert '<option value="es" lang="es" selected>' in page


def test_an_unknown_language_changes_nothing(client, world):
    client.force_login(world.ama)
    response = switch(client, "xx")
    assert response.status_code == 302 and COOKIE not in response.cookies
    assert not Profile.objects.exists()
    with pytest.raises(ServiceError) as refused:
        person_language_set(user=world.ama, language="klingon")
    assert refused.value.code == "language_unknown" and refused.value.field == "language"


def test_the_switch_is_post_only(client, world):
    assert client.get(reverse("set_language")).status_code == 405


# --- Dates and numbers ----------------------------------------------------------------------------

@pytest.mark.parametrize("code", CODES)
def test_a_page_shows_its_languages_one_date_format_and_no_other(client, world, activity, code):
    """The activity page in each language: its dates in that language's DATE_FORMAT (pacm/formats),
    never in another language's, nor as ISO dates."""
    client.force_login(world.ama)
    switch(client, code)
    text = text_of(client.get(reverse("activity-detail", kwargs={"reference": activity.reference})))
    dates = [activity.start_date, activity.crediting_start, activity.crediting_end]
    for day in dates:
        assert in_language(code, day, "DATE_FORMAT") in text, (code, day)
        for other in CODES:
            shown = in_language(other, day, "DATE_FORMAT")
            if shown != in_language(code, day, "DATE_FORMAT"):
                assert shown not in text, (code, other, shown)
        assert day.isoformat() not in text


def test_each_language_has_one_date_and_one_date_time_format():
    day = datetime.date(2026, 3, 5)
    expected = {"en": ("5 Mar 2026", "5 Mar 2026 14:30"), "zh-hans": ("2026年3月5日", "2026年3月5日 14:30"),
                "fr": ("5 mars 2026", "5 mars 2026 14:30"), "es": ("5 de marzo de 2026", "5 de marzo de 2026 14:30")}
    for code, (date_shown, moment_shown) in expected.items():
        assert in_language(code, day, "DATE_FORMAT") == in_language(code, day, "SHORT_DATE_FORMAT") == date_shown
        assert in_language(code, WHEN, "DATETIME_FORMAT") == moment_shown


def test_unit_quantities_are_grouped_per_language_and_stay_whole():
    from django.contrib.humanize.templatetags.humanize import intcomma

    shown = {}
    for code in CODES:
        with translation.override(code):
            shown[code] = intcomma(1234567)
    assert shown == {"en": "1,234,567", "zh-hans": "1,234,567", "fr": "1\xa0234\xa0567", "es": "1.234.567"}
    # A bare number in a template (an id, a serial, a form value) is never grouped.
    assert not settings.USE_THOUSAND_SEPARATOR


@pytest.mark.parametrize("code", CODES)
def test_the_notifications_list_shows_the_date_time_in_the_language(client, world, code):
    row = Notification.objects.create(recipient=world.ama, machine="activity", subject_pk=1, write="x", key="k",
                                      subject_line="A64-1: submitted", body="", url="")
    Notification.objects.filter(pk=row.pk).update(created_at=WHEN)
    client.force_login(world.ama)
    switch(client, code)
    text = text_of(client.get(reverse("notifications")))
    assert in_language(code, WHEN, "DATETIME_FORMAT") in text
    assert "2026-03-05" not in text
    assert [c for c in CODES if in_language(c, WHEN, "DATETIME_FORMAT") in text
            and in_language(c, WHEN, "DATETIME_FORMAT") != in_language(code, WHEN, "DATETIME_FORMAT")] == []


# --- Notifications and e-mails in the recipient's language -----------------------------------------

def test_each_recipient_is_told_in_their_own_language(world, settings, tmp_path, django_capture_on_commit_callbacks):
    catalog_install(settings, tmp_path, {
        "fr": {"[pacm] %(subject)s: deadline coming": "[pacm] %(subject)s : échéance proche"},
        "zh_Hans": {"[pacm] %(subject)s: deadline coming": "[pacm] %(subject)s：截止日期临近"},
    })
    person_language_set(user=world.ama, language="fr")
    person_language_set(user=world.kofi, language="zh-hans")  # dora: no profile, the site's English
    asked = []

    def compose():
        asked.append(translation.get_language())
        return (translation.gettext("[pacm] %(subject)s: deadline coming") % {"subject": "A64-000001"},
                formats.date_format(WHEN, "DATE_FORMAT"))

    for user in (world.ama, world.kofi, world.dora):
        user.email = f"{user.username}@example.org"
        user.save()
    with django_capture_on_commit_callbacks(execute=True):
        notifications_write(users=[world.ama, world.kofi, world.dora], machine="activity", subject_pk=1,
                            write="reminder", key="k1", url="/a/", compose=compose)
    assert sorted(asked) == ["en", "fr", "zh-hans"]  # once per language, not per person
    rows = {n.recipient.username: (n.subject_line, n.body) for n in Notification.objects.select_related("recipient")}
    assert rows == {"ama": ("[pacm] A64-000001 : échéance proche", "5 mars 2026"),
                    "kofi": ("[pacm] A64-000001：截止日期临近", "2026年3月5日"),
                    "dora": ("[pacm] A64-000001: deadline coming", "5 Mar 2026")}
    sent = {m.to[0]: m.subject for m in mail.outbox}
    assert sent == {"ama@example.org": rows["ama"][0], "kofi@example.org": rows["kofi"][0],
                    "dora@example.org": rows["dora"][0]}


def test_a_write_notifies_its_people_in_their_language(world, activity, settings, tmp_path,
                                                      django_capture_on_commit_callbacks):
    """The engine's notification of a committed write (pacm.engine.notifications) goes through the same path."""
    from projects import services

    catalog_install(settings, tmp_path, {"fr": {"[pacm] %(subject)s: %(write)s": "[pacm] %(subject)s — %(write)s"}})
    person_language_set(user=world.dora, language="fr")
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_notify_prior_consideration(activity=activity, user=world.ama)
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_engage_doe(activity=activity, user=world.ama, doe=world.orgs["doe"])
    row = Notification.objects.filter(recipient=world.dora).latest("pk")
    assert row.subject_line.startswith(f"[pacm] {activity.reference} — ")


def test_the_invitation_is_written_in_the_inviting_administrators_language(world, settings, tmp_path,
                                                                           django_capture_on_commit_callbacks):
    from pacm.parties.models import Membership
    from pacm.people.services import member_invite

    catalog_install(settings, tmp_path, {"es": {
        "You are invited to join %(name)s on pacm": "Le invitan a unirse a %(name)s en pacm"}})
    Membership.objects.filter(user=world.ama).update(is_admin=True)
    person_language_set(user=world.ama, language="es")
    with django_capture_on_commit_callbacks(execute=True):
        member_invite(organisation=world.orgs["dev"], email="new@example.org", role="member", user=world.ama)
    assert [m.subject for m in mail.outbox] == ["Le invitan a unirse a Kpone Green Energy en pacm"]


# --- Pages translated from the catalog ---------------------------------------------------------------

def test_a_page_reads_its_text_from_the_catalog(client, world, settings, tmp_path):
    catalog_install(settings, tmp_path, {"fr": {"Public registry": "Registre public", "Log in": "Se connecter"}})
    client.cookies[COOKIE] = "fr"
    text = text_of(client.get(reverse("registry-public")))
    assert "Registre public" in text and "Se connecter" in text and "Log in" not in text


def test_a_service_refusal_is_shown_in_the_language(client, world, settings, tmp_path):
    from pacm.registry.services.transfers import units_transfer

    catalog_install(settings, tmp_path, {"fr": {"No account %(account)s exists.": "Le compte %(account)s n'existe pas."}})
    with translation.override("fr"), pytest.raises(ServiceError) as refused:
        units_transfer(user=world.ama, from_account="NOPE-1", to_account="NOPE-2", quantity=1)
    assert refused.value.message == "Le compte NOPE-1 n'existe pas." and refused.value.code == "no_account"


# --- Machines read the same whatever the language ---------------------------------------------------

def test_the_api_and_the_exports_do_not_change_with_the_language(client, world, activity, settings, tmp_path):
    """A French reader (cookie, Accept-Language, profile) gets the API's and the exports' bytes an
    English one gets, even with a catalog that would translate their words."""
    from projects import services

    services.activity_notify_prior_consideration(activity=activity, user=world.ama)
    catalog_install(settings, tmp_path, {"fr": {"There is no activity with this reference that you may see.": "Aucune activité visible.",
                                                "Draft": "Brouillon", "Prior consideration": "Examen préalable"}})
    urls = [reverse("export-public-activities-csv"), reverse("export-my-activities-csv"),
            "/api/v1/activities", "/api/v1/activities/NOPE-404"]
    def read(url, **headers):
        response = client.get(url, **headers)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        return response.status_code, response.get("Content-Language", "en"), body

    client.force_login(world.ama)
    english = [read(url) for url in urls]
    switch(client, "fr")
    french = [read(url, HTTP_ACCEPT_LANGUAGE="fr") for url in urls]
    for url, en, fr in zip(urls, english, french, strict=True):
        assert fr == en and en[1] == "en", url
    assert english[0][0] == 200 and activity.reference.encode() in english[1][2]
    assert english[3][0] == 404 and b"There is no activity with this reference that you may see." in english[3][2]
    # The pages around them are French all the same.
    assert client.get(reverse("dashboard"))["Content-Language"] == "fr"
