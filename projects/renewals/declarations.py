"""The writes that open a renewal, declared once for the machines of its subjects.

The activity's and the PoA's machines put `*renewal_actions()` in their actions (the participants
request the renewal: A6.4-PROC-AC-002 v03.0 paras 235, 238; A6.4-PROC-AC-003 v03.0 paras 280, 282);
the component project's puts `*cp_renewal_actions()` (its DOE notifies it: PROC-AC-003 para 299).
Each is guarded by `renewal_possible` (the subject's guards module delegates to
projects.renewals.guards). Imports of models are deferred: the cycle tables import this module
before the apps are ready.
"""
from django.utils.translation import gettext_lazy as _

from pacm.engine.declarations import A
from pacm.parties.roles import Role

REFUSAL = _("Only a registered activity's crediting period (or PoA period) is renewed.")


def renewal_actions(*, registered, creates="renewal"):
    """`creates`: the machine of the renewal it opens (`renewal` for a project, `poa_renewal`)."""
    return (
        A("request_renewal", registered, {Role.PARTICIPANT}, _("Request the renewal of the crediting period"),
          guards=("renewal_possible",), refusal=REFUSAL, creates=creates),
    )


def cp_renewal_actions(*, included):
    return (
        A("notify_renewal", included, {Role.DOE}, _("Notify the renewal of the CP's crediting period"),
          guards=("renewal_possible",), refusal=_("Only an included component project's crediting period is renewed."),
          creates="cp_renewal"),
    )
