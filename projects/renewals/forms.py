"""Forms of renewals: opening one (participants; a CP's DOE) and the writes of its page.
Every field is bounded where it enters (pacm.common.bounds)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from methodologies.models import MethodologyVersion
from pacm.common import bounds
from pacm.common.forms import BootstrapMixin, ModelChoiceField, TextField, text_area, whole_field
from pacm.common.submission import SubmissionKeyMixin
from pacm.parties.models import Organisation

from ..reversals.forms import WriteForm  # reasons when the write needs them, the state shown


class RenewalRequestForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    """PROC-AC-002 paras 235, 238; STAN-AC-002 para 162: the updated PDD for the DOE contracted."""

    validation_doe = ModelChoiceField(
        queryset=Organisation.objects.filter(kind=Organisation.Kind.DOE).order_by("name"),
        label=_("DOE contracted for the validation of the renewal"))
    baseline_update = text_area(3, max_length=10_000, label=_("Baseline update, with its downward adjustment"))
    additionality_update = text_area(2, max_length=10_000, required=False,
                                     label=_("Additionality: the updated regulatory analysis"))
    estimated_annual = whole_field(maximum=bounds.ESTIMATE_MAX, unit=_("t CO2e"),
                                   label=_("Updated estimated annual reductions or removals (t CO2e)"))
    design = forms.FileField(label=_("New version of the design document"), help_text=_("A PDF or office document."))
    # STAN-AC-002 para 163 (STAN-METH-002 para 35): empty = the latest version in force of the registered one.
    methodology_version = ModelChoiceField(
        queryset=MethodologyVersion.objects.filter(status=MethodologyVersion.Status.APPROVED).select_related(
            "methodology").order_by("methodology__code", "-valid_from"), required=False,
        label=_("Methodology version applied"),
        help_text=_("Leave empty for the latest version in force of the registered methodology "
                    "(A6.4-STAN-AC-002 para 163(a))."))
    methodology_change = text_area(2, max_length=5_000, required=False,
                                   label=_("Why another methodology is applied (para 163(b)-(c))"))


class CPRenewalNotifyForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    """PROC-AC-003 paras 294, 299: the updated CP-DD and the validation report for its renewal."""

    baseline_update = text_area(3, max_length=10_000, label=_("Baseline update, with its downward adjustment"))
    estimated_annual = whole_field(maximum=bounds.ESTIMATE_MAX, unit=_("t CO2e"),
                                   label=_("Updated estimated annual reductions or removals (t CO2e)"))
    design = forms.FileField(label=_("Updated CP-DD"), help_text=_("A PDF or office document."))
    report = forms.FileField(label=_("Validation report for renewal of the crediting period"),
                             help_text=_("A PDF or office document."))


class ValidateForm(WriteForm):
    report = forms.FileField(label=_("Validation report for renewal of the crediting period"),
                             help_text=_("A PDF or office document."))

    def service_kwargs(self):
        return {**super().service_kwargs(), "report": self.cleaned_data["report"]}


class BoardDecisionForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    """PROC-AC-002 para 249 (section 5.2): the SB's decision as its meeting report records it."""

    meeting = TextField(max_length=20, label=_("Meeting"), help_text=_('Numbered as its report is, e.g. "SBM019".'))
    agenda_item = TextField(max_length=20, label=_("Agenda item"), help_text=_('e.g. "4.2"'))
    comment = text_area(3, max_length=5000, label=_("Reasons"))

    def __init__(self, *args, spec, obj, proposals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["transition"] = forms.ChoiceField(choices=[(t.name, t.label) for t in proposals],
                                                      label=_("Decision"))
        self.order_fields(["transition", "meeting", "agenda_item", "comment"])

    def service_kwargs(self):
        data = self.cleaned_data
        return {"transition": data["transition"], "meeting": data["meeting"], "agenda_item": data["agenda_item"],
                "comment": data["comment"]}


FORMS = {"validate_renewal": ValidateForm, "decide_as_board": BoardDecisionForm}


def write_form(spec, renewal, data=None, files=None):
    cls = FORMS.get(spec.name, WriteForm)
    kw = {}
    if cls is BoardDecisionForm:
        from .services import board_proposals

        kw["proposals"] = board_proposals(renewal)
    return cls(data, files, spec=spec, obj=renewal, prefix=f"w-{spec.name}", **kw)
