"""The transition request's web forms: the shape of the input only; the rules are the services'
(projects.transition.services), whose messages `form_add_service_error` puts on the field."""
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from methodologies.models import MethodologyVersion, SectoralScope
from pacm.common import bounds
from pacm.common.forms import (
    BootstrapMixin,
    DateField,
    ModelChoiceField,
    TextField,
    text_area,
    units_field,
    whole_field,
)
from pacm.common.submission import SubmissionKeyMixin
from pacm.parties.models import Organisation, Party

from ..forms import MethodologyVersionField
from .models import TransitionRequest as R

_LINE = 200


class TransitionRequestForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    """The request for transition (PROC-AC-001 v06.0 Appendix 1), by the CDM scope-(c) focal point."""

    cdm_reference = TextField(max_length=20, label=_("CDM reference number"))
    kind = forms.ChoiceField(choices=R.Kind.choices, label=_("CDM activity"))
    title = TextField(max_length=250, label=_("Title"))
    host_party = ModelChoiceField(queryset=Party.objects.order_by("name"), label=_("Host Party"))
    is_afforestation = forms.BooleanField(required=False, label=_("Afforestation or reforestation"))
    methodology_version = MethodologyVersionField(
        queryset=MethodologyVersion.objects.select_related("methodology"), label=_("Methodology applied"))
    sectoral_scope = ModelChoiceField(queryset=SectoralScope.objects.all(), label=_("Sectoral scope"))
    location = TextField(max_length=250, label=_("Location"))
    estimated_annual = whole_field(maximum=bounds.ESTIMATE_MAX, label=_("Estimated annual reductions (t CO2e)"))
    start_date = DateField(label=_("Activity start date"))
    crediting_type = forms.ChoiceField(choices=R.CreditingType.choices, label=_("Crediting period type"))
    cdm_crediting_start = DateField(label=_("CDM crediting period start"))
    cdm_crediting_end = DateField(label=_("CDM crediting period end"),
                                  help_text=_("When it would have ended had the CDM continued."))
    renewals_remaining = whole_field(maximum=bounds.RENEWALS_MAX, minimum=0, initial=0,
                                     label=_("Renewals remaining under the CDM"))
    cpas = text_area(4, max_length=20_000, required=False, label=_("CPAs (PoA only)"),
                     help_text=_("One a line: the CPA's CDM reference, a comma, its host's ISO code (e.g. GH)."))

    def clean_cpas(self):
        rows = []
        for number, line in enumerate((self.cleaned_data.get("cpas") or "").splitlines(), start=1):
            if not line.strip():
                continue
            reference, _comma, iso2 = line.partition(",")
            party = Party.objects.filter(iso2=iso2.strip().upper()[:2]).first() if len(iso2.strip()) == 2 else None
            if party is None or not reference.strip() or len(line) > _LINE:
                raise forms.ValidationError(
                    _("Line %(line)s: give the CPA's reference, a comma and its host's two-letter code."),
                    params={"line": number}, code="cpa_line")
            rows.append((reference.strip(), party))
        return rows


