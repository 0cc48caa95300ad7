"""The people forms: bounded where they enter (e-mail 254, username 150, password 128)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from pacm.common.forms import BootstrapMixin

from . import policy


class InviteForm(BootstrapMixin, forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=[(policy.MEMBER, _("Member")), (policy.ADMIN, _("Administrator"))])


class RoleForm(BootstrapMixin, forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=[(policy.MEMBER, _("Member")), (policy.ADMIN, _("Administrator"))])


class AcceptForm(BootstrapMixin, forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), max_length=128, widget=forms.PasswordInput(render_value=False))
