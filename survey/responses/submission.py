"""What identifies a submission: the digest of its id and of its answers, and its receipt code."""

import hashlib
import hmac
import json
import secrets

from survey.models import RECEIPT_ALPHABET, RECEIPT_LENGTH


def uid_digest(submission_uid):
    """What is stored of a form's submission id: its SHA-256, so that a resent form is
    recognised while the id itself, from which its receipt code is derived, is kept nowhere.

    >>> len(uid_digest("6f1c1a52-8c1e-4d0b-9b5e-2f7f3c9b1a00"))
    64
    """
    return hashlib.sha256(("submission:" + submission_uid).encode("utf-8")).hexdigest()


def derive_receipt(secret, survey_id, submission_uid, attempt=0):
    """The receipt code of a submission: RECEIPT_LENGTH characters, without look-alikes (no
    0/O, 1/I), of an HMAC of its id. The same submission always gets the same code, so a
    resent form is told the code it was first given; the stored digest of the id does not
    lead to it.
    `attempt` draws another code when this one is taken.

    >>> code = derive_receipt(b"key", 1, "6f1c1a52-8c1e-4d0b-9b5e-2f7f3c9b1a00")
    >>> len(code), set(code) <= set(RECEIPT_ALPHABET)
    (8, True)
    >>> code == derive_receipt(b"key", 1, "6f1c1a52-8c1e-4d0b-9b5e-2f7f3c9b1a00", attempt=1)
    False
    """
    message = f"receipt:{survey_id}:{attempt}:{submission_uid}".encode()
    bits = int.from_bytes(hmac.new(secret, message, hashlib.sha256).digest(), "big")
    # 32 letters: 5 bits of the digest each.
    return "".join(RECEIPT_ALPHABET[(bits >> (5 * i)) & 31] for i in range(RECEIPT_LENGTH))


def new_receipt(rng=None):
    """A receipt code: 8 characters without look-alikes (no 0/O, 1/I).

    >>> code = new_receipt()
    >>> len(code), set(code) <= set(RECEIPT_ALPHABET)
    (8, True)
    """
    choice = rng.choice if rng is not None else secrets.choice
    return "".join(choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))


def draw_receipts(count, is_taken, rng=None):
    """`count` distinct receipt codes in drawing order, none of which `is_taken(codes)` (which
    returns the set of those already used) reports.

    >>> codes = draw_receipts(3, lambda drawn: set())
    >>> len(set(codes))
    3
    """
    chosen = {}  # a dict keeps the drawing order, so a seeded draw is repeatable
    while len(chosen) < count:
        drawn = [new_receipt(rng) for _ in range(count - len(chosen))]
        taken = is_taken(drawn)
        for code in drawn:
            if code not in taken:
                chosen.setdefault(code, None)
    return list(chosen)


def answers_digest(answers):
    """SHA-256 of the answers keyed by question code, independent of order.

    Values are numbers, texts, option codes, or lists of option codes (multi, any order).

    >>> answers_digest({"q1": 5, "q2": ["b", "a"]}) == answers_digest({"q2": ["a", "b"], "q1": 5})
    True
    """
    canonical = {
        code: sorted(value) if isinstance(value, list | tuple | set) else _number(value)
        for code, value in answers.items()
        if value is not None and value != "" and value != []
    }
    payload = json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def uniform_likert(answers, kinds):
    """How many likert questions `answers` answered, when it gave every one of them the same
    answer; 0 otherwise. Kept on the response for the straight-lining check (`kinds` maps a
    question code to its kind).

    >>> uniform_likert({"a": 4, "b": 4, "c": 4, "t": "ok"}, {"a": "likert5", "b": "likert5",
    ...                "c": "likert5", "t": "text"})
    3
    >>> uniform_likert({"a": 4, "b": 5}, {"a": "likert5", "b": "likert5"})
    0
    """
    values = [v for code, v in answers.items() if kinds[code] == "likert5" and v is not None]
    return len(values) if values and len(set(values)) == 1 else 0


def _number(value):
    # 4 and 4.0 are the same answer.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
