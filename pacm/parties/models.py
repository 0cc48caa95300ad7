"""Parties, organisations and who belongs to them. Roles follow from membership (rules.md §1)."""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Party(models.Model):
    """A Party to the Paris Agreement, and what it has done to take part in A6.4 (RMP 26)."""

    class Region(models.TextChoices):
        """The five United Nations regional groups (A6.4-STAN-METH-002 para 54 publishes the buffer pool
        by region; pacm issue 10 reading risk-buffer-9)."""

        AFRICA = "africa", _("African States")
        ASIA_PACIFIC = "asia_pacific", _("Asia-Pacific States")
        EASTERN_EUROPE = "eastern_europe", _("Eastern European States")
        LATIN_AMERICA_CARIBBEAN = "grulac", _("Latin American and Caribbean States")
        WESTERN_EUROPE_OTHERS = "weog", _("Western European and other States")

    iso2 = models.CharField(_("ISO 3166 alpha-2"), max_length=2, unique=True)
    name = models.CharField(max_length=120)
    dna_designated = models.BooleanField(_("DNA designated"), default=False)
    has_ndc = models.BooleanField(_("maintains an NDC"), default=True)
    sd_contribution_published = models.BooleanField(default=False)
    activity_types_published = models.BooleanField(default=False)
    # RMP 27(b), 31(f): the host may impose a shorter crediting period and refuse renewal.
    crediting_period_max_years = models.PositiveSmallIntegerField(null=True, blank=True)
    allows_renewal = models.BooleanField(default=True)
    region = models.CharField(max_length=16, choices=Region.choices, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("parties")

    def __str__(self):
        return f"{self.name} ({self.iso2})"

    def save(self, *args, **kwargs):
        if not self.region:  # STAN-METH-002 para 54 (reading risk-buffer-9): the UN regional group
            from .regions import region_of

            self.region = region_of(self.iso2)
        super().save(*args, **kwargs)

    def clean(self):
        self.iso2 = (self.iso2 or "").upper()
        if len(self.iso2) != 2 or not self.iso2.isalpha():
            raise ValidationError({"iso2": "Use the two-letter ISO 3166 code."})

    # The registry's subject for opening accounts (pacm.registry.machine): a Party is simply listed.
    state = "listed"

    def get_state_display(self):
        return str(self)

    @property
    def participates(self):
        """RMP 26: Party, NDC, DNA designated, SD contribution and activity types published."""
        return (
            self.dna_designated
            and self.has_ndc
            and self.sd_contribution_published
            and self.activity_types_published
        )

    def is_ldc_or_sids(self, on_date):
        """7/CMA.4 annex I para 58 and 6/CMA.6 para 20 need the status on a given date."""
        return self.statuses.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=on_date), valid_from__lte=on_date
        ).exists()


class PartyStatus(models.Model):
    """A dated LDC or SIDS classification: waivers follow the status on the relevant date."""

    class Kind(models.TextChoices):
        LDC = "ldc", _("Least developed country")
        SIDS = "sids", _("Small island developing State")

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="statuses")
    kind = models.CharField(max_length=4, choices=Kind.choices)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["party", "valid_from"]
        verbose_name_plural = _("party statuses")

    def __str__(self):
        return f"{self.party.iso2} {self.get_kind_display()} from {self.valid_from}"

    def clean(self):
        if self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": "The end date is before the start date."})


class Organisation(models.Model):
    class Kind(models.TextChoices):
        PARTICIPANT = "participant", _("Activity participant")
        DNA = "dna", _("Host Party DNA")
        DOE = "doe", _("Designated operational entity")
        SECRETARIAT = "secretariat", _("Secretariat")
        SB = "sb", _("Supervisory Body")
        ADAPTATION_FUND = "af", _("Adaptation Fund")

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # The Party a DNA speaks for; the Party that authorized a participant (RMP 41, 45).
    party = models.ForeignKey(Party, null=True, blank=True, on_delete=models.PROTECT, related_name="organisations")
    authorized_by_party = models.BooleanField(
        default=False, help_text=_("The Party has authorized this entity (RMP 45): it may receive first transfers.")
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.kind == self.Kind.DNA and not self.party_id:
            raise ValidationError({"party": "A DNA speaks for a Party."})


class DOEAccreditation(models.Model):
    """An accredited sectoral scope of a DOE, valid between two dates."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="accreditations", limit_choices_to={"kind": "doe"}
    )
    sectoral_scope = models.ForeignKey("methodologies.SectoralScope", on_delete=models.PROTECT)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["organisation", "sectoral_scope"]

    def __str__(self):
        return f"{self.organisation} scope {self.sectoral_scope.number}"


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    # Supervisory Body only (rules.md §1, RMP 4-5: each member has an alternate): set, this
    # membership is an alternate member's and names the member it stands for; empty, a member's.
    alternate_for = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="alternate",
        help_text=_("Supervisory Body: the member this alternate member stands for (empty for a member)."),
    )
    # pacm issue 9 (pacm.people): an administrator of the organisation invites, disables and
    # assigns its own people; it gives no role on any activity beyond the organisation's own.
    is_admin = models.BooleanField(_("organisation administrator"), default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique")]

    def __str__(self):
        return f"{self.user} @ {self.organisation}"

    @property
    def is_alternate(self):
        return self.alternate_for_id is not None

    def clean(self):
        if self.alternate_for_id is None:
            return
        member = self.alternate_for
        if self.organisation.kind != Organisation.Kind.SB:
            raise ValidationError({"alternate_for": "Only Supervisory Body memberships have alternates."})
        if member.organisation_id != self.organisation_id:
            raise ValidationError({"alternate_for": "The member must belong to the same Supervisory Body."})
        if member.alternate_for_id is not None or member.pk == self.pk:
            raise ValidationError({"alternate_for": "An alternate stands for a member, not for another alternate."})
