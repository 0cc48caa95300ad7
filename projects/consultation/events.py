"""The comments' events, in the subject's stream (the activity's): published, answered, assessed.

No event carries the author's e-mail address: the stream is public.
"""
from pacm.events.models import EventKind
from pacm.events.services import event_record
from pacm.events.shapes import shape_register


def _record(kind, *, comment, subject, actor, text="", **payload):
    from pacm.engine.machines import machine_for

    from .subjects import SUBJECTS

    machine = machine_for(subject)
    return event_record(
        stream=machine.stream_of(subject), kind=kind, actor=actor,
        activity=SUBJECTS[comment.subject_kind].event_activity(subject), comment=text,
        payload={"subject": comment.subject_kind, "comment": comment.number, **payload},
    )


def comment_published(*, comment, subject, actor):
    import hashlib

    # The text's SHA-256: the chain proves what was published, without copying it into the log.
    return _record(EventKind.COMMENT_PUBLISHED, comment=comment, subject=subject, actor=actor,
                   submitted_at=comment.submitted_at, author=comment.by_line,
                   sha256=hashlib.sha256(comment.text.encode()).hexdigest())


def comment_answered(*, comment, reply, subject, actor):
    return _record(EventKind.COMMENT_ANSWERED, comment=comment, subject=subject, actor=actor, text=reply.text,
                   reply=reply.pk)


def comment_assessed(*, comment, reply, subject, actor):
    return _record(EventKind.COMMENT_ASSESSED, comment=comment, subject=subject, actor=actor, text=reply.text,
                   reply=reply.pk, outcome=reply.outcome)


_BASE = {"subject", "comment"}
shape_register(EventKind.COMMENT_PUBLISHED, _BASE | {"submitted_at", "author", "sha256"})
shape_register(EventKind.COMMENT_ANSWERED, _BASE | {"reply"})
shape_register(EventKind.COMMENT_ASSESSED, _BASE | {"reply", "outcome"})
