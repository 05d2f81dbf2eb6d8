"""Which commune the code at hand works for: one value per request, command or background job.

A deployment hosts a province's communes in one database. Whatever reads or writes a commune's
data does so inside `commune_scope(commune_id)`: a request enters it for the signed-in user's
commune (or the commune of the public survey asked for), a command for its `--commune`, a
background job for the commune it was queued for. `across_communes()` is the province's own
scope (its dashboards, creating communes, migrations): nothing is filtered there, so only the
code that must read every commune enters it, on purpose.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# None: no scope entered (a single-commune install, before anything chose one).
ALL = "all"
_current: ContextVar[int | str | None] = ContextVar("commune", default=None)


def current_commune_id() -> int | None:
    """The commune the code at hand works for; None when none was chosen or across communes."""
    value = _current.get()
    return value if isinstance(value, int) else None


def scope_value() -> int | str | None:
    """The scope as it stands: a commune's id, ALL across communes, or None (not chosen)."""
    return _current.get()


@contextmanager
def commune_scope(commune_id: int) -> Iterator[None]:
    """Work for `commune_id` inside the block: every query of commune data is limited to it."""
    token = _current.set(int(commune_id))
    try:
        yield
    finally:
        _current.reset(token)


@contextmanager
def across_communes() -> Iterator[None]:
    """Work across the province's communes inside the block (nothing is filtered)."""
    token = _current.set(ALL)
    try:
        yield
    finally:
        _current.reset(token)
