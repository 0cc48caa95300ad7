"""Versions and ledger rows are facts: once written they are never edited or deleted."""
import datetime

import pytest

from pacm.registry.models import LedgerEntry, LedgerTransaction
from projects import services
from projects.models import AuthorizationStatement, DocumentVersion, HostApproval
from tests import factories as f


def test_document_versions_cannot_be_changed_in_bulk(world, activity):
    services.document_upload(activity=activity, user=world.ama, kind="pdd", uploaded=f.pdf())
    with pytest.raises(TypeError):
        DocumentVersion.objects.filter(document__activity=activity).update(sha256="0" * 64)
    with pytest.raises(TypeError):
        DocumentVersion.objects.all().delete()
    assert DocumentVersion.objects.get().sha256 != "0" * 64


def test_host_records_cannot_be_edited_or_deleted(world, activity):
    approval = services.host_approval_issue(
        activity=activity, user=world.dina, sd_confirmation="SD", ndc_relation="NDC",
        authorized_participants=[world.orgs["dev"]],
    )
    statement = services.authorization_statement_issue(
        activity=activity, user=world.dina, uses="ndc", effective_from=datetime.date(2021, 1, 1)
    )
    for row, model in ((approval, HostApproval), (statement, AuthorizationStatement)):
        row.version = 99
        with pytest.raises(TypeError):
            row.save()
        with pytest.raises(TypeError):
            row.delete()
        with pytest.raises(TypeError):
            model.objects.update(version=5)
        assert model.objects.get().version == 1


@pytest.mark.parametrize("model", [LedgerTransaction, LedgerEntry])
def test_ledger_rows_cannot_be_changed_through_the_orm(db, model):
    with pytest.raises(TypeError):
        model.objects.all().update(pk=1)
    with pytest.raises(TypeError):
        model.objects.all().delete()
