"""Public documents to anyone; the host's letter and statement to whoever sees the activity; the
verification page is public but shows only public facts (pacm issue 9)."""
from django.urls import reverse

from projects import services
from projects.cycle import ActivityState as A
from projects.models import AuthorizationStatement, HostApproval

from .conftest import K, doc


def _pdf(client, kind, subject_id):
    return client.get(reverse("certificate-pdf", kwargs={"kind": kind, "subject_id": subject_id}))


def test_the_public_documents_open_for_anyone(client, world, cancelled):
    activity = cancelled.entries.first().block.activity
    subjects = [(K.REGISTRATION, activity.pk), (K.ISSUANCE, activity.monitoring_periods.get().issuance.pk),
                (K.USE, cancelled.pk), (K.HOST_APPROVAL, HostApproval.objects.get(activity=activity).pk),
                (K.AUTHORIZATION, AuthorizationStatement.objects.get(activity=activity).pk)]
    for persona in (None, world.kofi, world.otto, world.nils):
        client.logout()
        if persona is not None:
            client.force_login(persona)
        for kind, subject_id in subjects:
            assert _pdf(client, kind, subject_id).status_code == 200, (persona, kind)


def test_a_withdrawn_activitys_letters_are_its_peoples_only(client, world, activity, advance_to):
    """A withdrawn activity is no longer public (projects.selectors.PRIVATE_STATES): nor are its letters."""
    validated = advance_to(activity, A.VALIDATED)
    services.host_approval_issue(activity=validated, user=world.dina, sd_confirmation="Secret SD plan.",
                                 ndc_relation="Within NDC scope.", authorized_participants=[world.orgs["dev"]])
    approval = HostApproval.objects.get(activity=validated)
    from projects.certificates.services import certificate_issue

    letter, _ = certificate_issue(kind=K.HOST_APPROVAL, subject_id=approval.pk)
    services.activity_withdraw(activity=validated, user=world.ama, comment="We stop.")

    for persona in (None, world.kofi, world.otto, world.nils):
        client.logout()
        if persona is not None:
            client.force_login(persona)
        assert _pdf(client, K.HOST_APPROVAL, approval.pk).status_code == 404, persona
        page = client.get(reverse("certificate-verify", kwargs={"code": letter.code}))
        text = page.content.decode()
        assert page.status_code == 200 and "Valid." in text and "Letter of approval" in text
        assert "Secret SD plan." not in text and validated.reference not in text and validated.title not in text
        assert "Open the registry" not in text
    for persona in (world.ama, world.dina):
        client.force_login(persona)
        assert _pdf(client, K.HOST_APPROVAL, approval.pk).status_code == 200, persona


def test_the_verification_page_shows_the_facts_of_a_public_letter(client, world, registered):
    approval = HostApproval.objects.get(activity=registered)
    page = client.get(reverse("certificate-verify", kwargs={"code": doc(K.HOST_APPROVAL, approval.pk).code}))
    text = page.content.decode()
    assert "Fosters SD." in text and registered.reference in text and "Open the registry" in text
