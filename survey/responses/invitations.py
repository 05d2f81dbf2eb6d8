"""Single-use invitations for member surveys: printed slips with a short code.

Only a hash of each code is stored, and nothing links an invitation to the response it
enabled: the slip's village is recorded, the slip itself is not, and of its use only that it
happened, never when. Whether a slip was used is told to nobody before a submission: opening
the form with a used slip looks the same as with an unused one, and a submission with a used
slip is refused with the same words as one with an unknown code.
"""

import hashlib
import secrets

import sqlalchemy as sa

from survey.core.extensions import db
from survey.models import RECEIPT_ALPHABET, Invitation

CODE_LENGTH = 8


class InvitationRefused(Exception):
    """The code is unknown for this survey, or was already used."""


def normalize_code(text):
    """What a person typed, as a code: upper case, without spaces or dashes.

    >>> normalize_code(" abcd-efgh ")
    'ABCDEFGH'
    """
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def code_hash(code):
    """The stored form of an invitation code."""
    return hashlib.sha256(normalize_code(code).encode("ascii", "ignore")).hexdigest()


def format_code(code):
    """ABCDEFGH -> ABCD-EFGH, easier to read aloud and to type."""
    return f"{code[:4]}-{code[4:]}"


def create_invitations(survey, unit, count):
    """Add `count` invitations for `survey` in `unit`; return their codes (shown only now)."""
    if survey.audience != "member":
        raise ValueError(f"survey {survey.code!r} is for the public: it needs no invitations")
    if count < 1 or count > 5000:
        raise ValueError(f"count {count}: between 1 and 5000 slips at a time")
    codes = set()
    while len(codes) < count:
        codes.add("".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(CODE_LENGTH)))
    codes = sorted(codes)
    db.session.add_all(
        Invitation(survey_id=survey.id, unit_id=unit.id if unit else None, code_hash=code_hash(c))
        for c in codes
    )
    return codes


def find_invitation(survey, code):
    """The invitation of `survey` with this code, used or not (whoever holds a printed code
    knows it exists; whether it was used is not told), or None."""
    if len(normalize_code(code)) != CODE_LENGTH:
        return None
    return db.session.scalar(
        sa.select(Invitation).where(
            Invitation.survey_id == survey.id, Invitation.code_hash == code_hash(code)
        )
    )


def redeem(survey, code):
    """Mark the invitation used, in the caller's transaction; exactly one of two racing
    phones succeeds. Raises InvitationRefused otherwise."""
    result = db.session.execute(
        sa.update(Invitation)
        .where(
            Invitation.survey_id == survey.id,
            Invitation.code_hash == code_hash(code),
            sa.not_(Invitation.used),
        )
        .values(used=True)
    )
    if result.rowcount != 1:
        raise InvitationRefused(code)
