"""Celery: generate one document (idempotent), and the sweep that generates what a dispatch missed."""
from celery import shared_task

from projects.tasks import _retry_on


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=10, ignore_result=True)
def certificate_for_event(self, event_id):
    """The document the committed event calls for. Safe to run twice: the second run finds it."""
    from pacm.events.models import Event

    from .dispatch import subject_of
    from .services import certificate_issue

    try:
        event = Event.objects.filter(pk=event_id).first()
        target = subject_of(event) if event is not None else None
        if target is None or target[1] is None:
            return None
        doc, _created = certificate_issue(kind=target[0], subject_id=target[1])
    except _retry_on() as exc:
        raise self.retry(exc=exc, countdown=min(2 ** self.request.retries, 60)) from exc
    return doc.pk


@shared_task(ignore_result=True)
def certificates_sweep():
    from .sweep import certificates_sweep as sweep

    return len(sweep())
