"""Who is working on this machine, also offline: the signed-in user is remembered in the local
`users` table, so commands run offline are checked with the same role and scope as online."""

from __future__ import annotations

from sqlalchemy.dialects.sqlite import insert

from aude_desktop.domain.commands import Actor
from aude_desktop.store.database import LocalStore
from aude_desktop.store.models import User


def remember_user(store: LocalStore, user) -> None:
    """Record the signed-in user (a UserInfo) for the next offline session."""
    values = dict(login=user.login, display_name=user.display_name, role=user.role, region=user.region,
                  authority=user.authority)
    with store.session() as s:
        s.execute(insert(User).values(**values).on_conflict_do_update(index_elements=["login"], set_=values))


def local_actor(store: LocalStore, login: str) -> Actor | None:
    """The actor for `login` as last seen signed in here, or None if this user never signed in."""
    with store.session() as s:
        user = s.get(User, login) if login else None
        return Actor(user.login, user.role, user.region, user.authority) if user else None
