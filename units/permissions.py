"""Who may do what: roles now, object scoping as the models arrive."""

from units.enums import Role

_ROLE_CACHE_ATTR = "_units_roles"


def user_roles(user) -> frozenset[str]:
    """Return the role names (group names) of a user, cached on the user object per request."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, _ROLE_CACHE_ATTR, None)
    if cached is None:
        names = user.groups.filter(name__in=Role.values).values_list("name", flat=True)
        cached = frozenset(names)
        setattr(user, _ROLE_CACHE_ATTR, cached)
    return cached


def has_role(user, *roles: str) -> bool:
    """True when the user holds any of the given roles."""
    return bool(user_roles(user) & set(roles))
