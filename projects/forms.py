"""Web forms: they check the shape of the input (dates parse, whole numbers, a file is there).

Every number, date and text is bounded where it enters (pacm.common.bounds): a date between
1990 and 2200, a quantity the columns and the later arithmetic can hold, a text that shows
something; digits of any script are read as ASCII digits and shown back so.

The rules themselves (RMP 31(f) crediting periods, RMP 32 methodologies, upload kinds and sizes,
who may act) are checked by the service each view calls; `form_add_service_error` puts the
service's message back on the field it names, so the person sees it where they typed.

Every form that creates or changes something carries a one-time submission key
(`SubmissionKeyMixin`): the same form sent twice takes effect once (pacm.common.submission).
"""
import datetime

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from methodologies.models import MethodologyVersion, SectoralScope
from pacm.common import bounds, clock
from pacm.common.forms import (  # noqa: F401  (re-exported for this app's forms)
    DIGIT_FIELDS,
    BootstrapMixin,
    DateField,
    DateInput,
    ModelChoiceField,
    ModelMultipleChoiceField,
    TextField,
    form_add_service_error,
    text_area,
    units_field,
    whole_field,
    year_field,
)
from pacm.common.submission import SubmissionKeyMixin
from pacm.parties.models import Organisation, Party

from .models import Activity, AuthorizationStatement, Document, Finding


class MethodologyVersionField(ModelChoiceField):
    """Every version is listed with its status, so a version on hold is refused with the reason."""

    def label_from_instance(self, obj):
        label = f"{obj.methodology.code} v{obj.version}: {obj.methodology.title}"
        if obj.status != MethodologyVersion.Status.APPROVED:
            label += f" ({obj.get_status_display().lower()})"
        return label


class ActivityForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    """The PDD fields (services.design.PDD_FIELDS), for drafting and for editing a draft."""

    title = TextField(max_length=250, label=_("Title"))
    host_party = ModelChoiceField(queryset=Party.objects.order_by("name"), label=_("Host Party"))
    methodology_version = MethodologyVersionField(
        queryset=MethodologyVersion.objects.select_related("methodology").order_by("methodology__code", "valid_from"),
        label=_("Methodology and version"),
    )
    sectoral_scope = ModelChoiceField(queryset=SectoralScope.objects.order_by("number"), label=_("Sectoral scope"))
    location = TextField(max_length=250, label=_("Location"))
    start_date = DateField(label=_("Activity start date"))
    crediting_type = forms.ChoiceField(choices=Activity.CreditingType.choices, label=_("Crediting period type"))
    crediting_start = DateField(label=_("Crediting period start"))
    crediting_end = DateField(label=_("Crediting period end"))
    estimated_annual = whole_field(
        maximum=bounds.ESTIMATE_MAX, unit=_("tonnes a year"), label=_("Estimated annual reductions or removals"),
        help_text=_("Whole tonnes of CO2e per year."),
    )
    description = text_area(5, label=_("Description"))
    # A6.4-STAN-METH-002 paras 38-40: for removals and reversal-risk methodologies, the overall
    # percentage risk rating of the participants' risk assessment (uploaded as a document of kind
    # "Reversal risk assessment"), and whether it determines a negligible risk (para 39(b)).
    risk_rating_percent = forms.DecimalField(
        required=False, min_value=0, max_value=100, max_digits=5, decimal_places=2,
        label=_("Reversal risk rating (%)"),
        help_text=_("Removals and reversal-risk methodologies only: the overall rating of the risk assessment."),
    )
    risk_negligible = forms.BooleanField(
        required=False, label=_("The risk assessment determines a negligible risk of reversal (rating 0)"),
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        # A user in more than one participant organisation says which one drafts the activity.
        if organisations is not None and len(organisations) > 1:
            self.fields["organisation"] = ModelChoiceField(
                queryset=Organisation.objects.filter(pk__in=[o.pk for o in organisations]),
                label=_("On behalf of"),
                widget=forms.Select(attrs={"class": "form-select"}),
            )


class EngageDOEForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    doe = ModelChoiceField(
        queryset=Organisation.objects.filter(kind=Organisation.Kind.DOE).order_by("name"),
        label=_("Designated operational entity"),
    )


class DocumentUploadForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Document"))
    title = TextField(max_length=200, required=False, label=_("Title"), help_text=_("Optional; kept from the first version."))
    file = forms.FileField(label=_("File"), help_text=_("A PDF or office document."))

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, label) for k, label in Document.Kind.choices if k in set(kinds)]


class FindingRaiseForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(choices=Finding.Kind.choices, label=_("Kind"))
    text = text_area(3, label=_("Finding"))


class FindingAnswerForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    response = text_area(3, label=_("Answer"))


class FindingCloseForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    comment = TextField(required=False, max_length=2000, label=_("Comment (optional)"))


class FindingReopenForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    comment = text_area(2, label=_("Why the answer does not resolve it"))


class HostApprovalForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    """RMP 40 (approval) and RMP 41 (authorization of the participants)."""

    sd_confirmation = text_area(3, label=_("How the activity fosters sustainable development (RMP 40(a))"))
    ndc_relation = text_area(3, label=_("How the activity relates to the NDC (RMP 40(c))"))
    renewal_approved = forms.BooleanField(
        required=False, label=_("Future renewal of the crediting period approved (RMP 40(b))")
    )
    sop_exemption_opt_out = forms.BooleanField(
        required=False,
        label=_("Opt out of the LDC/SIDS share-of-proceeds exemption"),
        help_text=_("Only matters when the host is an LDC or SIDS (6/CMA.6 para 20)."),
    )
    authorized_participants = ModelMultipleChoiceField(
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label=_("Participants authorized (RMP 41)"),
    )

    def __init__(self, *args, activity, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["authorized_participants"].queryset = activity.participants.all().order_by("name")


# 2/CMA.3 annex para 2(b): for OIMP the host chooses the event; NDC use is fixed by the service.
_FT = AuthorizationStatement.FirstTransfer
OIMP_FIRST_TRANSFERS = [(c.value, c.label) for c in (_FT.AUTHORIZATION, _FT.ISSUANCE, _FT.USE_OR_CANCELLATION)]


class AuthorizationStatementForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    """RMP 42; 6/CMA.6 paras 10-11; 4/CMA.6 para 5. Each submission is a new version."""

    uses = forms.ChoiceField(choices=AuthorizationStatement.Uses.choices, label=_("The statement"))
    first_transfer = forms.ChoiceField(
        required=False,
        choices=[("", _("(not applicable)"))] + OIMP_FIRST_TRANSFERS,
        label=_("First transfer, for other international mitigation purposes"),
        help_text=_("Required when OIMP use is authorized (RMP 42). NDC use: the first international transfer."),
    )
    quantity_cap = units_field(unit=_("units"), required=False, label=_("Quantity cap (units)"))
    vintage_from = year_field(required=False, label=_("First vintage (year)"))
    vintage_to = year_field(required=False, label=_("Last vintage (year)"))
    change_terms = text_area(2, required=False, label=_("Conditions and process for changes"))
    effective_from = DateField(label=_("Effective from"))


class FeePaymentForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    reference = TextField(max_length=100, label=_("Payment reference"))


class TransitionForm(BootstrapMixin, forms.Form):
    """One button of the activity page: reasons when the transition needs them, a rating for validate."""

    comment = TextField(required=False, max_length=5000, label=_("Comment (optional)"))
    # The state the page showed: the service refuses if it has changed since (a stale page).
    expected_state = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    def __init__(self, *args, spec, activity, obj=None, **kwargs):
        """`obj` is what the transition changes (the activity, or one of its monitoring periods)."""
        super().__init__(*args, **kwargs)
        self.spec = spec
        self.fields["expected_state"].initial = (obj or activity).state
        if spec.needs_reason:
            self.fields["comment"] = TextField(
                max_length=5000, label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
            )
        # A6.4-STAN-METH-002 paras 38-40: the DOE validates the participants' percentage risk rating.
        if spec.name == "validate" and activity.methodology_version.methodology.needs_buffer:
            shown = {"rating": activity.risk_rating_percent if activity.risk_rating_percent is not None else "?"}
            label = (_("I validate the participants' reversal risk rating of %(rating)s %% and its risk assessment")
                     % shown)
            if activity.risk_negligible:
                label = (_("I validate the participants' reversal risk rating of %(rating)s %%, a negligible risk of "
                           "reversal, and its risk assessment") % shown)
            self.fields["risk_rating_accepted"] = forms.BooleanField(required=True, label=label)


# --- Monitoring, verification, issuance, reversals (issue 3) -------------------------------------


class ClaimRowForm(BootstrapMixin, forms.Form):
    """One vintage year and the reductions or removals claimed for it (6/CMA.4 dec. para 5)."""

    vintage = year_field(required=False, label=_("Vintage (year)"))
    # A removals activity claims its net removals, which may be negative (A6.4-STAN-METH-002 para
    # 30(d)); the service refuses a negative claim of any other activity.
    quantity = units_field(minimum=-bounds.UNITS_MAX, unit=_("t CO2e"), required=False,
                           label=_("Quantity claimed (t CO2e)"))
    # Para 30(a), (e): a removals activity's net change in GHG storage (negative: a reversal).
    storage = units_field(minimum=-bounds.UNITS_MAX, unit=_("t CO2e"), required=False,
                          label=_("Net change in GHG storage (removals, t CO2e)"))

    def clean(self):
        data = super().clean()
        if (data.get("vintage") is None) != (data.get("quantity") is None) and not self.errors:
            raise forms.ValidationError(_("Give both the vintage and the quantity, or leave the row empty."))
        return data


class ClaimRows(forms.BaseFormSet):
    def claims(self):
        """{vintage: quantity} from the filled rows; a vintage given twice is an error."""
        result = {}
        for form in self.forms:
            vintage, quantity = form.cleaned_data.get("vintage"), form.cleaned_data.get("quantity")
            if vintage is None:
                continue
            if vintage in result:
                raise forms.ValidationError(_("Vintage %(vintage)s is given twice.") % {"vintage": vintage})
            result[vintage] = quantity
        return result

    def storage(self):
        """{vintage: net change in storage} of the filled rows that give one (removals only)."""
        return {form.cleaned_data["vintage"]: form.cleaned_data["storage"] for form in self.forms
                if form.cleaned_data.get("vintage") is not None and form.cleaned_data.get("storage") is not None}

    def clean(self):
        if any(self.errors):
            return
        self.claims()


ClaimFormSet = forms.formset_factory(ClaimRowForm, formset=ClaimRows, extra=4, max_num=12)


class PeriodSubmitForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    """RMP 50: the participants' monitoring report for one period; claims come from ClaimFormSet."""

    start = DateField(label=_("Monitoring period start"))
    end = DateField(
        label=_("Monitoring period end"),
        help_text=_("The period's last day, before today: a report covers reductions already achieved (RMP 50-51)."),
    )
    report = forms.FileField(label=_("Monitoring report"), help_text=_("A PDF or office document."))
    comment = TextField(required=False, max_length=5000, label=_("Comment (optional)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The browser offers no day from today on; the service refuses it anyway (RMP 50-51).
        yesterday = clock.today() - datetime.timedelta(days=1)  # the demo clock's in a demo (demo-1)
        self.fields["end"].widget.attrs["max"] = yesterday.isoformat()


class CertifyForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    """RMP 51: the verified quantity for each vintage claimed; the service refuses more than claimed."""

    comment = TextField(required=False, max_length=5000, label=_("Comment (optional)"))

    def __init__(self, *args, claims=(), **kwargs):
        super().__init__(*args, **kwargs)
        comment = self.fields.pop("comment")
        for claim in claims:
            self.fields[f"verified_{claim.vintage}"] = units_field(
                minimum=0, unit=_("t CO2e"),
                label=_("Vintage %(vintage)s: verified (t CO2e)") % {"vintage": claim.vintage},
                help_text=_("%(claimed)s claimed: the most that can be certified.") % {"claimed": f"{claim.claimed:,}"},
                widget=forms.NumberInput(attrs={"class": "form-control"}),
            )
        self.fields["comment"] = comment
        self.vintages = [claim.vintage for claim in claims]

    def verified(self):
        return {v: self.cleaned_data[f"verified_{v}"] for v in self.vintages}


class DistributionRowForm(BootstrapMixin, forms.Form):
    """One receiving holding account, a participant's or a Party's, and its share: whole units or a
    percentage (RMP 60; 7/CMA.4 annex I para 41)."""

    account = TextField(
        required=False, max_length=40, label=_("Holding account number (a participant's or a Party's)"),
        widget=forms.TextInput(attrs={"list": "participant-accounts", "autocomplete": "off"}),
    )
    units = units_field(unit=_("units"), required=False, label=_("Units"))
    percent = forms.DecimalField(
        min_value=0, max_value=100, max_digits=7, decimal_places=4, required=False, label=_("Percent")
    )

    def line(self):
        data = self.cleaned_data
        if not (data.get("account") or "").strip() and data.get("units") is None and data.get("percent") is None:
            return None
        return {"account": (data.get("account") or "").strip(), "units": data.get("units"),
                "percent": data.get("percent")}


class DistributionRows(forms.BaseFormSet):
    def lines(self):
        return [line for line in (form.line() for form in self.forms) if line is not None]


DistributionFormSet = forms.formset_factory(DistributionRowForm, formset=DistributionRows, extra=3, max_num=50)


class IssuanceRequestForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    """RMP 52; 7/CMA.4 annex I para 64: units requested and the participants' OMGE election."""

    units_requested = units_field(unit=_("units"), label=_("Units requested"))
    omge_rate = forms.DecimalField(
        required=False, min_value=0, max_value=1, max_digits=6, decimal_places=4, label=_("OMGE rate elected"),
    )
    comment = TextField(required=False, max_length=5000, label=_("Comment (optional)"))

    def __init__(self, *args, verified_total=None, omge_min_rate=None, **kwargs):
        super().__init__(*args, **kwargs)
        if verified_total is not None:
            self.fields["units_requested"].help_text = ngettext("At most the %(verified)s unit verified.", "At most the %(verified)s units verified.",
                                                                       verified_total) % {
                "verified": f"{verified_total:,}"}
        if omge_min_rate is not None:
            # RMP 59: at least the rule set's minimum; participants may elect more.
            self.fields["omge_rate"].help_text = (
                _("A fraction, e.g. 0.05 for 5%%. Leave empty for the minimum of %(minimum)s (RMP 59).")
                % {"minimum": f"{omge_min_rate.normalize():f}"}
            )


class RiskRevisionForm(BootstrapMixin, forms.Form):
    """One write on a revision of the reversal risk assessment (projects.risk; A6.4-STAN-METH-002 paras 38-41, 49)."""

    comment = TextField(required=False, max_length=5000, label=_("Comment (optional)"))
    expected_state = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    def __init__(self, *args, spec, assessment, **kwargs):
        super().__init__(*args, **kwargs)
        self.spec = spec
        self.fields["expected_state"].initial = assessment.state
        if spec.needs_reason:
            self.fields["comment"] = TextField(
                max_length=5000, label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
            )
        if spec.name == "submit_revision":
            self.fields["rating"] = forms.DecimalField(
                min_value=0, max_value=100, max_digits=5, decimal_places=2, label=_("Revised reversal risk rating (%)"),
                help_text=_("From the revised risk assessment, uploaded as a document of kind 'Reversal risk assessment'."),
            )
            self.fields["negligible"] = forms.BooleanField(
                required=False, label=_("The assessment determines a negligible risk of reversal (rating 0)"),
            )
