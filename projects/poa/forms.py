"""The PoA's and the CPs' web forms: the shape of the input; the rules are the services'."""
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from methodologies.models import MethodologyVersion, SectoralScope
from pacm.common import bounds
from pacm.common.forms import (
    BootstrapMixin,
    DateField,
    ModelChoiceField,
    ModelMultipleChoiceField,
    TextField,
    text_area,
    units_field,
    whole_field,
)
from pacm.common.submission import SubmissionKeyMixin
from pacm.parties.models import Organisation, Party

from ..forms import MethodologyVersionField
from ..models import Activity
from .models import PoAHost


def _criteria_lines(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class PoAForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    """PROC-AC-003 v03.0 para 16: the prior consideration summary of a PoA."""

    title = TextField(max_length=250, label=_("Title"))
    hosts = ModelMultipleChoiceField(queryset=Party.objects.order_by("name"), label=_("Host Parties"),
                                     widget=forms.SelectMultiple(attrs={"class": "form-select"}))
    methodology_version = MethodologyVersionField(
        queryset=MethodologyVersion.objects.select_related("methodology").order_by("methodology__code", "valid_from"),
        label=_("Methodology and version"))
    sectoral_scope = ModelChoiceField(queryset=SectoralScope.objects.order_by("number"), label=_("Sectoral scope"))
    location = TextField(max_length=250, label=_("Geographical boundary"))
    period_start = DateField(label=_("Start of the PoA period"))
    period_end = DateField(label=_("End of the PoA period"),
                           help_text=_("At most 20 years, or 60 for removals (PROC-AC-003 v03.0 para 16(f))."))
    estimated_annual = whole_field(maximum=bounds.ESTIMATE_MAX, unit=_("tonnes a year"),
                                   label=_("Indicative maximum annual reductions or removals"))
    description = text_area(4, label=_("Description"))
    typical_cps = text_area(3, required=False, label=_("Typical component projects"))
    criteria = text_area(4, label=_("Eligibility criteria for including CPs, one a line"))

    def clean_criteria(self):
        return _criteria_lines(self.cleaned_data["criteria"])


class DesignForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    typical_cps = text_area(3, required=False, label=_("Typical component projects"))
    criteria = text_area(4, label=_("Eligibility criteria for including CPs, one a line"))

    def clean_criteria(self):
        return _criteria_lines(self.cleaned_data["criteria"])


class PoAHostApprovalForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    """PROC-AC-003 v03.0 paras 25-26: one host Party's approval, with its maximum."""

    max_annual = units_field(unit=_("t CO2e a year"),
                             label=_("Maximum annual reductions or removals of all CPs in this Party (para 25(d))"))
    sd_confirmation = text_area(3, label=_("How the PoA fosters sustainable development (para 25(a))"))
    ndc_relation = text_area(3, label=_("How the PoA relates to the NDC (para 25(c))"))
    renewal_approved = forms.BooleanField(required=False, label=_("Renewal of the PoA period and CP crediting periods approved"))
    sop_exemption_opt_out = forms.BooleanField(required=False, label=_("Opt out of the LDC/SIDS share-of-proceeds exemption"))


class CPNotifyForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    """PROC-AC-003 v03.0 para 91: the CP inclusion notification."""

    title = TextField(max_length=250, label=_("Title of the CP"))
    host = ModelChoiceField(queryset=PoAHost.objects.none(), label=_("Host Party"))
    participants = ModelMultipleChoiceField(
        queryset=Organisation.objects.filter(kind=Organisation.Kind.PARTICIPANT).order_by("name"),
        label=_("Implementers of the CP"), widget=forms.SelectMultiple(attrs={"class": "form-select"}))
    doe = ModelChoiceField(queryset=Organisation.objects.filter(kind=Organisation.Kind.DOE).order_by("name"),
                           label=_("DOE contracted for the validation"))
    location = TextField(max_length=250, label=_("Precise location"))
    technologies = text_area(2, label=_("Technologies or measures"))
    start_date = DateField(label=_("Start date of the CP (actual or planned)"))
    crediting_type = forms.ChoiceField(choices=Activity.CreditingType.choices, label=_("Crediting period type"))
    crediting_start = DateField(label=_("Crediting period start"))
    crediting_end = DateField(label=_("Crediting period end"))
    estimated_annual = whole_field(maximum=bounds.ESTIMATE_MAX, unit=_("tonnes a year"),
                                   label=_("Estimated annual reductions or removals"))

    def __init__(self, *args, poa, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host"].queryset = PoAHost.objects.filter(poa=poa).select_related("party")


class CPTransitionForm(BootstrapMixin, forms.Form):
    """One button of the CP page, with what the write takes: the DOE's checklist of the
    eligibility criteria (para 95), the validated crediting period (STAN-AC-004 v03.0 paras
    127-131), the inclusion fee's payment reference (para 125)."""

    comment = TextField(required=False, max_length=5000, label=_("Comment (optional)"))
    expected_state = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    def __init__(self, *args, spec, obj, **kwargs):
        super().__init__(*args, **kwargs)
        self.spec = spec
        self.fields["expected_state"].initial = obj.state
        if spec.needs_reason:
            self.fields["comment"] = TextField(max_length=5000, label=_("Reasons"),
                                               widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))
        if spec.name == "validate" and hasattr(obj, "poa"):
            self.fields["criteria"] = ModelMultipleChoiceField(
                queryset=obj.poa.eligibility_criteria.order_by("number"), required=False,
                widget=forms.CheckboxSelectMultiple, label=_("Eligibility criteria the CP meets"))
        if spec.name == "upload_inclusion":
            self.fields["crediting_start"] = DateField(label=_("Crediting period start"), initial=obj.crediting_start)
            self.fields["crediting_end"] = DateField(label=_("Crediting period end"), initial=obj.crediting_end)
        if spec.name == "include" and getattr(obj, "inclusion_fee", None) is not None and obj.inclusion_fee.status == "due":
            self.fields["reference"] = TextField(max_length=100, label=_("Payment reference of the inclusion fee"))


class CPDocumentForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Document"))
    file = forms.FileField(label=_("File"), help_text=_("A PDF or office document."))

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        from ..models import Document

        self.fields["kind"].choices = [(k, label) for k, label in Document.Kind.choices if k in set(kinds)]


class BatchForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    """PROC-AC-003 v03.0 paras 201, 219-220: a monitoring report for a batch of CPs, one line per CP per
    vintage ("CP reference, vintage, tonnes"); the dates and the order are the service's rules."""

    start = DateField(label=_("Monitoring period start"))
    end = DateField(label=_("Monitoring period end"))
    lines = TextField(max_length=20_000, label=_("Claims: one line per CP and vintage"),
                      help_text=_("CP reference, vintage year, t CO2e; e.g. A64-P000001-CP0001, 2027, 12000"),
                      widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}))
    report = forms.FileField(label=_("Monitoring report"), help_text=_("A PDF or office document."))

    def clean_lines(self):
        claims = {}
        for number, line in enumerate(self.cleaned_data["lines"].splitlines(), 1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(",")]
            if len(parts) != 3 or not re.fullmatch(r"[0-9]{1,4}", parts[1]) or not re.fullmatch(
                    r"[0-9]{1,11}", parts[2].replace(" ", "")):
                raise forms.ValidationError(_("Line %(number)s: give a CP reference, a vintage year and a whole "
                                              "number of t CO2e.") % {"number": number})
            vintage, quantity = int(parts[1]), int(parts[2].replace(" ", ""))
            if not bounds.YEAR_MIN <= vintage <= bounds.YEAR_MAX or quantity > bounds.UNITS_MAX:
                raise forms.ValidationError(_("Line %(number)s: the vintage or the quantity is out of range.")
                                            % {"number": number})
            claims.setdefault(parts[0][:30], {})[vintage] = quantity
        if not claims:
            raise forms.ValidationError(_("Claim for at least one component project."))
        return claims


class LiabilitySettleForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    """Para 139: the DOE cancels the units it owes from one of its own holding accounts."""

    from_account = ModelChoiceField(queryset=None, label=_("Cancel from the holding account"))

    def __init__(self, *args, doe, **kwargs):
        super().__init__(*args, **kwargs)
        from pacm.registry.models import Account, AccountKind

        self.fields["from_account"].queryset = Account.objects.filter(
            organisation=doe, kind=AccountKind.HOLDING).order_by("number")


class BatchCertifyForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    """The DOE's verified quantity per CP per vintage of a PoA batch (PROC-AC-003 v03.0 para 220): one
    bounded whole-number field per CP line; the service refuses more than claimed."""

    comment = TextField(required=False, max_length=5000, label=_("Comment (optional)"))

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        comment = self.fields.pop("comment")
        self.keys = {}
        for line in lines:
            name = f"verified_{line.component.number}_{line.vintage}"
            self.keys[name] = (line.component.reference, line.vintage)
            self.fields[name] = units_field(
                minimum=0, unit=_("t CO2e"),
                label=_("%(component)s, vintage %(vintage)s: verified (t CO2e)") % {
                    "component": line.component.reference, "vintage": line.vintage},
                help_text=_("%(claimed)s claimed: the most that can be certified.") % {"claimed": f"{line.claimed:,}"},
                widget=forms.NumberInput(attrs={"class": "form-control"}),
            )
        self.fields["comment"] = comment

    def verified_by_cp(self):
        """{CP reference: {vintage: verified}}, as `period_certify(verified_by_cp=...)` takes it."""
        lines = {}
        for name, (reference, vintage) in self.keys.items():
            lines.setdefault(reference, {})[vintage] = self.cleaned_data[name]
        return lines
