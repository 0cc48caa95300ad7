"""Forms of the observed-event page and the report due dates (A6.4-STAN-METH-002 v01.0 paras 21-25,
43-58). Each write of the event machine has one form; its fields are bounded (pacm.common.bounds)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from pacm.common import bounds
from pacm.common.forms import BootstrapMixin, DateField, TextField, text_area, whole_field
from pacm.common.submission import SubmissionKeyMixin


class ObservedEventNotifyForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    """Para 43: a brief description, the date or dates of occurrence, the location."""

    description = text_area(3, label=_("What happened"))
    location = TextField(max_length=250, label=_("Location"))
    occurred_from = DateField(label=_("The event began on"))
    occurred_to = DateField(required=False, label=_("The event ended on"),
                            help_text=_("Leave empty while the event is ongoing (para 45)."))
    aware_on = DateField(label=_("You became aware of it on"))


class WriteForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    """A write of the event or due-date machine: reasons when it needs them, the state shown."""

    comment = TextField(required=False, max_length=5000, label=_("Comment (optional)"))
    expected_state = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    def __init__(self, *args, spec, obj, **kwargs):
        super().__init__(*args, **kwargs)
        self.spec = spec
        self.fields["expected_state"].initial = obj.state
        if spec.needs_reason:
            self.fields["comment"] = TextField(
                max_length=5000, label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))

    def service_kwargs(self):
        data = self.cleaned_data
        return {"comment": data.get("comment") or "", "expected_state": data.get("expected_state") or None}


class EventEndForm(WriteForm):
    occurred_to = DateField(label=_("The event ended (or was fully contained) on"))

    def service_kwargs(self):
        return {"occurred_to": self.cleaned_data["occurred_to"]}


class ReportForm(WriteForm):
    report = forms.FileField(label=_("The report"), help_text=_("A PDF or office document."))

    def service_kwargs(self):
        return {**super().service_kwargs(), "report": self.cleaned_data["report"]}


UNIT_TYPES = [("authorized", _("Authorized A6.4ERs")), ("mc", _("Mitigation contribution units"))]


class DeterminationForm(WriteForm):
    """Paras 48, 53, 56: the magnitude by type of unit, avoidable or not."""

    authorized = whole_field(maximum=bounds.UNITS_MAX, minimum=0, unit=_("t CO2e"),
                             label=_("Reversal of authorized A6.4ERs (t CO2e)"))
    contribution = whole_field(maximum=bounds.UNITS_MAX, minimum=0, unit=_("t CO2e"),
                               label=_("Reversal of mitigation contribution units (t CO2e)"))
    avoidable = forms.TypedChoiceField(
        choices=[("", _("Choose")), ("yes", _("Avoidable")), ("no", _("Unavoidable"))],
        coerce=lambda v: v == "yes", label=_("The reversal is"))

    def service_kwargs(self):
        data = self.cleaned_data
        return {**super().service_kwargs(), "authorized": data["authorized"], "contribution": data["contribution"],
                "avoidable": data["avoidable"]}


class ReplenishForm(WriteForm):
    """Para 58: from one of your holding accounts, the type and number of units owed."""

    from_account = forms.TypedChoiceField(coerce=int, label=_("From your holding account"))
    unit_type = forms.ChoiceField(choices=UNIT_TYPES, label=_("Type of units"))
    quantity = whole_field(maximum=bounds.UNITS_MAX, unit=_("units"), label=_("Units to forward to the pool"))

    def __init__(self, *args, accounts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.accounts = {a.pk: a for a in accounts}
        self.fields["from_account"].choices = [("", _("Choose"))] + [(a.pk, f"{a.number} {a.name}") for a in accounts]

    def clean_from_account(self):
        return self.accounts[self.cleaned_data["from_account"]]

    def service_kwargs(self):
        data = self.cleaned_data
        return {"from_account": data["from_account"], "unit_type": data["unit_type"], "quantity": data["quantity"]}


class PlainActionForm(WriteForm):
    def service_kwargs(self):
        return {}


class ExtensionForm(WriteForm):
    """Para 24: the new due date asked for, with a transparent and verifiable justification."""

    requested_due_on = DateField(label=_("New due date asked for"))

    def service_kwargs(self):
        return {**super().service_kwargs(), "requested_due_on": self.cleaned_data["requested_due_on"]}


# Which form each write takes (the rest: WriteForm, reasons and the state shown).
FORMS = {
    "record_event_end": EventEndForm,
    "submit_preliminary": ReportForm,
    "submit_full_report": ReportForm,
    "determine_reversal": DeterminationForm,
    "replenish_buffer": ReplenishForm,
    "cover_shortfall": PlainActionForm,
    "request_extension": ExtensionForm,
}


def write_form(spec, obj, data=None, files=None, **kw):
    cls = FORMS.get(spec.name, WriteForm)
    if cls is not ReplenishForm:
        kw.pop("accounts", None)
    return cls(data, files, spec=spec, obj=obj, prefix=f"w-{spec.name}", **kw)
