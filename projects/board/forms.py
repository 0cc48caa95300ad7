"""The Board panel's forms: their shape only; the rules are the services' (projects.board.services)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from ..forms import BootstrapMixin
from .models import Decision, Vote

_REASONS = forms.Textarea(attrs={"rows": 3})


def _proposal_field(proposals):
    return forms.ChoiceField(choices=[(spec.name, spec.label) for spec in proposals], label=_("Decision"))


class MeetingDecisionForm(BootstrapMixin, forms.Form):
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
        self.order_fields(self.field_order)


class ElectronicDecisionForm(BootstrapMixin, forms.Form):
    """A proposal circulated to the members and alternate members for an electronic decision."""

    comment = forms.CharField(max_length=5000, label=_("Proposal and its reasons"), widget=_REASONS)

    def __init__(self, *args, proposals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["transition"] = _proposal_field(proposals)
        self.fields["transition"].widget.attrs["class"] = "form-select"
        self.order_fields(["transition", "comment"])


class VoteForm(BootstrapMixin, forms.Form):
    choice = forms.ChoiceField(choices=[("", _("Choose your vote"))] + list(Vote.Choice.choices), label=_("Your vote"))
