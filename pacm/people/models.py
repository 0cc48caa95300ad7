"""An organisation's own people: invitations by e-mail and members its administrators disabled."""
from django.conf import settings
from django.db import models


class Invitation(models.Model):
    """An administrator asked `email` to join `organisation` as `role`; the link carries a signed
    (id, nonce) and works once, before `expires_at`."""

    organisation = models.ForeignKey("parties.Organisation", on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=12)
    nonce = models.CharField(max_length=32, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    # An administrator withdrew it before it was used: the link is refused from then on.
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        indexes = [models.Index(fields=["organisation", "-created_at", "-id"], name="invitation_by_org")]

    def __str__(self):
        return f"{self.email} to {self.organisation_id}"


class DisabledMember(models.Model):
    """A person an administrator disabled: their membership is gone (every role check is a
    membership check, so nothing is left to forget), kept here so they can be re-enabled."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="disabled_memberships")
    organisation = models.ForeignKey("parties.Organisation", on_delete=models.CASCADE, related_name="disabled_members")
    was_admin = models.BooleanField(default=False)
    disabled_at = models.DateTimeField()
    disabled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="disabled_member_unique")]

    def __str__(self):
        return f"{self.user_id} disabled at {self.organisation_id}"


class Profile(models.Model):
    """A person's own settings kept beyond a browser (pacm issue 9): the language of their pages,
    e-mails, notifications and documents. Blank: the browser's choice, then the site's default."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    language = models.CharField(max_length=10, blank=True, choices=settings.LANGUAGES)

    def __str__(self):
        return f"{self.user_id}: {self.language or 'default'}"
