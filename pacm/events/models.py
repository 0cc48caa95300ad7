"""The append-only, hash-chained event log.

Each event belongs to a stream (one per activity, one for the registry's mechanism-wide
operations) and carries the hash of the stream's previous event, so an edited or deleted row
breaks the chain and `python manage.py verify_events` says where.
"""
import hashlib
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q
from django.db.models.fields.json import KeyTransform
from django.db.models.lookups import IsNull
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    ACTIVITY_CREATED = "activity.created", _("Activity created")
    ACTIVITY_UPDATED = "activity.updated", _("PDD fields updated")
    ACTIVITY_TRANSITIONED = "activity.transitioned", _("State changed")
    DOE_ENGAGED = "activity.doe_engaged", _("DOE engaged")
    DOE_CHANGED = "activity.doe_changed", _("DOE changed")
    DOCUMENT_UPLOADED = "document.uploaded", _("Document version uploaded")
    FINDING_RAISED = "finding.raised", _("Finding raised")
    FINDING_ANSWERED = "finding.answered", _("Finding answered")
    FINDING_CLOSED = "finding.closed", _("Finding closed")
    FINDING_REOPENED = "finding.reopened", _("Finding reopened")
    HOST_APPROVAL_ISSUED = "host.approval_issued", _("Host approval issued")
    AUTHORIZATION_ISSUED = "host.authorization_issued", _("Authorization statement issued")
    FEE_ASSESSED = "fee.assessed", _("Fee assessed")
    FEE_PAID = "fee.paid", _("Fee recorded as paid")
    MONITORING_SUBMITTED = "monitoring.submitted", _("Monitoring report submitted")
    MONITORING_TRANSITIONED = "monitoring.transitioned", _("Monitoring period state changed")
    ISSUANCE_TRANSITIONED = "issuance.transitioned", _("Issuance request state changed")
    ISSUANCE_EXECUTED = "issuance.executed", _("Units issued and forwarded")
    # pacm issue 9 (reading omge-confirm-1): the participants confirm the DOE's request as submitted.
    ISSUANCE_CONFIRMED = "issuance.confirmed", _("Issuance request confirmed by the participants")
    # pacm issue 9 (reading omge-confirm-2): the participants decline it, with their reasons.
    ISSUANCE_DECLINED = "issuance.declined", _("Issuance request declined by the participants")
    REVERSAL_REPORTED = "reversal.reported", _("Reversal reported")
    REVERSAL_SETTLED = "reversal.settled", _("Reversal settled")
    # A6.4-STAN-METH-002 v01.0 paras 21-25, 43-58 (projects.reversals).
    OBSERVED_EVENT_NOTIFIED = "observed_event.notified", _("Observed event notified")
    OBSERVED_EVENT_TRANSITIONED = "observed_event.transitioned", _("Observed event: state changed")
    OBSERVED_EVENT_UPDATED = "observed_event.updated", _("Observed event: end recorded")
    BUFFER_REMEDIATED = "observed_event.remediated", _("Buffer units cancelled for remediation of reversals")
    BUFFER_REPLENISHED = "observed_event.replenished", _("Buffer pool replenished")
    REPORT_DUE_SET = "report_due.set", _("Monitoring report due date set")
    REPORT_DUE_TRANSITIONED = "report_due.transitioned", _("Monitoring report due date: state changed")
    UNITS_MOVED = "registry.units_moved", _("Units moved")
    ACCOUNT_OPENED = "registry.account_opened", _("Account opened")
    BOARD_DECISION_OPENED = "board.decision_opened", _("Board decision opened (electronic)")
    BOARD_DECIDED = "board.decided", _("Board decision taken")
    COMMENT_PUBLISHED = "consultation.comment_published", _("Stakeholder comment published")
    COMMENT_ANSWERED = "consultation.comment_answered", _("Participants' answer to a comment")
    COMMENT_ASSESSED = "consultation.comment_assessed", _("DOE's assessment of a comment")
    # A6.4-STAN-METH-002 paras 41, 49 (pacm issue 10): a revision of the reversal risk assessment.
    RISK_TRANSITIONED = "risk.transitioned", _("Reversal risk assessment revision")
    # pacm issue 9 (people): an organisation's administrators manage its own people (pacm.people).
    PEOPLE_INVITED = "people.invited", _("Person invited to an organisation")
    PEOPLE_JOINED = "people.joined", _("Invitation accepted: member joined")
    PEOPLE_DISABLED = "people.disabled", _("Member disabled")
    PEOPLE_ENABLED = "people.enabled", _("Member re-enabled")
    PEOPLE_ROLE_ASSIGNED = "people.role_assigned", _("Member's role assigned")
    PEOPLE_INVITATION_REVOKED = "people.invitation_revoked", _("Invitation revoked")
    # pacm issue 9 (demo): the demo clock moved forward (pacm.demo; demo databases only).
    DEMO_CLOCK_ADVANCED = "demo.clock_advanced", _("Demo clock advanced")
    # A6.4-STAN-METH-002 v01.0 paras 26-30, 60-61 (pacm issue 10; projects.removals).
    DEFICIT_INCURRED = "removals.deficit_incurred", _("Crediting deficit incurred")
    DEFICIT_DEDUCTED = "removals.deficit_deducted", _("Crediting deficit deducted at issuance")
    STORAGE_LOSS_RECORDED = "removals.storage_loss", _("Loss of GHG storage recorded as an observed event")
    TERMINATION_REQUESTED = "removals.termination_requested", _("Termination of post-crediting monitoring requested")
    TERMINATION_TRANSITIONED = "removals.termination_transitioned", _("Termination of post-crediting monitoring: decided")
    STRESS_TEST_RUN = "buffer.stress_test_run", _("Buffer stress test run")
    STRESS_TEST_TRANSITIONED = "buffer.stress_test_transitioned", _("Buffer stress test: state changed")
    # pacm issue 9 (API): a person's API token created or revoked (pacm.api.tokens; stream person:<id>).
    API_TOKEN_CREATED = "api.token_created", _("API token created")
    API_TOKEN_REVOKED = "api.token_revoked", _("API token revoked")
    # pacm issue 9 (dMRV, projects.dmrv): a participant's MRV key registered, a signed batch of readings received.
    DMRV_KEY_REGISTERED = "dmrv.key_registered", _("MRV signing key registered")
    DMRV_KEY_REVOKED = "dmrv.key_revoked", _("MRV signing key revoked")
    DMRV_READINGS_RECEIVED = "dmrv.readings_received", _("Monitoring readings received")


