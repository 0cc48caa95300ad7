"""Forms of the removals standard's pages (A6.4-STAN-METH-002 v01.0 paras 28, 60-61), bounded by
pacm.common.bounds."""
from django import forms
from django.utils.translation import gettext_lazy as _

from pacm.common.forms import BootstrapMixin, text_area, whole_field
from pacm.common.submission import SubmissionKeyMixin
from pacm.parties.models import Party

from ..reversals.forms import WriteForm  # noqa: F401  (the termination's SB decisions take reasons only)
from .models import MonitoringTermination


class TerminationRequestForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    """Para 28: the ground and its transparent and verifiable demonstration."""

    ground = forms.ChoiceField(choices=MonitoringTermination.Ground.choices, label=_("Ground (para 28)"),
                               widget=forms.Select(attrs={"class": "form-select"}))
    demonstration = text_area(4, label=_("Transparent and verifiable information"))
    evidence = forms.FileField(required=False, label=_("Supporting document"), help_text=_("A PDF or office document."))


def _percent_field(label, initial):
    return forms.DecimalField(min_value=0, max_value=100, max_digits=5, decimal_places=2, initial=initial,
                              label=label, widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.01"}))


class StressTestForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    """The scenarios' inputs: shares and rates in percent (kept in basis points)."""

    largest = whole_field(minimum=0, maximum=1000, initial=3, label=_("Largest activities reversing fully (N)"))
    region = forms.ChoiceField(required=False, label=_("Region-wide loss (UN regional group)"),
                               choices=[("", _("No region scenario")), *Party.Region.choices],
                               widget=forms.Select(attrs={"class": "form-select"}))
    region_share = _percent_field(_("Share of the region's units lost (%)"), 100)
    band_low = _percent_field(_("Risk band: buffer rate from (%)"), 0)
    band_high = _percent_field(_("Risk band: buffer rate to (%)"), 100)
    band_share = _percent_field(_("Share of each band activity's units lost (%)"), 50)

    def parameters(self):
        data = self.cleaned_data

        def bp(value):
            return int(value * 100)

        return {"largest": data["largest"], "region": data["region"], "region_share_bp": bp(data["region_share"]),
                "band_low_bp": bp(data["band_low"]), "band_high_bp": bp(data["band_high"]),
                "band_share_bp": bp(data["band_share"])}
