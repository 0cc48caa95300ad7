from pacm.parties.roles import user_roles


def pacm(request):
    user = getattr(request, "user", None)
    roles = user_roles(user) if user is not None and user.is_authenticated else frozenset()
    return {"user_roles": sorted(r.value for r in roles)}
