"""The consultation's forms: their shape and bounds; the rules are the services'."""
from django import forms
from django.utils.translation import gettext_lazy as _

from pacm.common.forms import BootstrapMixin, TextField
from pacm.common.submission import SubmissionKeyMixin

from .models import NAME_MAX, REPLY_MAX, TEXT_MAX, CommentReply

# The field a person never sees (hidden by pacm.css) and a robot fills in.
HONEYPOT = "website"


class CommentForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    """PROC-AC-002 v03.0 para 20: the name and contact details of who the comment is made for."""

    author_name = TextField(max_length=NAME_MAX, label=_("Your name"))
    organisation = TextField(max_length=NAME_MAX, required=False, label=_("Organisation"),
                             help_text=_("The organisation on whose behalf you comment, if any."))
    email = forms.EmailField(max_length=254, label=_("E-mail address"),
                             help_text=_("We send you a link to confirm it: the comment is published once you follow "
                                         "it. The address is never shown."))
    text = TextField(max_length=TEXT_MAX, label=_("Comment"), widget=forms.Textarea(attrs={"rows": 6}),
                     help_text=_("In English, specific to this activity and on its compliance with the Article 6.4 "
                                 "rules (A6.4-PROC-AC-002 para 20)."))
    website = forms.CharField(required=False, max_length=200, label=_("Leave this field empty"),
                              widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))

    @property
    def is_robot(self):
        return bool((self.cleaned_data or {}).get(HONEYPOT)) if hasattr(self, "cleaned_data") else False


class AnswerForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    text = TextField(max_length=REPLY_MAX, label=_("How the comment was taken into account"),
                     widget=forms.Textarea(attrs={"rows": 3}))


class AssessmentForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    outcome = forms.ChoiceField(choices=[("", _("Choose"))] + list(CommentReply.Outcome.choices),
                                label=_("The DOE's determination"))
    text = TextField(max_length=REPLY_MAX, label=_("Assessment"), widget=forms.Textarea(attrs={"rows": 3}))
