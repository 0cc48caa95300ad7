import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pacm.common.models import AppendOnlyModel


class Document(models.Model):
    """A named document of an activity; its content lives in immutable versions."""

    class Kind(models.TextChoices):
        PDD = "pdd", _("Project design document")
        LOCAL_CONSULTATION = "local_consultation", _("Local stakeholder consultation report")
        SD_REPORT = "sd_report", _("Sustainable development report")
        VALIDATION_REPORT = "validation_report", _("Validation report")
        HOST_APPROVAL_LETTER = "host_approval_letter", _("Host approval letter")
        AUTHORIZATION_STATEMENT = "authorization_statement", _("Authorization statement")
        MONITORING_REPORT = "monitoring_report", _("Monitoring report")
        VERIFICATION_REPORT = "verification_report", _("Verification and certification report")
        REVERSAL_EVIDENCE = "reversal_evidence", _("Reversal evidence")
        # PROC-AC-003 v03.0 paras 20, 95, 97, 123: a PoA's generic CP-DD; a component project's
        # CP-DD, its validation report and its inclusion form (one document of each per CP).
        GENERIC_CP_DD = "generic_cp_dd", _("Generic component project design document")
        CP_DD = "cp_dd", _("Component project design document")
        CP_VALIDATION_REPORT = "cp_validation_report", _("Validation report for inclusion of the CP")
        CP_INCLUSION_FORM = "cp_inclusion_form", _("Component project inclusion form")
        # A6.4-STAN-METH-002 paras 38-40: the reversal risk assessment and its mitigation plan.
        RISK_ASSESSMENT = "risk_assessment", _("Reversal risk assessment")
        OTHER = "other", _("Other")

    activity = models.ForeignKey("projects.Activity", on_delete=models.PROTECT, related_name="documents")
    monitoring_period = models.ForeignKey(
        "projects.MonitoringPeriod", null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    title = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["kind", "pk"]

    def __str__(self):
        return self.title or self.get_kind_display()

    @property
    def latest(self):
        return self.versions.order_by("-number").first()


def _upload_to(instance, filename):
    return f"documents/{instance.document.activity_id}/{instance.sha256[:2]}/{instance.sha256}/{filename}"


class DocumentVersion(AppendOnlyModel):
    """One immutable version: a new upload adds a version and never overwrites an old one."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to=_upload_to, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    organisation = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="document_version_unique")]

    def __str__(self):
        return f"{self.document} v{self.number}"

    @staticmethod
    def hash_file(uploaded):
        digest = hashlib.sha256()
        for chunk in uploaded.chunks():
            digest.update(chunk)
        uploaded.seek(0)
        return digest.hexdigest()
