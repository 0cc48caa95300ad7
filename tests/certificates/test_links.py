"""Links from the pages that show what a document attests (pacm issue 9)."""
from django.urls import reverse

from projects.models import AuthorizationStatement, HostApproval

from .conftest import K, doc


def _page(client, url, user=None):
    client.logout()
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _pdf_url(kind, subject_id):
    return reverse("certificate-pdf", kwargs={"kind": kind, "subject_id": subject_id})


def test_the_activity_page_links_its_certificate_and_letters(client, world, registered):
    page = _page(client, reverse("activity-detail", kwargs={"reference": registered.reference}))
    approval = HostApproval.objects.get(activity=registered)
    statement = AuthorizationStatement.objects.get(activity=registered)
    for kind, subject_id in ((K.REGISTRATION, registered.pk), (K.HOST_APPROVAL, approval.pk),
                             (K.AUTHORIZATION, statement.pk)):
        assert _pdf_url(kind, subject_id) in page, kind
        assert reverse("certificate-verify", kwargs={"code": doc(kind, subject_id).code}) in page


def test_the_period_page_links_its_issuance_statement_once_issued(client, world, issued):
    url = reverse("period-detail", kwargs={"reference": issued.activity.reference, "number": issued.number})
    page = _page(client, url)
    assert _pdf_url(K.ISSUANCE, issued.issuance.pk) in page
    assert reverse("certificate-verify", kwargs={"code": doc(K.ISSUANCE, issued.issuance.pk).code}) in page


def test_the_account_statement_links_the_certificate_of_a_cancellation_only(client, world, cancelled):
    page = _page(client, reverse("registry-account", kwargs={"number": world.acct.number}), world.ama)
    assert _pdf_url("use", cancelled.pk) in page
    assert page.count("/certificates/use/") == 1  # the issuance's forwarding into the account is no use


def test_the_public_registry_links_each_issuance_statement(client, world, issued):
    page = _page(client, reverse("registry-units"))
    assert _pdf_url(K.ISSUANCE, issued.issuance.pk) in page