class ReasonsForm(BootstrapMixin, forms.Form):
    """A button of the request page: reasons when the write needs them, and the state shown."""

    comment = TextField(required=False, max_length=5000, label=_("Comment (optional)"))
    expected_state = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    def __init__(self, *args, spec, request_obj, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expected_state"].initial = request_obj.state
        if spec.needs_reason:
            self.fields["comment"] = text_area(2, max_length=5000, label=_("Reasons"))
        else:
            del self.fields["comment"]


class HostApprovalForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    """Appendix 2 (A6.4-FORM-AC-003): the host's approval of transition; paras 22-23: the opt-out."""

    sd_confirmation = text_area(3, max_length=5000, label=_("How the activity fosters sustainable development"))
    ndc_relation = text_area(2, max_length=5000, label=_("How the activity relates to the NDC"))
    sop_exemption_opt_out = forms.BooleanField(
        required=False, label=_("Opt out of the LDC/SIDS share-of-proceeds exemption"),
        help_text=_("Only a least developed country or a small island developing State has the exemption."))
    # A6.4-PROC-AC-003 v03.0 para 25(d) (reading transition-9): a PoA's host states its maximum.
    max_annual = whole_field(maximum=bounds.UNITS_MAX, required=False,
                             label=_("Maximum annual reductions of all your CPs (t CO2e; a PoA only)"))


class PoAHostApprovalForm(HostApprovalForm):
    """Paras 21, 24: a further host of a multi-country PoA approves for its own CPAs."""

    item = whole_field(maximum=bounds.BIGINT_MAX, widget=forms.HiddenInput)


class AddCPAForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    """Paras 19(a), 20: a CPA added by a revised request."""

    cpa_reference = TextField(max_length=30, label=_("CDM CPA reference"))
    title = TextField(max_length=250, required=False, label=_("Title"))
    host_party = ModelChoiceField(queryset=Party.objects.order_by("name"), label=_("Host Party"))
    estimated_annual = whole_field(maximum=bounds.ESTIMATE_MAX, minimum=0, initial=0,
                                   label=_("Estimated annual reductions (t CO2e)"))


class RemoveCPAForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    """Para 19(b): a CPA removed by a revised request."""

    item = whole_field(maximum=bounds.BIGINT_MAX, widget=forms.HiddenInput)


class DocumentationForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    """Paras 30-32: an addendum keeping the CDM methodology, or a revised PDD validated by a DOE."""

    documentation = forms.ChoiceField(choices=R.Documentation.choices, label=_("Additional documentation"))
    summary = text_area(3, max_length=10_000, label=_("What it contains"))
    fnrb = forms.DecimalField(required=False, min_value=Decimal("0.0001"), max_value=Decimal("1"), max_digits=5,
                              decimal_places=4, label=_("Re-evaluated fNRB"))
    leakage_factor = forms.DecimalField(required=False, min_value=Decimal("0.0001"), max_value=Decimal("1"),
                                        max_digits=5, decimal_places=4, label=_("Leakage discount factor"))
    validation_doe = ModelChoiceField(queryset=Organisation.objects.filter(kind=Organisation.Kind.DOE),
                                      required=False, label=_("Validating DOE (revised PDD)"))


class FeePaymentForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    reference = TextField(max_length=80, label=_("Payment reference"))


class SummaryNoteForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    note = text_area(4, max_length=20_000, label=_("Summary note and recommendation"))


class DeregistrationForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    date = DateField(label=_("Deregistered from the CDM on"))


class BoardDecisionForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    """The SB's decision as its meeting report records it (paras 46-49), entered by the secretariat."""

    meeting = TextField(max_length=20, label=_("Meeting"), help_text=_('Numbered as its report is, e.g. "SBM019".'))
    agenda_item = TextField(max_length=20, label=_("Agenda item"), help_text=_('e.g. "4.2"'))
    comment = text_area(3, max_length=5000, label=_("Reasons (and the modifications, if any)"))

    def __init__(self, *args, proposals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["transition"] = forms.ChoiceField(choices=[(t.name, t.label) for t in proposals],
                                                      label=_("Decision"))
        self.order_fields(["transition", "meeting", "agenda_item", "comment"])


class ProvisionalIssuanceForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    """Para 55: a provisional request for issuance made under the CDM for 2021 onwards."""

    cdm_request_reference = TextField(max_length=40, label=_("CDM provisional request reference"))
    period_start = DateField(label=_("Monitoring period start"))
    period_end = DateField(label=_("Monitoring period end"))
    quantity = units_field(unit=_("t CO2e"), label=_("Quantity requested (t CO2e)"))


class ProvisionalFinalisationForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    """Para 55(a): the revised monitoring report and the declaration on avoidance of double issuance."""

    item = whole_field(maximum=bounds.BIGINT_MAX, widget=forms.HiddenInput)
    revised_monitoring_report = text_area(3, max_length=10_000, label=_("Revised monitoring report"),
                                          help_text=_("GWPs from 1 January 2021; updated fNRB and leakage factor."))
    other_scheme_confirmation = text_area(2, max_length=5000, required=False,
                                          label=_("Confirmation of the other crediting scheme, if any"))
    double_issuance_declared = forms.BooleanField(
        required=False, label=_("We declare that these reductions were not and will not be credited elsewhere"))
