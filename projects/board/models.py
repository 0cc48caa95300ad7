"""A decision of the Supervisory Body as a body (RMP para 22), and the votes cast on it.

A decision is on a subject (`subject_kind` + `subject_id`, see `subjects.py`: an activity or a
monitoring period today; a PoA, a component or a transition request later) and proposes one
declared transition of that subject's machine whose actor is the Board (`Role.BOARD`). It is
taken either at a meeting, recorded by the secretariat, or electronically, by the votes of
members and alternate members within a window. Rows change only through `services.py`.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Decision(models.Model):
    class Mode(models.TextChoices):
        MEETING = "meeting", _("At a meeting")
        ELECTRONIC = "electronic", _("Electronic decision")

    class Status(models.TextChoices):
        OPEN = "open", _("Open for votes")
        ADOPTED = "adopted", _("Adopted")
        NOT_ADOPTED = "not_adopted", _("Not adopted")
        # Adopted, but the subject had moved on (or a guard refused) when the window closed.
        LAPSED = "lapsed", _("Adopted, could not be applied")

    class Basis(models.TextChoices):
        CONSENSUS = "consensus", _("By consensus")
        MAJORITY = "majority", _("By a three-fourths majority")
        MAJORITY_MISSED = "majority_missed", _("Three-fourths majority not reached")
        QUORUM_MISSED = "quorum_missed", _("Quorum not reached")

    subject_kind = models.CharField(max_length=30)
    subject_id = models.PositiveBigIntegerField()
    transition = models.CharField(_("proposed transition"), max_length=40)
    subject_state = models.CharField(_("state of the subject when proposed"), max_length=40)
    body = models.ForeignKey(
        "parties.Organisation", on_delete=models.PROTECT, related_name="board_decisions",
        limit_choices_to={"kind": "sb"},
    )
    mode = models.CharField(max_length=10, choices=Mode.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    basis = models.CharField(max_length=16, choices=Basis.choices, blank=True)
    proposal = models.TextField(_("reasons"), blank=True)
    meeting = models.CharField(max_length=12, blank=True, help_text=_('e.g. "SBM019"'))
    agenda_item = models.CharField(max_length=20, blank=True, help_text=_('e.g. "4.2"'))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField()
    closes_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    rule_set = models.ForeignKey("methodologies.RuleSet", on_delete=models.PROTECT, related_name="board_decisions")
    quorum_needed = models.PositiveSmallIntegerField(null=True, blank=True)
    present = models.PositiveSmallIntegerField(null=True, blank=True)
    yes = models.PositiveSmallIntegerField(null=True, blank=True)
    no = models.PositiveSmallIntegerField(null=True, blank=True)
    abstain = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)
    # The Board's findings made with the decision, given to the proposed transition's service
    # ({name: bool}, projects.board.subjects.FINDINGS; PROC-AC-003 v03.0 para 139).
    findings = models.JSONField(_("findings"), default=dict, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        indexes = [models.Index(fields=["subject_kind", "subject_id"], name="board_decision_subject")]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_kind", "subject_id"], condition=Q(status="open"),
                name="board_one_open_decision_per_subject",
            ),
            models.CheckConstraint(
                condition=Q(mode="electronic") | ~Q(status="open"), name="board_only_electronic_stays_open"
            ),
        ]

    def __str__(self):
        return f"Board decision {self.pk} ({self.transition} on {self.subject_kind} {self.subject_id})"

    @property
    def label(self):
        """How the event log names the Board acting through this decision."""
        return f"board:{self.pk}"

    @property
    def is_open(self):
        return self.status == self.Status.OPEN

    @property
    def subject(self):
        from .subjects import SUBJECTS

        return SUBJECTS[self.subject_kind].get(self.subject_id)

    @property
    def findings_shown(self):
        """[(label, made)] of the decision's findings, for the panel and the page."""
        from .subjects import FINDINGS

        return [(FINDINGS[name].label, made) for name, made in self.findings.items() if name in FINDINGS]

    @property
    def spec(self):
        from .subjects import SUBJECTS

        return SUBJECTS[self.subject_kind].table[self.transition]


class Vote(models.Model):
    """One vote on an electronic decision: once per person, never changed (services.board_vote_cast)."""

    class Choice(models.TextChoices):
        YES = "yes", _("Yes")
        NO = "no", _("No")
        ABSTAIN = "abstain", _("Abstain")

    class Capacity(models.TextChoices):
        MEMBER = "member", _("Member")
        ALTERNATE = "alternate", _("Alternate member")

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    capacity = models.CharField(max_length=10, choices=Capacity.choices)
    # The member whose seat this vote is for: the voter, or the member an alternate stands for.
    seat = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(max_length=8, choices=Choice.choices)
    cast_at = models.DateTimeField()

    class Meta:
        ordering = ["cast_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "voter"], name="board_vote_once"),
            models.UniqueConstraint(fields=["decision", "seat", "capacity"], name="board_vote_once_per_seat_capacity"),
        ]

    def __str__(self):
        return f"{self.voter} ({self.capacity}) {self.choice} on decision {self.decision_id}"
