"""Who may export what, from the declarations that already say it (never a second copy of a rule)."""
from pacm.parties.models import Party
from pacm.parties.roles import Role, tie_q

# The Party's own voice in the registry: its DNA, and the secretariat as registry administrator
# (pacm.registry.machine PARTY_TIES; 7/CMA.4 annex I paras 33, 47-48: DNAs receive the reports on
# holdings and transactions of their Party; PROC-REGS-001 para 77: the administrator prefills the AEF).
AEF_ROLES = frozenset({Role.DNA, Role.SECRETARIAT})


def parties_reportable_by(user):
    """The Parties whose AEF `user` may build: its DNA's Party; every Party for the secretariat."""
    return Party.objects.filter(tie_q(user, Party, AEF_ROLES)).order_by("name")
