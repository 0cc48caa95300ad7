"""Issue 11 item 3: public pages name organisations, never login names.

Who did what shows as the organisation (and role) to the public and to anyone not tied to the
activity; the login name only to the people who hold a role on it (pacm.parties.roles.roles_on).
"""
import re

from django.urls import reverse

from projects.cycle import PeriodState as P


def text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


LOGINS = re.compile(r"\b(ama|kofi|dora|otto|dina|nils|sam|sofia)\b")


def others_logins(page, who):
    """The personas' login names on the page, but the viewer's own (the navbar shows it to them)."""
    return [name for name in LOGINS.findall(page) if who is None or name != who.username]


def test_the_public_activity_page_names_organisations_not_logins(as_user, world, published):
    url = reverse("activity-detail", args=[published.reference])
    for who in (None, world.kofi, world.otto, world.nils):  # the public, and people not tied to it
        page = text(as_user(who).get(url))
        assert others_logins(page, who) == [], who
        # The timeline and the documents still say who acted: the organisations.
        assert "Kpone Green Energy · Activity participant" in page  # created and notified by ama
        assert "Terra Verification · Designated operational entity" in page  # published by dora
        assert "Uploaded by" in page and "Kpone Green Energy" in page


def test_the_people_on_the_activity_still_read_who_acted(as_user, world, published):
    url = reverse("activity-detail", args=[published.reference])
    for who in (world.ama, world.dora, world.dina, world.sam):
        page = text(as_user(who).get(url))
        assert "ama · Kpone Green Energy · Activity participant" in page, who
        assert "dora · Terra Verification · Designated operational entity" in page, who


def test_the_public_period_page_names_organisations_not_logins(as_user, world, registered, submit, drive):
    period = drive(submit(registered), P.ISSUED)
    url = reverse("period-detail", args=[period.activity.reference, period.number])
    for who in (None, world.kofi):
        page = text(as_user(who).get(url))
        assert others_logins(page, who) == [], who
        assert "Terra Verification · Designated operational entity" in page and "UNFCCC secretariat · Secretariat" in page
    # A timer's label is not a login: it stays, as words (words_tags.actor_display: "timer:issue" → "Deadline passed (…)").
    assert "Deadline passed (" in text(as_user(None).get(url))
    assert "sam · UNFCCC secretariat" in text(as_user(world.ama).get(url))
