"""The one write path of the consultation: submit a comment, confirm it (published), answer it,
assess it.

Sources (docs/rules-coverage.md, "Readings for the global stakeholder consultation", gsc-1..):
- A6.4-PROC-AC-002 v03.0 para 20: anyone comments within the consultation (RuleSet.gsc_days
  from the PDD's publication), giving the name and contact details of the person or
  organisation they comment for; the e-mail address is the contact detail, confirmed by a
  signed link (PACM_CONSULTATION_CONFIRM_HOURS) before the comment counts as given.
- Para 21: confirmed comments are published where the design document is displayed, and the
  participants and the host's DNA are told (the engine's notifications of `publish_comment`).
- Para 27 and A6.4-STAN-AC-002 para 92: the participants say how each comment was taken into
  account; A6.4-STAN-AC-003 para 90: the DOE determines whether all of them were taken into
  due account (the `comments_taken_into_account` guard of `validate`).
"""
import datetime
import hashlib
import hmac

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from pacm.common.errors import Refused, ServiceError
from pacm.engine.run import lock
from pacm.parties.roles import Actor, Role

from ..services.base import action_run
from . import events
from .models import Comment, CommentReply
from .subjects import SUBJECTS, subject_kind_of

SALT = "pacm.consultation.confirm"


class RateLimited(ServiceError):
    """Too many comments from one address or one e-mail address: a 429, nothing written."""

    default_code = "rate_limited"

    def __init__(self, message, *, code, params=None, retry_after=0):
        super().__init__(message, code=code, params=params)
        self.retry_after = retry_after


def _digest(kind, value):
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def email_digest(email):
    return _digest("email", (email or "").strip().lower())


def ip_digest(ip):
    return _digest("ip", ip or "")


def _when(moment):
    """A moment in a message: the active language's date-time format (pacm/formats), in UTC."""
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT") + " UTC"


def window_require(subject, now=None):
    """(opens, closes) of the consultation open on `subject` now; refused otherwise."""
    kind = subject_kind_of(subject)
    now = now or timezone.now()
    window = kind.window(subject)
    params = {"subject": kind.describe(subject)}
    if window is None:
        raise Refused(_("The global stakeholder consultation on %(subject)s is not open: comments are not taken now.")
                      % params, code="consultation_not_open", params=params)
    opens, closes = window
    if now >= closes:
        params["closed"] = closes.isoformat()  # the params are stable (the API's); the message is the reader's
        params["rule"] = kind.rule
        raise Refused(_("The global stakeholder consultation on %(subject)s closed on %(closed)s: comments are no "
                        "longer taken (%(rule)s).") % {**params, "closed": _when(closes)},
                      code="consultation_closed", params=params)
    return opens, closes


def rate_require(*, ip, email, now=None):
    """Refuse (RateLimited) a sender over PACM_CONSULTATION_COMMENTS_PER_IP or _PER_EMAIL comments
    in the last PACM_CONSULTATION_RATE_WINDOW_SECONDS, counted in the database (every worker sees
    them). The view asks first, to answer 429; the service asks again when it writes."""
    _rate_check(ip_key=ip_digest(ip), email_key=email_digest(email), now=now or timezone.now())


