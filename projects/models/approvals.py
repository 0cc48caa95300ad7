from django.db import models
from django.utils.translation import gettext_lazy as _

from pacm.common.models import AppendOnlyModel


class HostApproval(AppendOnlyModel):
    """The host Party's approval (RMP 40) and authorization of participants (RMP 41), versioned."""

    activity = models.ForeignKey("projects.Activity", on_delete=models.PROTECT, related_name="host_approvals")
    version = models.PositiveIntegerField()
    dna = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+")
    sd_confirmation = models.TextField(_("how the activity fosters sustainable development"))
    ndc_relation = models.TextField(_("how the activity relates to the NDC"))
    renewal_approved = models.BooleanField(_("future renewal of the crediting period approved"), default=False)
    authorized_participants = models.ManyToManyField("parties.Organisation", related_name="+")
    # 6/CMA.6 para 20: an LDC/SIDS host may choose not to use the share-of-proceeds exemption.
    sop_exemption_opt_out = models.BooleanField(_("host opts out of the LDC/SIDS SOP exemption"), default=False)
    issued_at = models.DateTimeField()

    class Meta:
        ordering = ["activity", "-version"]
        constraints = [models.UniqueConstraint(fields=["activity", "version"], name="host_approval_version_unique")]

    def __str__(self):
        return f"Host approval v{self.version} for {self.activity.reference}"


class AuthorizationStatement(AppendOnlyModel):
    """The host's statement on authorization of A6.4ERs (RMP 42; 6/CMA.6 paras 10-11), versioned.

    The version in force at issuance sets the units' authorization status (7/CMA.4 annex I
    para 38); a revision never touches units already first-transferred (4/CMA.6 paras 7-9).
    """

    class Uses(models.TextChoices):
        NDC = "ndc", _("Authorized for use towards NDCs")
        OIMP = "oimp", _("Authorized for other international mitigation purposes")
        BOTH = "both", _("Authorized for NDCs and other international mitigation purposes")
        MITIGATION_CONTRIBUTION = "mc", _("Not authorized: mitigation contribution A6.4ERs")

    class FirstTransfer(models.TextChoices):
        # 2/CMA.3 annex para 2(b): for OIMP the host specifies the event.
        AUTHORIZATION = "authorization", _("Authorization")
        ISSUANCE = "issuance", _("Issuance")
        USE_OR_CANCELLATION = "use", _("Use or cancellation")
        INTERNATIONAL_TRANSFER = "international", _("First international transfer (NDC use)")

    activity = models.ForeignKey(
        "projects.Activity", on_delete=models.PROTECT, related_name="authorization_statements"
    )
    version = models.PositiveIntegerField()
    dna = models.ForeignKey("parties.Organisation", on_delete=models.PROTECT, related_name="+")
    uses = models.CharField(max_length=4, choices=Uses.choices)
    first_transfer = models.CharField(max_length=14, choices=FirstTransfer.choices, blank=True)
    # Partial authorization: a cap on the quantity and/or a range of vintages.
    quantity_cap = models.PositiveBigIntegerField(null=True, blank=True)
    vintage_from = models.PositiveSmallIntegerField(null=True, blank=True)
    vintage_to = models.PositiveSmallIntegerField(null=True, blank=True)
    change_terms = models.TextField(blank=True)
    effective_from = models.DateField()
    issued_at = models.DateTimeField()

    class Meta:
        ordering = ["activity", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "version"], name="authorization_version_unique")
        ]

    def __str__(self):
        return f"Authorization statement v{self.version} for {self.activity.reference}"

    @property
    def is_authorized(self):
        return self.uses != self.Uses.MITIGATION_CONTRIBUTION

    def covers_vintage(self, year):
        return (self.vintage_from is None or year >= self.vintage_from) and (
            self.vintage_to is None or year <= self.vintage_to
        )