GENESIS = "0" * 64


class EventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Events are append-only: they cannot be updated.")

    def delete(self):
        raise TypeError("Events are append-only: they cannot be deleted.")


class Event(models.Model):
    stream = models.CharField(max_length=64, db_index=True)
    sequence = models.PositiveIntegerField()
    kind = models.CharField(max_length=40, choices=EventKind.choices)
    activity = models.ForeignKey(
        "projects.Activity", null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    actor_label = models.CharField(max_length=150)
    organisation = models.ForeignKey("parties.Organisation", null=True, blank=True, on_delete=models.PROTECT)
    role = models.CharField(max_length=20)
    from_state = models.CharField(max_length=40, blank=True)
    to_state = models.CharField(max_length=40, blank=True)
    comment = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["stream", "sequence"]
        constraints = [models.UniqueConstraint(fields=["stream", "sequence"], name="event_stream_sequence_unique")]
        indexes = [
            # A period page's timeline: the stream's events of one monitoring period, in sequence, through
            # the payload's period number (projects.selectors.period_timeline; pacm issue 8), not a walk
            # over the whole stream of a long history. Partial (only events that name a period), so that
            # a stream's plain timeline never takes it for the (stream, sequence) key and sorts.
            models.Index(F("stream"), KeyTransform("monitoring_period", "payload"), F("sequence"),
                         name="event_stream_period_seq",
                         condition=Q(IsNull(KeyTransform("monitoring_period", "payload"), False))),
        ]

    def __str__(self):
        return f"{self.stream}#{self.sequence} {self.kind}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Events are append-only: they cannot be edited.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Events are append-only: they cannot be deleted.")

    def canonical(self):
        """The fields the hash covers, in a stable form."""
        return json.dumps(
            {
                "stream": self.stream,
                "sequence": self.sequence,
                "kind": self.kind,
                "activity": self.activity_id,
                "actor": self.actor_id,
                "actor_label": self.actor_label,
                "organisation": self.organisation_id,
                "role": self.role,
                "from": self.from_state,
                "to": self.to_state,
                "comment": self.comment,
                "payload": self.payload,
                "created_at": self.created_at.isoformat(),
                "prev": self.prev_hash,
            },
            sort_keys=True,
            cls=DjangoJSONEncoder,
            separators=(",", ":"),
        )

    def compute_hash(self):
        return hashlib.sha256(self.canonical().encode()).hexdigest()
