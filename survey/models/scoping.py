"""Every query of commune data is limited to the commune at hand, here and nowhere else.

`survey.core.tenancy` says which commune the code at hand works for. Here, for every ORM
statement a session runs (a select, a relationship's lazy load, an ORM update or delete), a
criterion `commune_id = <that commune>` is added to every `CommuneOwned` table it reads, so no
view has to remember to filter; a new row gets the commune at hand, and a row of another
commune cannot be written. On PostgreSQL each transaction also tells the database which
commune it works for and takes the application's role, so that the row-level security policies
(migrations, `commune_wall`) refuse what a statement written past the ORM forgot.

Without a chosen commune (a command or a test on an install with one commune) nothing is
filtered, and new rows go to the only commune, made from the settings when there is none yet;
with several communes a write without a chosen one is refused.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session, with_loader_criteria

from survey.core.codes import code_from_text
from survey.core.tenancy import ALL, current_commune_id, scope_value
from survey.models.tenants import Commune, CommuneOwned, MaybeCommuneOwned

# The custom setting the row-level security policies read (see the migration 'communes').
SCOPE_SETTING = "survey.commune"
ONLY_COMMUNE = "only commune"  # session.info, for the transaction in progress
TOLD = "commune told"  # session.info: the scope the transaction in progress told PostgreSQL


class NoCommuneChosen(RuntimeError):
    """Several communes share the database and the code at hand chose none."""


class OtherCommuneRow(RuntimeError):
    """A row of one commune was about to be written while working for another."""


def _keep_postgresql_told(session):
    """The commune at hand changed inside a transaction: PostgreSQL hears it first."""
    if session.info.get(TOLD, scope_value()) != scope_value():
        tell_database(session.connection())
        session.info[TOLD] = scope_value()


@event.listens_for(Session, "do_orm_execute")
def _limit_to_commune(state):
    _keep_postgresql_told(state.session)
    commune_id = current_commune_id()
    if commune_id is None or not (state.is_select or state.is_update or state.is_delete):
        return
    state.statement = state.statement.options(
        with_loader_criteria(
            CommuneOwned,
            lambda cls: cls.commune_id == commune_id,
            include_aliases=True,
            track_closure_variables=True,
        )
    )


@event.listens_for(CommuneOwned, "init", propagate=True)
def _remember_the_commune_at_hand(row, _args, _kwargs):
    """A row belongs to the commune at hand when it is made, whenever it is flushed (an
    autoflush may come later, inside another scope: a read across communes)."""
    row._made_in_scope = scope_value()


@event.listens_for(Session, "before_flush")
def _new_rows_join_the_commune(session, _context, _instances):
    _keep_postgresql_told(session)
    for row in session.new:
        if not isinstance(row, CommuneOwned):
            continue
        scope = getattr(row, "_made_in_scope", scope_value())
        if row.commune_id is None:
            if isinstance(row, MaybeCommuneOwned) and row.of_the_province():
                continue
            if scope == ALL:
                if isinstance(row, MaybeCommuneOwned):
                    continue
                raise NoCommuneChosen(f"{type(row).__name__} needs a commune")
            row.commune_id = scope if isinstance(scope, int) else only_commune(session)
        elif isinstance(scope, int) and row.commune_id != scope:
            raise OtherCommuneRow(f"{type(row).__name__} of commune {row.commune_id}")


def only_commune(session) -> int:
    """The install's only commune (made from the settings when there is none yet)."""
    known = session.info.get(ONLY_COMMUNE)
    if known is not None:
        return known
    with session.no_autoflush:
        ids = session.scalars(sa.select(Commune.id).order_by(Commune.id).limit(2)).all()
    if len(ids) > 1:
        raise NoCommuneChosen("several communes share the database: choose one")
    only = ids[0] if ids else _first_commune(session)
    session.info[ONLY_COMMUNE] = only
    return only


def _first_commune(session) -> int:
    """The install's first commune, named from the settings (an install before communes)."""
    name = current_app.config.get("COMMUNE_NAME", "") if has_app_context() else ""
    name = name or "Xã"
    words = name.split(maxsplit=1)
    # "xã Hà Tam" -> "ha_tam": the commune's code is its name without "xã" / "phường".
    code_source = words[1] if len(words) > 1 and words[0].lower() in PREFIXES else name
    code = code_from_text(code_source, set(), fallback="xa")
    # Inserted on the flush's own connection: the flush at hand cannot flush another object.
    return session.connection().scalar(
        sa.insert(Commune.__table__)
        .values(code=code, name=name, national_code="", merged_from=[])
        .returning(Commune.__table__.c.id)
    )


PREFIXES = {"xã", "phường", "thị", "đặc"}


@event.listens_for(Session, "after_begin")
def _tell_postgresql(session, _transaction, connection):
    tell_database(connection)
    session.info[TOLD] = scope_value()


@event.listens_for(Session, "after_transaction_end")
def _forget_told(session, transaction):
    if transaction.parent is None:
        session.info.pop(TOLD, None)
        session.info.pop(ONLY_COMMUNE, None)


def rescope_transaction(session) -> None:
    """After the commune at hand changed: tell the transaction in progress, if any."""
    session = session() if callable(session) else session  # the request's scoped session
    if session.in_transaction():
        tell_database(session.connection())
        session.info[TOLD] = scope_value()


def tell_database(connection) -> None:
    """On PostgreSQL: the commune for the row-level security policies, and the application's
    role (DATABASE_ROLE), which cannot bypass them, both for the transaction in progress."""
    if connection.dialect.name != "postgresql" or not has_app_context():
        return
    role = current_app.config.get("DATABASE_ROLE")
    scope = scope_value()
    value = ALL if scope is None else str(scope)
    if role:
        connection.exec_driver_sql(
            "SELECT set_config(%(setting)s, %(scope)s, true), set_config('role', %(role)s, true)",
            {"setting": SCOPE_SETTING, "scope": value, "role": role},
        )
    else:
        connection.exec_driver_sql(
            "SELECT set_config(%(setting)s, %(scope)s, true)",
            {"setting": SCOPE_SETTING, "scope": value},
        )
