"""Web forms: they check the shape of the input (dates parse, whole numbers, a file is there).

The rules themselves (RMP 31(f) crediting periods, RMP 32 methodologies, upload kinds and sizes,
who may act) are checked by the service each view calls; `form_add_service_error` puts the
service's message back on the field it names, so the person sees it where they typed.
"""

from django import forms

from methodologies.models import MethodologyVersion, SectoralScope
from pacm.parties.models import Organisation, Party

from .models import Activity, AuthorizationStatement, Document, Finding


class BootstrapMixin:
    """Bootstrap 5 classes on every widget, and `is-invalid` on the fields that carry errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


def form_add_service_error(form, error):
    """Put a ServiceError's message(s) on the form fields they name (or on the form itself)."""
    errors = getattr(error, "errors", None) or {error.field: error.message}
    for field, message in errors.items():
        form.add_error(field if field in form.fields else None, message)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class MethodologyVersionField(forms.ModelChoiceField):
    """Every version is listed with its status, so a version on hold is refused with the reason."""

    def label_from_instance(self, obj):
        label = f"{obj.methodology.code} v{obj.version}: {obj.methodology.title}"
        if obj.status != MethodologyVersion.Status.APPROVED:
            label += f" ({obj.get_status_display().lower()})"
        return label


class ActivityForm(BootstrapMixin, forms.Form):
    """The PDD fields (services.design.PDD_FIELDS), for drafting and for editing a draft."""

    title = forms.CharField(max_length=250)
    host_party = forms.ModelChoiceField(queryset=Party.objects.order_by("name"), label="Host Party")
    methodology_version = MethodologyVersionField(
        queryset=MethodologyVersion.objects.select_related("methodology").order_by("methodology__code", "valid_from"),
        label="Methodology and version",
    )
    sectoral_scope = forms.ModelChoiceField(queryset=SectoralScope.objects.order_by("number"))
    location = forms.CharField(max_length=250)
    start_date = forms.DateField(widget=DateInput, label="Activity start date")
    crediting_type = forms.ChoiceField(choices=Activity.CreditingType.choices, label="Crediting period type")
    crediting_start = forms.DateField(widget=DateInput, label="Crediting period start")
    crediting_end = forms.DateField(widget=DateInput, label="Crediting period end")
    estimated_annual = forms.IntegerField(
        min_value=1, label="Estimated annual reductions or removals", help_text="Whole tonnes of CO2e per year."
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        # A user in more than one participant organisation says which one drafts the activity.
        if organisations is not None and len(organisations) > 1:
            self.fields["organisation"] = forms.ModelChoiceField(
                queryset=Organisation.objects.filter(pk__in=[o.pk for o in organisations]),
                label="On behalf of",
                widget=forms.Select(attrs={"class": "form-select"}),
            )


class EngageDOEForm(BootstrapMixin, forms.Form):
    doe = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(kind=Organisation.Kind.DOE).order_by("name"),
        label="Designated operational entity",
    )


class DocumentUploadForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label="Document")
    title = forms.CharField(max_length=200, required=False, help_text="Optional; kept from the first version.")
    file = forms.FileField(help_text="A PDF or office document.")

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, label) for k, label in Document.Kind.choices if k in set(kinds)]


class FindingRaiseForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(choices=Finding.Kind.choices)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Finding")


class FindingAnswerForm(BootstrapMixin, forms.Form):
    response = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Answer")


class FindingCloseForm(BootstrapMixin, forms.Form):
    comment = forms.CharField(required=False, max_length=2000, label="Comment (optional)")


class FindingReopenForm(BootstrapMixin, forms.Form):
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Why the answer does not resolve it")


class HostApprovalForm(BootstrapMixin, forms.Form):
    """RMP 40 (approval) and RMP 41 (authorization of the participants)."""

    sd_confirmation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="How the activity fosters sustainable development (RMP 40(a))"
    )
    ndc_relation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="How the activity relates to the NDC (RMP 40(c))"
    )
    renewal_approved = forms.BooleanField(
        required=False, label="Future renewal of the crediting period approved (RMP 40(b))"
    )
    sop_exemption_opt_out = forms.BooleanField(
        required=False,
        label="Opt out of the LDC/SIDS share-of-proceeds exemption",
        help_text="Only matters when the host is an LDC or SIDS (6/CMA.6 para 20).",
    )
    authorized_participants = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Participants authorized (RMP 41)",
    )

    def __init__(self, *args, activity, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["authorized_participants"].queryset = activity.participants.all().order_by("name")


# 2/CMA.3 annex para 2(b): for OIMP the host chooses the event; NDC use is fixed by the service.
_FT = AuthorizationStatement.FirstTransfer
OIMP_FIRST_TRANSFERS = [(c.value, c.label) for c in (_FT.AUTHORIZATION, _FT.ISSUANCE, _FT.USE_OR_CANCELLATION)]


class AuthorizationStatementForm(BootstrapMixin, forms.Form):
    """RMP 42; 6/CMA.6 paras 10-11; 4/CMA.6 para 5. Each submission is a new version."""

    uses = forms.ChoiceField(choices=AuthorizationStatement.Uses.choices, label="The statement")
    first_transfer = forms.ChoiceField(
        required=False,
        choices=[("", "(not applicable)")] + OIMP_FIRST_TRANSFERS,
        label="First transfer, for other international mitigation purposes",
        help_text="Required when OIMP use is authorized (RMP 42). NDC use: the first international transfer.",
    )
    quantity_cap = forms.IntegerField(min_value=1, required=False, label="Quantity cap (units)")
    vintage_from = forms.IntegerField(min_value=1000, max_value=9999, required=False, label="First vintage (year)")
    vintage_to = forms.IntegerField(min_value=1000, max_value=9999, required=False, label="Last vintage (year)")
    change_terms = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Conditions and process for changes"
    )
    effective_from = forms.DateField(widget=DateInput, label="Effective from")


class FeePaymentForm(BootstrapMixin, forms.Form):
    reference = forms.CharField(max_length=100, label="Payment reference")


class TransitionForm(BootstrapMixin, forms.Form):
    """One button of the activity page: reasons when the transition needs them, a rating for validate."""

    comment = forms.CharField(required=False, max_length=5000, label="Comment (optional)")

    def __init__(self, *args, spec, activity, **kwargs):
        super().__init__(*args, **kwargs)
        self.spec = spec
        if spec.needs_reason:
            self.fields["comment"] = forms.CharField(
                max_length=5000, label="Reasons", widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
            )
        # policy.md §2: the DOE validates the reversal-risk rating of removals / reversal-risk activities.
        if spec.name == "validate" and activity.methodology_version.methodology.needs_buffer:
            self.fields["risk_rating"] = forms.ChoiceField(
                choices=[("", "Choose the validated risk rating")] + list(Activity.RiskRating.choices),
                label="Reversal-risk rating",
                widget=forms.Select(attrs={"class": "form-select"}),
            )
