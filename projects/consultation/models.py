"""Comments of the public on a design document under global stakeholder consultation, and the
participants' answers and the DOE's assessments of them.

A6.4-PROC-AC-002 v03.0 para 20: Parties, stakeholders and observers comment within the
consultation, giving the name and contact details of the person or organisation they comment
for; para 21: the comments are published where the design document is displayed. A comment is
on a subject (`subject_kind` + `subject_id`, see `subjects.py`: an activity, a PoA, a CDM
transition request), as a Board decision is. Rows change only through `services.py`.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pacm.common.models import AppendOnlyModel

# Technical bounds of what a person types (pacm.common.bounds' spirit: no rule of the mechanism).
NAME_MAX = 200
TEXT_MAX = 20_000
REPLY_MAX = 20_000


class Comment(models.Model):
    class Status(models.TextChoices):
        # Held until its author follows the confirmation link sent to the e-mail address given.
        PENDING = "pending", _("Waiting for the e-mail address to be confirmed")
        PUBLISHED = "published", _("Published")

    class Handling(models.TextChoices):
        # PROC-AC-002 v03.0 para 27, STAN-AC-002 para 92: the participants take it into account
        # and say how; STAN-AC-003 para 90: the DOE determines whether it was taken into due account.
        ANSWER_DUE = "answer_due", _("Waiting for the participants' answer")
        ASSESSMENT_DUE = "assessment_due", _("Waiting for the DOE's assessment")
        TAKEN = "taken", _("Taken into due account (DOE)")
        # A subject whose answers nobody assesses (a CDM transition request, PROC-AC-001 v06.0
        # paras 16-18): the participants' answer is recorded and the comment rests there.
        ANSWERED = "answered", _("Answered by the participants")

    subject_kind = models.CharField(max_length=30)
    subject_id = models.PositiveBigIntegerField()
    # Numbered per subject when published: "comment 3 on A64-000012".
    number = models.PositiveIntegerField(null=True, blank=True)
    author_name = models.CharField(_("name"), max_length=NAME_MAX)
    organisation = models.CharField(_("organisation"), max_length=NAME_MAX, blank=True)
    email = models.EmailField(_("e-mail address"))
    text = models.TextField(_("comment"))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    handling = models.CharField(max_length=16, choices=Handling.choices, blank=True)
    submitted_at = models.DateTimeField()
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Keyed digests (HMAC with the secret key) of the sender's address and e-mail, for the rate
    # limits: the address itself is never stored.
    ip_digest = models.CharField(max_length=64)
    email_digest = models.CharField(max_length=64)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    class Meta:
        ordering = ["subject_kind", "subject_id", "number", "pk"]
        indexes = [
            models.Index(fields=["subject_kind", "subject_id", "status", "number"], name="consultation_comment_subject"),
            models.Index(fields=["ip_digest", "submitted_at"], name="consultation_comment_ip"),
            models.Index(fields=["email_digest", "submitted_at"], name="consultation_comment_email"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["subject_kind", "subject_id", "number"], condition=Q(number__isnull=False),
                                    name="consultation_comment_number_once"),
            models.CheckConstraint(condition=Q(status="pending", number__isnull=True, handling="")
                                   | Q(status="published", number__isnull=False) & ~Q(handling=""),
                                   name="consultation_comment_published_numbered"),
        ]

    def __str__(self):
        return f"Comment {self.number or '(pending)'} on {self.subject_kind} {self.subject_id}"

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    @property
    def by_line(self):
        """What the public reads of the author: the name and organisation, never the e-mail address."""
        return f"{self.author_name} ({self.organisation})" if self.organisation else self.author_name


class CommentReply(AppendOnlyModel):
    """The participants' answer (how the comment was taken into account) or the DOE's assessment
    of it. Never edited: a new answer follows a DOE's finding that it was not taken into account."""

    class Kind(models.TextChoices):
        ANSWER = "answer", _("Participants' answer")
        ASSESSMENT = "assessment", _("DOE's assessment")

    class Outcome(models.TextChoices):
        TAKEN = "taken", _("Taken into due account")
        NOT_TAKEN = "not_taken", _("Not taken into due account")

    comment = models.ForeignKey(Comment, on_delete=models.PROTECT, related_name="replies")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    text = models.TextField()
    organisation = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind="answer", outcome="") | Q(kind="assessment") & ~Q(outcome=""),
                                   name="consultation_reply_outcome_for_assessment"),
        ]

    def __str__(self):
        return f"{self.kind} on comment {self.comment_id}"
