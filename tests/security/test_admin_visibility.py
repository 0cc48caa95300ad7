"""Issue 11 item 4: the admin shows no one more than the site shows them.

The site hides a draft from everyone but its participants (projects.selectors.activities_visible_to:
PRIVATE_STATES, MECHANISM_HIDDEN); the admin keeps to the same selector for the activity and every
row hanging off it.
"""
import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.urls import reverse

from pacm.events.models import Event
from pacm.registry.models import LedgerTransaction, SerialCounter, UnitBlock
from projects.cycle import ActivityState as A
from projects.cycle import PeriodState as P
from projects.models import (
    Activity,
    AuthorizationStatement,
    DistributionLine,
    Document,
    DocumentVersion,
    Fee,
    Finding,
    HostApproval,
    IssuanceRequest,
    MonitoringPeriod,
    Reversal,
    VintageClaim,
)

# How each admin-listed model reaches its activity.
ACTIVITY_PATHS = {
    Activity: "pk", Document: "activity", DocumentVersion: "document__activity", Finding: "activity",
    HostApproval: "activity", AuthorizationStatement: "activity", Fee: "activity", MonitoringPeriod: "activity",
    VintageClaim: "period__activity", IssuanceRequest: "period__activity",
    DistributionLine: "request__period__activity", Reversal: "activity", Event: "activity",
    UnitBlock: "activity", SerialCounter: "activity", LedgerTransaction: "issuance__period__activity",
}
# Admin models tied to no activity: reference data, rule sets, accounts, users, login attempts.
# A ledger entry shows only inside its transaction's page, which keeps to the visible activities.
UNTIED_APPS = {"auth", "parties", "methodologies", "axes"}
# Board decisions name their subject by kind and id (no foreign key to filter on here): their
# admin filters by the same visibility, and only its inline shows the votes.
UNTIED_MODELS = {"registry.account", "registry.ledgerentry", "board.decision", "board.vote"}


def untied(model):
    return model._meta.app_label in UNTIED_APPS or model._meta.label_lower in UNTIED_MODELS


def staff(user):
    """`user` may open the admin and view every record of the cycle (as the demo's secretariat group)."""
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    return user


def admin_querysets(user):
    """{model: queryset} of every admin list and inline, as `user` opens them."""
    request = RequestFactory().get("/admin/")
    request.user = user
    querysets = {}
    for model, model_admin in admin.site._registry.items():
        querysets[model] = model_admin.get_queryset(request)
        for inline in model_admin.get_inline_instances(request):
            querysets[inline.model] = inline.get_queryset(request)
    return querysets


def rows_of(querysets, activity):
    return {model: qs.filter(**{ACTIVITY_PATHS[model]: activity.pk}).count()
            for model, qs in querysets.items() if model in ACTIVITY_PATHS}


def test_every_admin_model_tied_to_an_activity_is_covered_here():
    listed = {m for m in admin.site._registry if not untied(m)}
    inlines = {i.model for model_admin in admin.site._registry.values() for i in model_admin.inlines if not untied(i.model)}
    assert listed | inlines == set(ACTIVITY_PATHS), "a new admin model: say how it reaches its activity"


@pytest.fixture
def hidden(world, registered, submit, drive):
    """An activity with rows in every table that hangs off one; the tests then make it a draft again.

    A removals activity (for the reversal), its first period issued, a second one under
    verification with a finding. No service takes an activity back to draft: the tests set the
    state in the table (test data only), so that every admin model has rows of a hidden activity.
    """
    from projects import services
    from tests import factories as f

    methodology = registered.methodology_version.methodology
    methodology.kind = "removals"
    methodology.save()
    Activity.objects.filter(pk=registered.pk).update(risk_rating_percent=10)
    drive(submit(registered), P.ISSUED)
    import datetime

    from django.utils import timezone

    from projects.reversals.services import observed_event_notify

    today = timezone.localdate()
    observed_event_notify(activity=registered, user=world.ama, description="Fire", location="Plot 1",
                          occurred_from=today - datetime.timedelta(days=1), aware_on=today)
    # A reversal recorded under the superseded policy.md §2 flow: history the admin still shows.
    from projects.models import Reversal

    Reversal.objects.create(activity=registered, quantity=10, kind="unavoidable", description="Fire",
                            reported_by=world.orgs["dev"])
    second = drive(submit(registered, number=2, claims={registered.crediting_start.year + 1: 1_000}),
                   P.UNDER_VERIFICATION)
    services.finding_raise(activity=registered, user=world.dora, kind="car", text="Meter calibration", period=second)
    services.document_upload(activity=registered, user=world.ama, kind="other", uploaded=f.pdf("annex.pdf"))
    return Activity.objects.get(pk=registered.pk)


def test_the_secretariat_reads_no_draft_in_the_admin(world, hidden):
    activity = hidden
    sam = staff(world.sam)
    before = rows_of(admin_querysets(sam), activity)
    assert set(before) == set(ACTIVITY_PATHS)
    assert [m.__name__ for m, n in before.items() if n == 0] == []  # the fixture fills every table
    Activity.objects.filter(pk=activity.pk).update(state=A.DRAFT)
    after = rows_of(admin_querysets(sam), activity)
    assert {m.__name__: n for m, n in after.items() if n} == {}
    # The admin's pages say the same: no row in the lists, no page for the draft.
    client_pages = _client(sam)
    assert activity.reference not in client_pages.get(reverse("admin:projects_activity_changelist")).content.decode()
    response = client_pages.get(reverse("admin:projects_activity_change", args=[activity.pk]))
    assert response.status_code == 302  # "doesn't exist": the admin's answer for a row outside the queryset
    document = activity.documents.first()
    assert client_pages.get(reverse("admin:projects_document_change", args=[document.pk])).status_code == 302
    event = Event.objects.filter(activity=activity).first()
    assert client_pages.get(reverse("admin:events_event_change", args=[event.pk])).status_code == 302


def test_the_participants_admin_view_matches_their_site_view(world, activity):
    """Whoever opens the admin sees exactly the activities the site shows them."""
    from projects.selectors import activities_visible_to

    for user in (world.ama, world.kofi, world.sam, world.sofia):
        qs = admin_querysets(staff(user))[Activity]
        assert set(qs.values_list("pk", flat=True)) == set(activities_visible_to(user).values_list("pk", flat=True))
    assert activity.pk in admin_querysets(world.ama)[Activity].values_list("pk", flat=True)  # ama's own draft
    assert activity.pk not in admin_querysets(world.sam)[Activity].values_list("pk", flat=True)


def test_once_sent_the_secretariat_sees_it_in_the_admin(world, activity, advance_to):
    sam = staff(world.sam)
    advance_to(activity, A.PRIOR_CONSIDERATION)  # out of MECHANISM_HIDDEN: the site shows it to the secretariat
    page = _client(sam).get(reverse("admin:projects_activity_change", args=[activity.pk]))
    assert page.status_code == 200 and activity.reference in page.content.decode()


def test_a_superuser_without_organisation_sees_what_the_public_sees(admin_client, activity, advance_to):
    assert admin_client.get(reverse("admin:projects_activity_change", args=[activity.pk])).status_code == 302
    advance_to(activity, A.CONSULTATION)
    assert admin_client.get(reverse("admin:projects_activity_change", args=[activity.pk])).status_code == 200


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client
