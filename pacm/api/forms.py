from django import forms
from django.utils.translation import gettext_lazy as _

from pacm.common.forms import BootstrapMixin, TextField
from pacm.common.submission import SubmissionKeyMixin

from .tokens import NAME_MAX


class TokenCreateForm(SubmissionKeyMixin, BootstrapMixin, forms.Form):
    name = TextField(max_length=NAME_MAX, label=_("Name (what will use it)"))
