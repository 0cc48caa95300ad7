"""The authorization matrix (issue 11): every route x every persona x objects not theirs, GET and POST.

Generated from the URL configuration (tests/hardening/authz.py): a route the generator cannot
fill fails here with a message that asks for a kwarg filler, so a new route is covered the day
it is added. For each persona, each route is filled with objects that persona must not see or
touch (another participant's draft, another Party's unpublished activity, another holder's
account, a fee of one activity under another's URL, ...). Every answer must be a refusal (403,
404, 405, or a redirect to the login page for the anonymous visitor), never a 200 and never a
5xx; no page shows what the persona may not see; a POST changes nothing (the event log, the
ledger, every cycle table, the states, the stored files). Read routes on what the persona may
see are controls: they must answer 200, so the fillers point at real objects.
"""
import logging

import pytest

from . import authz


@pytest.fixture(autouse=True)
def _quiet_refusals():
    """Thousands of 403/404/405 answers: Django would log a warning for each (a 5xx still fails the test)."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


def test_every_route_is_declared_with_a_kwarg_filler():
    problems = authz.unfilled(authz.site_routes())
    assert not problems, "\n".join(problems)


def test_the_declarations_name_only_routes_that_exist():
    keys = {route.key for route in authz.site_routes()}
    assert sorted(set(authz.ROUTES) - keys) == []


def test_a_new_route_without_a_filler_fails_with_a_message():
    routes = [*authz.site_routes(), authz.Route(name="widget-delete", pattern="widgets/<int:pk>/delete/",
                                                kwargs=("pk",))]
    problems = authz.unfilled(routes)
    assert len(problems) == 1
    assert "'widget-delete'" in problems[0] and "add a kwarg filler" in problems[0] and "pk" in problems[0]


def test_no_route_shows_or_changes_what_is_not_the_personas(client, world, django_capture_on_commit_callbacks,
                                                              settings, time_machine):
    """One scene, every persona in turn (building the scene once keeps the matrix well under a minute)."""
    scene = authz.scene_build(world, django_capture_on_commit_callbacks, time_machine)
    failures, requests, refused = [], 0, 0
    for persona in authz.PERSONAS:
        tally = authz.matrix_run(client, scene, persona, settings.MEDIA_ROOT)
        failures += tally.failures
        requests, refused = requests + tally.requests, refused + tally.refused
        # Not empty for anyone: every route was sent, most answers were refusals, the controls answered 200.
        assert tally.routes == {route.key for route in authz.site_routes()}, persona
        assert tally.refused > 250 and tally.controls >= 8, (persona, tally.refused, tally.controls)
    assert not failures, f"{len(failures)} of {requests} requests:\n" + "\n".join(failures)


# --- The admin ------------------------------------------------------------------------------------

def test_every_admin_model_is_declared_read_only_or_editable():
    problems = authz.admin_undeclared()
    assert not problems, "\n".join(problems)


def test_no_admin_page_opens_or_changes_anything_for_the_personas(client, world, django_capture_on_commit_callbacks,
                                                                  settings, django_user_model, time_machine):
    """The changelist and a change page of every model, GET and POST, for each persona (none is
    staff): a redirect to the admin login, nothing changed. Then the secretariat as staff with
    the view permissions `seed_demo` gives it, and the superuser: the pages open (or a 403), and a POST
    to a model the services alone write is a 403 that changes nothing."""
    from django.contrib.auth.models import Permission

    from pacm.parties.models import Membership
    from projects.management.commands.seed_demo import SECRETARIAT_VIEW_APPS

    scene = authz.scene_build(world, django_capture_on_commit_callbacks, time_machine)
    failures, requests = [], 0
    for persona in authz.PERSONAS:
        run = authz.AdminRun(client, scene, persona, settings.MEDIA_ROOT)
        # The admin lets in staff only: its lists and object pages send every persona to its login
        # (add, delete and history pages sit behind the same gate; the staff runs below open them).
        tally = run.admin(lambda model, page, method: "login" if page in ("changelist", "change") else None)
        failures += tally.failures
        requests += tally.requests

    # The secretariat's officer as seed_demo makes one: staff, in the secretariat, with view permissions.
    staff = django_user_model.objects.create_user("sam-staff", password="pw", is_staff=True)
    Membership.objects.create(user=staff, organisation=world.orgs["sec"])
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label__in=SECRETARIAT_VIEW_APPS,
                                                          codename__startswith="view_"))

    # A POST to a list or a history page is no write (no action chosen): it may show the page again.
    SHOWN = (200, 302, 403)

    def viewer(model, page, method):
        viewable = model._meta.app_label in SECRETARIAT_VIEW_APPS
        if page in ("add", "delete") or not viewable:
            return (403,)
        if method == "GET":
            # The first row may be a draft, hidden from staff: the admin then says so and redirects.
            return (200, 302) if page in ("change", "history") else (200,)
        return SHOWN if page != "change" else (403, 302)

    def superuser(model, page, method):
        read_only = model._meta.app_label in authz.ADMIN_READ_ONLY_APPS
        if read_only and page in ("add", "delete"):
            return (403,)
        if method == "GET":
            # A rule set in force can be neither changed nor deleted (methodologies.admin); the
            # admin shows an activity's rows only where the site would (the superuser has no
            # organisation: the public's), so a first row may be "missing" (a redirect).
            if read_only:
                return (200, 302) if page in ("change", "history") else (200,)
            # Editable models may still refuse a page (an axes log has no add form).
            return (200,) if page in ("changelist", "history") else (200, 403)
        if read_only:
            return (403,) if page == "change" else SHOWN
        return None  # reference data: the superuser's to edit (tests/ops cover those forms)

    admin_user = django_user_model.objects.create_superuser("root-matrix", "root@example.org", "pw")
    for user, expect, sees_as in ((staff, viewer, "sam"), (admin_user, superuser, None)):
        tally = authz.AdminRun(client, scene, "anon", settings.MEDIA_ROOT, user=user, sees_as=sees_as).admin(expect)
        failures += [f"{user.username}: {failure}" for failure in tally.failures]
        requests += tally.requests
    assert not failures, f"{len(failures)} of {requests} requests:\n" + "\n".join(failures)
