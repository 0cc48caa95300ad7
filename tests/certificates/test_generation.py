"""Generated once, on the commit of the record it attests; idempotent; deterministic (pacm issue 9)."""
import hashlib

import pytest
from django.db import transaction

from pacm.common.errors import ServiceError
from pacm.registry.models import LedgerTransaction
from projects.certificates import dispatch
from projects.certificates.models import IssuedDocument
from projects.certificates.services import certificate_issue, certificate_render
from projects.certificates.sweep import certificates_sweep
from projects.certificates.tasks import certificate_for_event
from projects.models import AuthorizationStatement, HostApproval

from .conftest import K, doc, stored


def _files(settings):
    root = settings.MEDIA_ROOT / "certificates"
    return sorted(p for p in root.rglob("*.pdf")) if root.exists() else []


def test_every_kind_is_generated_on_commit_with_its_hash_and_bytes(world, cancelled, settings):
    activity = cancelled.entries.first().block.activity
    approval = HostApproval.objects.get(activity=activity)
    statement = AuthorizationStatement.objects.get(activity=activity)
    kinds = sorted(IssuedDocument.objects.values_list("kind", "subject_id"))
    assert kinds == sorted([(K.REGISTRATION, activity.pk), (K.HOST_APPROVAL, approval.pk),
                            (K.AUTHORIZATION, statement.pk), (K.ISSUANCE, activity.monitoring_periods.get().issuance.pk),
                            (K.USE, cancelled.pk)])
    for document in IssuedDocument.objects.all():
        data = stored(document)
        assert data.startswith(b"%PDF-") and len(data) == document.size
        assert hashlib.sha256(data).hexdigest() == document.sha256
    assert len(_files(settings)) == 5


def test_nothing_is_generated_before_the_commit_nor_for_a_write_that_rolls_back(world, issued,
                                                                             django_capture_on_commit_callbacks):
    from pacm.registry.services import units_cancel_voluntarily

    before = IssuedDocument.objects.count()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        row = units_cancel_voluntarily(user=world.ama, from_account=world.acct, quantity=10, purpose="Claim")
    assert IssuedDocument.objects.count() == before  # dispatched on commit, not during the write
    assert len(callbacks) == 1
    callbacks[0]()
    assert doc(K.USE, row.pk)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            units_cancel_voluntarily(user=world.ama, from_account=world.acct, quantity=10, purpose="Claim")
            raise RuntimeError("the write fails after the move")
    assert callbacks == []
    assert IssuedDocument.objects.count() == before + 1


def test_generation_is_idempotent_the_task_and_the_service_run_twice(world, cancelled, settings):
    from pacm.events.models import Event

    first = doc(K.USE, cancelled.pk)
    files = _files(settings)
    again, created = certificate_issue(kind=K.USE, subject_id=cancelled.pk)
    assert (again.pk, created) == (first.pk, False)
    event = Event.objects.filter(kind="registry.units_moved", payload__transaction=cancelled.pk).get()
    assert certificate_for_event.delay(event.pk).get() == first.pk
    assert certificate_for_event.delay(event.pk).get() == first.pk
    assert IssuedDocument.objects.filter(kind=K.USE).count() == 1
    assert _files(settings) == files


def test_a_lost_race_keeps_one_row_and_one_file(world, cancelled, settings, monkeypatch):
    """Two workers render at once: the second insert meets the unique (kind, subject) row, its copy is discarded."""
    first = doc(K.USE, cancelled.pk)
    files = _files(settings)
    real_filter = IssuedDocument.objects.filter
    calls = []

    def blind_filter(*args, **kwargs):  # the second worker read before the first one's commit
        calls.append(kwargs)
        if len(calls) == 1:
            return IssuedDocument.objects.none()
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(IssuedDocument.objects, "filter", blind_filter)
    with transaction.atomic():
        again, created = certificate_issue(kind=K.USE, subject_id=cancelled.pk)
    assert (again.pk, created) == (first.pk, False)
    assert IssuedDocument.objects.count() == 5
    assert _files(settings) == files


def test_a_re_render_gives_the_same_bytes(world, cancelled, issued):
    for kind, subject_id in ((K.USE, cancelled.pk), (K.ISSUANCE, issued.issuance.pk),
                             (K.REGISTRATION, issued.activity.pk)):
        document = doc(kind, subject_id)
        _, data = certificate_render(kind=kind, subject_id=subject_id, code=document.code)
        assert hashlib.sha256(data).hexdigest() == document.sha256, kind


def test_the_sweep_generates_what_no_dispatch_did_and_only_that(world, issued):
    from pacm.registry.services import units_cancel_voluntarily

    row = units_cancel_voluntarily(user=world.ama, from_account=world.acct, quantity=7, purpose="Claim")  # not committed
    assert not IssuedDocument.objects.filter(kind=K.USE, subject_id=row.pk).exists()
    done = certificates_sweep()
    assert [(d.kind, d.subject_id) for d in done] == [(K.USE, row.pk)]
    assert certificates_sweep() == []


def test_a_record_that_calls_for_no_document_is_refused_with_a_code(world, issued):
    transfer_like = LedgerTransaction.objects.filter(kind="issuance").first()
    with pytest.raises(ServiceError) as refused:
        certificate_issue(kind=K.USE, subject_id=transfer_like.pk)
    assert refused.value.code == "certificate_subject_none"
    with pytest.raises(ServiceError) as refused:
        certificate_issue(kind="nonsense", subject_id=1)
    assert refused.value.code == "certificate_kind_unknown"


def test_the_receiver_reads_no_row_on_the_write_path(world, issued, django_assert_num_queries):
    from pacm.events.models import Event

    event = Event.objects.filter(kind="issuance.executed").get()
    cases = [
        (event, True),
        (Event(kind="registry.units_moved", payload={"kind": "transfer"}), False),  # a transfer is no use
        (Event(kind="registry.units_moved", payload={"kind": "retirement"}), True),
        (Event(kind="activity.transitioned", to_state="validated"), False),
        (Event(kind="activity.transitioned", to_state="registered"), True),
        (Event(kind="fee.paid"), False),
    ]
    with django_assert_num_queries(0):
        assert [dispatch.calls_for_document(e) for e, _ in cases] == [expected for _, expected in cases]


def test_the_setting_turns_the_dispatch_off_for_the_benchmarks(world, issued, settings,
                                                             django_capture_on_commit_callbacks):
    from pacm.registry.services import units_cancel_voluntarily

    settings.PACM_CERTIFICATES_ON_COMMIT = False
    with django_capture_on_commit_callbacks(execute=True):
        row = units_cancel_voluntarily(user=world.ama, from_account=world.acct, quantity=3, purpose="Claim")
    assert not IssuedDocument.objects.filter(kind=K.USE, subject_id=row.pk).exists()
