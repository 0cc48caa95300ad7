"""Web forms of the registry pages: they check the shape of the input only.

Whether the units are there, the account may send or receive them, the use fits their
authorization (7/CMA.4 annex I paras 42-45; RMP 45, 61, 70) is the services' to say.
"""

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from pacm.common import bounds
from pacm.common.forms import BootstrapMixin, DateField, ModelChoiceField, TextField, units_field, year_field
from pacm.common.submission import SubmissionKeyMixin
from pacm.parties.models import Organisation, Party

# 7/CMA.4 annex I para 28: units are indivisible; one message for zero, negative and fractions.
WHOLE_UNITS = "Give a whole number of units, at least 1."
QUANTITY_ERRORS = {"invalid": WHOLE_UNITS, "min_value": WHOLE_UNITS, "required": WHOLE_UNITS,
                   "max_value": lazy(lambda: ngettext(
                       "At most %(maximum)s unit moves at once.", "At most %(maximum)s units move at once.",
                       bounds.UNITS_MAX) % {"maximum": bounds.limit(bounds.UNITS_MAX)}, str)()}

USES = [
    ("retirement", _("Retire for NDC use (into a Party's retirement account)")),
    ("oimp", _("Cancel for other international mitigation purposes (OIMP)")),
    ("voluntary", _("Cancel voluntarily (e.g. a voluntary claim)")),
    ("omge_voluntary", _("Cancel voluntarily for overall mitigation (OMGE, RMP 70)")),
]


class MoveForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    """Fields every move out of an account shares: how many units, and which ones (oldest first).

    The activity is typed as its reference, not chosen from a list (pacm issue 8: an account may hold
    units of thousands of activities); the form turns it into the activity's key, or says it is unknown.
    """

    quantity = units_field(label=_("Units"), error_messages=QUANTITY_ERRORS)
    activity = TextField(max_length=60, required=False, label=_("Only units of activity (reference)"))
    vintage = year_field(required=False, label=_("Only vintage"))

    def __init__(self, *args, **kwargs):
        kwargs.pop("activities", None)  # the former dropdown's choices: no longer listed
        super().__init__(*args, **kwargs)
        # The filters go last, after each form's own fields.
        for name in ("activity", "vintage"):
            self.fields[name] = self.fields.pop(name)

    def clean_activity(self):
        from .selectors import block_activity

        reference = (self.cleaned_data.get("activity") or "").strip()
        if not reference:
            return None
        # Only an activity with units in the registry can be meant (found through its blocks).
        activity = block_activity(reference)
        if activity is None:
            raise forms.ValidationError(_("There is no activity with this reference."), code="activity_unknown")
        return activity["pk"]


class TransferForm(MoveForm):
    to_account = TextField(max_length=40, label=_("To holding account number"))

    field_order = ["to_account", "quantity"]


class CancelForm(MoveForm):
    """RMP 61: voluntary cancellation."""

    purpose = TextField(max_length=200, label=_("Purpose"))
    beneficiary = TextField(max_length=200, required=False, label=_("Beneficiary (optional)"))

    field_order = ["quantity", "purpose", "beneficiary"]


class UseForm(MoveForm):
    """Retirement for NDC use, cancellation for OIMP, voluntary (OMGE) cancellation: units end there."""

    use = forms.ChoiceField(choices=[("", _("Choose"))] + USES, label=_("Use"))
    party = ModelChoiceField(
        queryset=Party.objects.order_by("name"), required=False, label=_("For the NDC of (retirement only)")
    )
    purpose = TextField(max_length=200, label=_("Purpose"))
    beneficiary = TextField(max_length=200, required=False, label=_("Beneficiary (optional)"))

    field_order = ["use", "quantity", "party", "purpose", "beneficiary"]


class AccountOpenForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    """7/CMA.4 annex I para 33: a holding account for an entity, tied to the Party that authorized it.

    RMP 63; PROC-REGS-001 v02.1 paras 27-31: the account rests on that authorization, recorded on it:
    the host approval that authorized the participant (found by the service), or the Party's letter.
    """

    organisation = ModelChoiceField(queryset=Organisation.objects.none(), label=_("Participant organisation"))
    name = TextField(max_length=200, label=_("Account name"))
    authorization_document = TextField(
        max_length=200, required=False, label=_("The Party's authorization of the entity"),
        help_text=_("The reference of its letter of authorization. Leave empty when a host approval authorized "
        "the entity as a participant (RMP 41): that approval is recorded."),
    )
    authorization_date = DateField(required=False, label=_("Date of the authorization"))

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
