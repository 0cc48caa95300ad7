"""The Board panel's forms: their shape only; the rules are the services' (projects.board.services)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from ..forms import BootstrapMixin
from .models import Decision, Vote
from .subjects import FINDINGS, findings_of

_REASONS = forms.Textarea(attrs={"rows": 3})


def _proposal_field(proposals):
    return forms.ChoiceField(choices=[(spec.name, spec.label) for spec in proposals], label=_("Decision"))


class CheckboxInput(forms.CheckboxInput):
    """A checkbox that hands the posted text to its field as it came (the API posts true or false), so
    the field can refuse anything else; its name keeps the templates' widget_type "checkbox"."""

    def value_from_datadict(self, data, files, name):
        return data.get(name) if name in data else False


class FindingField(forms.BooleanField):
    """A finding of the Board (subjects.FINDINGS): ticked or not; any other value is refused."""

    widget = CheckboxInput
    YES, NO = {"on", "true", "1", "yes"}, {"", "off", "false", "0", "no"}

    def to_python(self, value):
        if value is None or isinstance(value, bool):
            return bool(value)
        text = str(value).strip().lower()
        if text in self.YES:
            return True
        if text in self.NO:
            return False
        raise forms.ValidationError(_("Tick the box or leave it: yes or no."), code="invalid")


class FindingsMixin:
    """The findings the proposals take (their declared inputs, PROC-AC-003 v03.0 para 139), one box
    each, handed to the service as `findings`; which finding goes with which decision is the service's."""

    def findings_add(self, proposals):
        self.finding_names = list(dict.fromkeys(n for spec in proposals for n in findings_of(spec)))
        for name in self.finding_names:
            self.fields[name] = FindingField(required=False, label=FINDINGS[name].label,
                                             help_text=FINDINGS[name].help_text)
            self.fields[name].widget.attrs["class"] = "form-check-input"

    def clean(self):
        data = super().clean()
        data["findings"] = {name: data.pop(name) for name in self.finding_names if name in data}
        return data


class MeetingDecisionForm(FindingsMixin, BootstrapMixin, forms.Form):
    """A decision taken at a meeting, as the meeting's report records it (entered by the secretariat)."""

    meeting = forms.CharField(max_length=20, label=_("Meeting"), help_text=_('Numbered as its report is, e.g. "SBM019".'))
    agenda_item = forms.CharField(max_length=20, label=_("Agenda item"), help_text=_('e.g. "4.2"'))
    outcome = forms.ChoiceField(choices=[(Decision.Status.ADOPTED, _("Adopted")),
                                         (Decision.Status.NOT_ADOPTED, _("Not adopted"))], label=_("Outcome"))
    by = forms.ChoiceField(choices=[("consensus", _("By consensus")), ("vote", _("By a vote"))], label=_("Taken"))
    yes = forms.IntegerField(min_value=0, required=False, label=_("Votes yes"), help_text=_("Only for a vote."))
    no = forms.IntegerField(min_value=0, required=False, label=_("Votes no"))
    abstain = forms.IntegerField(min_value=0, required=False, label=_("Abstentions"))
    comment = forms.CharField(max_length=5000, required=False, label=_("Reasons"), widget=_REASONS,
                              help_text=_("Required when the proposal was adopted."))

    field_order = ["transition", "meeting", "agenda_item", "outcome", "by", "yes", "no", "abstain", "comment"]

    def __init__(self, *args, proposals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["transition"] = _proposal_field(proposals)
        self.fields["transition"].widget.attrs["class"] = "form-select"
        self.findings_add(proposals)
        self.order_fields(self.field_order[:1] + self.finding_names + self.field_order[1:])


class ElectronicDecisionForm(FindingsMixin, BootstrapMixin, forms.Form):
    """A proposal circulated to the members and alternate members for an electronic decision."""

    comment = forms.CharField(max_length=5000, label=_("Proposal and its reasons"), widget=_REASONS)

    def __init__(self, *args, proposals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["transition"] = _proposal_field(proposals)
        self.fields["transition"].widget.attrs["class"] = "form-select"
        self.findings_add(proposals)
        self.order_fields(["transition", *self.finding_names, "comment"])


class VoteForm(BootstrapMixin, forms.Form):
    choice = forms.ChoiceField(choices=[("", _("Choose your vote"))] + list(Vote.Choice.choices), label=_("Your vote"))
