"""Finalization: the Standing Committee fixes a year's ratings as immutable snapshots.

A snapshot (Evaluation) keeps the score, the tier, the whole explained result in Vietnamese and
English, the rule set text and a digest of the data it was computed from. Data that changes
later does not alter it: the year's document shows the snapshot, marked "changed since
finalization" when today's data would give another digest. Finalizing again replaces the
snapshot only with a reason, and the audit log keeps the one replaced.
"""

from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa

from analytics.report import evaluation_document, integrity_summary
from survey import audit
from survey.evaluation import YearEvaluation, evaluate_year
from survey.extensions import db
from survey.models import Evaluation, Organization, utcnow
from survey.suppression import flags_with_villages_hidden

LANGS = ("vi", "en")


class FinalizationRefused(ValueError):
    """A finalization that cannot be done; the message is an English reason key."""


def input_digest(organization: dict) -> str:
    """SHA-256 of what a rating was computed from: each criterion's value, sample and evidence,
    and the vetoes (one organization of the Evaluation JSON)."""
    inputs = {
        "criteria": [
            [c["code"], c["value"], c["n"], c["n_eff"], c["evidence"]]
            for c in organization["criteria"]
        ],
        "vetoes": organization["vetoes"],
    }
    payload = json.dumps(inputs, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _snapshots(year: int) -> dict[str, Evaluation]:
    rows = db.session.execute(
        sa.select(Organization.code, Evaluation)
        .join(Organization, Organization.id == Evaluation.organization_id)
        .where(Evaluation.year == year)
    ).all()
    return {code: evaluation for code, evaluation in rows}


def year_document(
    year: int,
    organization: str | None = None,
    lang: str = "vi",
    with_integrity: bool = False,
    evaluation: YearEvaluation | None = None,
) -> dict:
    """The Evaluation JSON of `year`: finalized organizations as their snapshot, the others
    as computed now (or in `evaluation`, the year's evaluation kept by a dashboard); with
    `with_integrity`, the integrity flags per survey (for the readers of every result)."""
    lang = lang if lang in LANGS else "vi"  # the rating speaks Vietnamese and English only
    if evaluation is None:
        evaluation = evaluate_year(year)
    results = [r for r in evaluation.results if organization in (None, r.code)]
    document = evaluation_document(year, evaluation.rules, results, lang)
    if with_integrity:
        # A flagged burst names no village the survey's results hide.
        document["integrity"] = flags_with_villages_hidden(
            integrity_summary((i.survey_code, i.flags) for i in evaluation.integrity)
        )
    snapshots = _snapshots(year)
    organizations = []
    for current in document["organizations"]:
        snapshot = snapshots.get(current["org"])
        if snapshot is None:
            organizations.append(current | {"changed_since_finalization": False})
            continue
        kept = dict(snapshot.details[lang])
        kept["finalized"] = True
        kept["finalized_at"] = snapshot.finalized_at.isoformat()
        kept["changed_since_finalization"] = input_digest(current) != snapshot.data_digest
        organizations.append(kept)
    document["organizations"] = organizations
    return document


def finalize_year(year: int, user, reason: str = "") -> list[str]:
    """Snapshot every organization's rating for `year`; return the codes finalized.

    Organizations already finalized are finalized again only with a `reason` (their snapshot
    is replaced and the old one kept in the audit log); without one they are left as they are.
    """
    reason = (reason or "").strip()
    evaluation = evaluate_year(year)
    documents = {
        lang: {
            org["org"]: org
            for org in evaluation_document(year, evaluation.rules, evaluation.results, lang)[
                "organizations"
            ]
        }
        for lang in LANGS
    }
    snapshots = _snapshots(year)
    if snapshots and not reason and len(snapshots) == len(evaluation.results):
        raise FinalizationRefused("reason needed")
    ids = dict(db.session.execute(sa.select(Organization.code, Organization.id)).all())
    done = []
    for result in evaluation.results:
        code = result.code
        vi = documents["vi"][code] | {"finalized": True}
        en = documents["en"][code] | {"finalized": True}
        fields = {
            "score": round(result.rating.score, 2),
            "tier": result.rating.tier,
            "details": {"vi": vi, "en": en},
            "ruleset_name": evaluation.rules.name,
            "ruleset_text": evaluation.rules.source,
            "data_digest": input_digest(documents["vi"][code]),
            "reason": reason,
            "finalized_by_id": user.id if user is not None else None,
            "finalized_at": utcnow(),
        }
        existing = snapshots.get(code)
        if existing is None:
            db.session.add(Evaluation(organization_id=ids[code], year=year, **fields))
            audit.record(
                "evaluation.finalize",
                f"{code}/{year}",
                before={},
                after={"score": fields["score"], "tier": fields["tier"]},
            )
        elif reason:
            replaced = existing.details["vi"]
            before = {
                "score": existing.score,
                "tier": existing.tier,
                "data_digest": existing.data_digest,
                "finalized_at": existing.finalized_at,
                "reason": existing.reason,
            }
            for key, value in fields.items():
                setattr(existing, key, value)
            audit.record(
                "evaluation.refinalize",
                f"{code}/{year}",
                before=before,
                after={
                    "score": fields["score"],
                    "tier": fields["tier"],
                    "data_digest": fields["data_digest"],
                    "finalized_at": fields["finalized_at"],
                    "reason": reason,
                },
                replaced=replaced,
            )
        else:
            continue
        done.append(code)
    return done
