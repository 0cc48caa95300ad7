"""The registry admin is read-only: rows are written only by the services."""
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from pacm.parties.models import Membership
from pacm.registry.models import AccountKind, LedgerTransaction, UnitBlock

from .conftest import issue


@pytest.fixture
def admin_client_(client, world):
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "pw-root-123")
    # The registry tests' activities are drafts built with the ORM: the admin shows a draft's rows
    # only to someone the site shows the draft to (issue 11), here one of its participants.
    Membership.objects.create(user=admin, organisation=world.orgs["dev"])
    client.force_login(admin)
    return client


@pytest.mark.parametrize("model", ["account", "unitblock", "ledgertransaction", "serialcounter"])
def test_lists_open_and_nothing_can_be_added(admin_client_, reg, model):
    issue(reg.activity, 100, to=reg.acct)
    assert admin_client_.get(reverse(f"admin:registry_{model}_changelist")).status_code == 200
    assert admin_client_.get(reverse(f"admin:registry_{model}_add")).status_code == 403


def test_rows_cannot_be_changed_or_deleted(admin_client_, reg):
    issue(reg.activity, 100, to=reg.acct)
    block = UnitBlock.objects.filter(account=reg.acct).first()
    row = LedgerTransaction.objects.filter(kind="forwarding").first()
    url = reverse("admin:registry_unitblock_change", args=[block.pk])
    page = admin_client_.get(url)
    assert page.status_code == 200 and b'name="_save"' not in page.content  # a view, no save button
    assert admin_client_.post(url, {"serial_start": 1, "serial_end": 99}).status_code == 403
    assert admin_client_.post(reverse("admin:registry_ledgertransaction_delete", args=[row.pk]),
                              {"post": "yes"}).status_code == 403
    assert UnitBlock.objects.get(pk=block.pk).serial_end == block.serial_end
    assert LedgerTransaction.objects.filter(pk=row.pk).exists()
    changelist = reverse("admin:registry_account_changelist")
    assert admin_client_.get(f"{changelist}?kind={AccountKind.HOLDING}").status_code == 200
