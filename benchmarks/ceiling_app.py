"""The ceiling for submissions: a bare WSGI endpoint that stores the same rows with plain SQL.

No framework, no form library, no validation: what the database and the server alone cost.
Served by gunicorn exactly like the real app (see benchmarks/submit_throughput.py).
"""

import hashlib
import os
import secrets
import uuid
from datetime import datetime, timezone
from urllib.parse import parse_qsl

import sqlalchemy as sa

ENGINE = sa.create_engine(os.environ["CEILING_DATABASE_URL"])
with ENGINE.connect() as _conn:
    SURVEY_ID = _conn.execute(
        sa.text("SELECT id FROM survey WHERE code = :c"), {"c": os.environ["CEILING_SURVEY"]}
    ).scalar_one()
    QUESTIONS = {
        code: (qid, kind)
        for qid, code, kind in _conn.execute(
            sa.text("SELECT id, code, kind FROM question WHERE survey_id = :s"), {"s": SURVEY_ID}
        )
    }
    OPTIONS = {
        (qid, code): oid
        for oid, qid, code in _conn.execute(sa.text('SELECT id, question_id, code FROM "option"'))
    }

INSERT_RESPONSE = sa.text(
    "INSERT INTO response (survey_id, unit_id, submission_uid, receipt_attempt, answers_digest,"
    " channel, lang, submitted_at) VALUES (:s, NULL, :uid, 0, :digest, 'web', 'vi', :at)"
    " RETURNING id"
)
INSERT_RECEIPT = sa.text("INSERT INTO receipt (code, survey_id) VALUES (:c, :s)")
INSERT_ANSWER = sa.text(
    "INSERT INTO answer (response_id, question_id, kind, option_id, number, text)"
    " VALUES (:r, :q, :k, :o, :n, :t)"
)
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def app(environ, start_response):
    """Store the posted answers: one response row and one row per answer."""
    if environ["REQUEST_METHOD"] != "POST":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ceiling"]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    fields = parse_qsl(environ["wsgi.input"].read(length).decode("utf-8"))
    uid = next((v for k, v in fields if k == "submission_uid"), str(uuid.uuid4()))
    receipt = "".join(secrets.choice(ALPHABET) for _ in range(8))
    with ENGINE.begin() as conn:
        response_id = conn.execute(
            INSERT_RESPONSE,
            {
                "s": SURVEY_ID,
                "uid": hashlib.sha256(uid.encode()).hexdigest(),
                "digest": "0" * 64,
                "at": datetime.now(timezone.utc),
            },
        ).scalar_one()
        rows = []
        for name, value in fields:
            if not name.startswith("q_") or value == "":
                continue
            qid, kind = QUESTIONS[name[2:]]
            row = {"r": response_id, "q": qid, "k": kind, "o": None, "n": None, "t": None}
            if kind in ("single", "multi"):
                row["o"] = OPTIONS[(qid, value)]
            elif kind == "text":
                row["t"] = value
            else:
                row["n"] = float(value)
            rows.append(row)
        conn.execute(INSERT_ANSWER, rows)
        conn.execute(INSERT_RECEIPT, {"c": receipt, "s": SURVEY_ID})
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [receipt.encode()]