def _rate_check(*, ip_key, email_key, now):
    window = datetime.timedelta(seconds=settings.PACM_CONSULTATION_RATE_WINDOW_SECONDS)
    recent = Comment.objects.filter(submitted_at__gt=now - window)
    limits = (
        ("ip", ip_key, settings.PACM_CONSULTATION_COMMENTS_PER_IP,
         _("Too many comments were sent from your address: at most %(limit)s in %(minutes)s minutes. Try again later.")),
        ("email", email_key, settings.PACM_CONSULTATION_COMMENTS_PER_EMAIL,
         _("Too many comments were sent with this e-mail address: at most %(limit)s in %(minutes)s minutes. "
           "Try again later.")),
    )
    for name, key, limit, message in limits:
        times = list(recent.filter(**{f"{name}_digest": key}).order_by("submitted_at")
                     .values_list("submitted_at", flat=True)[:limit])
        if len(times) >= limit:
            params = {"limit": limit, "minutes": window.seconds // 60 + window.days * 1440}
            retry = max(1, int((times[0] + window - now).total_seconds()))
            raise RateLimited(message % params, code=f"rate_limited_{name}", params=params, retry_after=retry)


def comment_submit(*, subject, author_name, email, text, ip, organisation="", user=None):
    """Take a comment during the consultation; held until its e-mail address is confirmed.

    The confirmation e-mail goes out on commit, through a Celery task."""
    now = timezone.now()
    kind = subject_kind_of(subject)
    window_require(subject, now)
    ip_key, email_key = ip_digest(ip), email_digest(email)
    with transaction.atomic():
        _rate_check(ip_key=ip_key, email_key=email_key, now=now)
        comment = Comment.objects.create(
            subject_kind=kind.key, subject_id=subject.pk, author_name=author_name, organisation=organisation or "",
            email=email.strip(), text=text, submitted_at=now, ip_digest=ip_key, email_digest=email_key,
            submitted_by=user if user is not None and user.is_authenticated else None,
        )
        from .tasks import comment_confirmation_send

        transaction.on_commit(lambda: comment_confirmation_send.delay(comment.pk), robust=True)
    return comment


def confirmation_token(comment):
    """The signed link's token: the comment and a digest of the address it was sent to."""
    return signing.dumps({"c": comment.pk, "e": comment.email_digest[:16]}, salt=SALT, compress=True)


def comment_from_token(token):
    """The comment a confirmation token names; a ServiceError when it is not valid or has expired."""
    max_age = datetime.timedelta(hours=settings.PACM_CONSULTATION_CONFIRM_HOURS)
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired:
        params = {"hours": settings.PACM_CONSULTATION_CONFIRM_HOURS}
        raise ServiceError(_("This confirmation link has expired: links are valid for %(hours)s hours. "
                             "The comment was not published.") % params, code="confirmation_expired",
                           params=params) from None
    except signing.BadSignature:
        raise ServiceError(_("This confirmation link is not valid."), code="confirmation_invalid") from None
    comment = Comment.objects.filter(pk=data.get("c") if isinstance(data, dict) else None).first()
    if comment is None or comment.email_digest[:16] != data.get("e"):
        raise ServiceError(_("This confirmation link is not valid."), code="confirmation_invalid")
    return comment


def public_actor(comment):
    """The member of the public whose confirmed comment is published (no account, no organisation)."""
    return Actor(user=None, organisation=None, role=Role.PUBLIC, label=f"public:{comment.author_name}"[:150])


def comment_confirm(*, token):
    """Publish the comment the link names. A comment counts when it was submitted within the
    consultation (gsc-2): a link followed after the window closed, within its validity, still
    publishes it. Following the link again changes nothing."""
    comment = comment_from_token(token)
    if comment.is_published:
        return comment
    kind = SUBJECTS[comment.subject_kind]
    subject = kind.get(comment.subject_id)

    def apply(obj, actor, current):
        if current.is_published:  # confirmed meanwhile by a second click
            return current
        last = (Comment.objects.filter(subject_kind=current.subject_kind, subject_id=current.subject_id)
                .exclude(number=None).order_by("-number").values_list("number", flat=True).first())
        current.number = (last or 0) + 1
        current.status, current.handling = Comment.Status.PUBLISHED, Comment.Handling.ANSWER_DUE
        current.published_at = timezone.now()
        current.save(update_fields=["number", "status", "handling", "published_at"])
        events.comment_published(comment=current, subject=obj, actor=actor)
        return current

    return action_run(subject=subject, name="publish_comment", user=public_actor(comment), apply=apply,
                      item=lambda obj: lock(Comment, comment.pk))


def _reply(*, comment, user, name, kind, text, outcome=""):
    subject_kind = SUBJECTS[comment.subject_kind]
    subject = subject_kind.get(comment.subject_id)
    text = (text or "").strip()
    if not text:
        raise ServiceError(_("Write the answer."), field="text", code="reply_text_required")

    def apply(obj, actor, current):
        reply = CommentReply.objects.create(comment=current, kind=kind, outcome=outcome, text=text,
                                            organisation=actor.organisation, user=actor.user,
                                            created_at=timezone.now())
        if kind == CommentReply.Kind.ANSWER:
            # A subject whose answers nobody assesses (a transition request) rests at "answered".
            current.handling = (Comment.Handling.ASSESSMENT_DUE if subject_kind.assessed
                                else Comment.Handling.ANSWERED)
            current.save(update_fields=["handling"])
            events.comment_answered(comment=current, reply=reply, subject=obj, actor=actor)
        else:
            current.handling = (Comment.Handling.TAKEN if outcome == CommentReply.Outcome.TAKEN
                                else Comment.Handling.ANSWER_DUE)
            current.save(update_fields=["handling"])
            events.comment_assessed(comment=current, reply=reply, subject=obj, actor=actor)
        return reply

    return action_run(subject=subject, name=name, user=user, apply=apply, item=lambda obj: lock(Comment, comment.pk))


def comment_answer(*, comment, user, text):
    """The participants' answer: how the comment was taken into account (STAN-AC-002 para 92)."""
    return _reply(comment=comment, user=user, name="answer_comment", kind=CommentReply.Kind.ANSWER, text=text)


def comment_assess(*, comment, user, outcome, text):
    """The DOE's assessment of the answer (STAN-AC-003 para 90): taken into due account, or not,
    in which case the participants answer again."""
    if outcome not in CommentReply.Outcome.values:
        raise ServiceError(_("Say whether the comment was taken into due account."), field="outcome",
                           code="assessment_outcome_required")
    return _reply(comment=comment, user=user, name="assess_comment", kind=CommentReply.Kind.ASSESSMENT, text=text,
                  outcome=outcome)


def comment_confirmation_email(*, comment_id):
    """E-mail the confirmation link of a pending comment (the Celery task's work)."""
    from django.core.mail import send_mail
    from django.urls import reverse

    comment = Comment.objects.filter(pk=comment_id, status=Comment.Status.PENDING).first()
    if comment is None:
        return False
    kind = SUBJECTS[comment.subject_kind]
    subject = kind.get(comment.subject_id)
    link = settings.PACM_SITE_URL.rstrip("/") + reverse("consultation-confirm",
                                                        kwargs={"token": confirmation_token(comment)})
    params = {"subject": kind.describe(subject), "hours": settings.PACM_CONSULTATION_CONFIRM_HOURS, "link": link,
              "name": comment.author_name}
    body = _("Dear %(name)s,\n\nYou sent a comment in the global stakeholder consultation on %(subject)s. "
             "It is published once you confirm your e-mail address by opening this link within %(hours)s hours:\n\n"
             "%(link)s\n\nIf you did not send it, ignore this message: nothing is published.") % params
    send_mail(_("Confirm your comment on %(subject)s") % params, body, settings.DEFAULT_FROM_EMAIL, [comment.email],
              fail_silently=False)
    Comment.objects.filter(pk=comment.pk).update(confirmation_sent_at=timezone.now())
    return True
