"""One row per generated document: what it attests, its code, its SHA-256 and its exact bytes."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from pacm.common.models import AppendOnlyModel


class DocumentKind(models.TextChoices):
    REGISTRATION = "registration", _("Certificate of registration")
    ISSUANCE = "issuance", _("Issuance statement")
    # Retirement for NDC use, cancellation for OIMP, voluntary (OMGE) cancellation: one kind, the
    # transaction's own kind names it on the document.
    USE = "use", _("Retirement or cancellation certificate")
    HOST_APPROVAL = "host_approval", _("Letter of approval of the host Party")
    AUTHORIZATION = "authorization", _("Statement of authorization")
    # PROC-AC-003 v03.0 paras 120-124: a component project included in a registered PoA.
    CP_INCLUSION = "cp_inclusion", _("Certificate of inclusion of a component project")


def _stored_as(instance, filename):
    return f"certificates/{instance.kind}/{instance.sha256[:2]}/{instance.sha256}.pdf"


class IssuedDocument(AppendOnlyModel):
    """A generated PDF, written once (append-only) with its bytes in the project's storage.

    `attested_at` is the time of the record it attests (the registration, the issuance, the use, the
    version issued): the PDF carries it as its creation date, so a re-render gives the same bytes.
    """

    kind = models.CharField(max_length=14, choices=DocumentKind.choices)
    subject_id = models.PositiveBigIntegerField()
    activity = models.ForeignKey("projects.Activity", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    code = models.CharField(max_length=20, unique=True)
    sha256 = models.CharField(max_length=64, unique=True)
    size = models.PositiveIntegerField()
    file = models.FileField(upload_to=_stored_as, max_length=200)
    attested_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "subject_id"]
        constraints = [models.UniqueConstraint(fields=["kind", "subject_id"], name="issued_document_subject_unique")]
        indexes = [models.Index(fields=["activity", "kind", "subject_id"], name="issued_document_activity")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.code}"
