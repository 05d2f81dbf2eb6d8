"""Finalization: the Standing Committee fixes a year's ratings as immutable snapshots.

A snapshot (Evaluation) keeps the score, the tier, the whole explained result in Vietnamese and
English, the rule set text and a digest of the data it was computed from. Data that changes
later does not alter it: the year's document shows the snapshot, marked "changed since
finalization" when today's data would give another digest. Finalizing again replaces the
snapshot only with a reason, and the audit log keeps the one replaced.
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from analytics import evaluation_document
from survey.audit import trail
from survey.core.extensions import db
from survey.models import Evaluation, Organization, utcnow
from survey.ratings import reading
from survey.ratings.evaluation import evaluate_year
from survey.ratings.heads import heads_of_year
from survey.ratings.steps import assessments, with_steps


class FinalizationRefused(ValueError):
    """A finalization that cannot be done; the message is an English reason key."""


def finalize_year(year: int, user, reason: str = "") -> list[str]:
    """Snapshot every organization's rating for `year`; return the codes finalized (flushed:
    the caller commits).

    Organizations already finalized are finalized again only with a `reason`, and only those
    whose snapshot would change (a re-rating, a head's decision, later data): their snapshot
    is replaced and the old one kept in the audit log. The others keep theirs, so re-rating one
    organization leaves its neighbours' records (and their dates) as they were. A reason with
    nothing changed is refused. Organizations not rated (no annual figures) are not finalized.
    """
    reason = (reason or "").strip()
    evaluation = evaluate_year(year)
    documents = _documents(year, evaluation)
    snapshots = reading.snapshots(year)
    # An organization without evidence enough to rate is left out: nothing to fix for it yet.
    rated = [result for result in evaluation.results if result.rating.rated]
    if not rated:
        raise FinalizationRefused("nothing to rate")
    if snapshots and not reason and all(r.code in snapshots for r in rated):
        raise FinalizationRefused("reason needed")
    ids = dict(db.session.execute(sa.select(Organization.code, Organization.id)).all())
    steps = assessments(year)
    heads = heads_of_year(year)
    done = []
    for result in rated:
        fields = _snapshot_fields(result, evaluation.rules, documents, (steps, heads), reason, user)
        existing = snapshots.get(result.code)
        if existing is None:
            _first_snapshot(ids[result.code], year, result.code, fields)
        elif reason and _differs(existing, fields):
            _replace_snapshot(existing, year, result.code, fields)
        else:
            continue
        done.append(result.code)
    if not done:
        raise FinalizationRefused("nothing changed")
    db.session.flush()
    return done


def _differs(existing, fields) -> bool:
    """Whether a new snapshot's `fields` say anything the `existing` one does not: its score,
    tier, data digest or explained result (decision, steps and heads included), compared as
    the database keeps them (JSON)."""
    kept = ("score", "tier", "data_digest", "details")
    old = {key: getattr(existing, key) for key in kept}
    new = {key: fields[key] for key in kept}
    return json.loads(json.dumps(old, default=str)) != json.loads(json.dumps(new, default=str))


def _documents(year, evaluation) -> dict[str, dict[str, dict]]:
    """Each organization's explained result in each language the rating speaks."""
    return {
        lang: {
            org["org"]: org
            for org in evaluation_document(year, evaluation.rules, evaluation.results, lang)[
                "organizations"
            ]
        }
        for lang in reading.LANGS
    }


def _snapshot_fields(result, rules, documents, taken, reason, user) -> dict:
    """What a snapshot of one organization's `result` keeps: the tier as decided (the
    computed one when the committee has not decided), with the steps taken and its heads."""
    code = result.code
    steps, heads = taken
    details = {
        lang: with_steps(documents[lang][code], steps.get(code), lang, heads.get(code, ()))
        | {"finalized": True}
        for lang in reading.LANGS
    }
    return {
        "score": round(result.rating.score, 2),
        "tier": details["vi"]["tier"],
        "details": details,
        "ruleset_name": rules.name,
        "ruleset_text": rules.source,
        "data_digest": reading.input_digest(documents["vi"][code]),
        "reason": reason,
        "finalized_by_id": user.id if user is not None else None,
        "finalized_at": utcnow(),
    }


def _first_snapshot(organization_id, year, code, fields):
    db.session.add(Evaluation(organization_id=organization_id, year=year, **fields))
    trail.record(
        "evaluation.finalize",
        f"{code}/{year}",
        before={},
        after={"score": fields["score"], "tier": fields["tier"]},
    )


def _replace_snapshot(existing, year, code, fields):
    """Finalize again: the snapshot is replaced, the one replaced kept in the audit log."""
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
    after = {key: fields[key] for key in ("score", "tier", "data_digest", "finalized_at")}
    trail.record(
        "evaluation.refinalize",
        f"{code}/{year}",
        before=before,
        after=after | {"reason": fields["reason"]},
        replaced=replaced,
    )


def warnings_before(document: dict, updating: bool) -> dict[str, list]:
    """What the committee should know before finalizing the year of `document` (its Evaluation
    JSON as the ratings page shows it), by kind; an empty list for a kind with nothing to say.

    - `updating`: responses arrived after the figures were computed (they are being computed
      again), so the ratings may still move;
    - `to_review`: organizations with a criterion that changes with or without the flagged
      responses (name, criterion labels);
    - `borderline`: organizations whose tier could differ within the surveys' margin;
    - `not_rated`: organizations without evidence enough, which will not be finalized;
    - `finalized`: organizations already finalized (finalizing again needs a reason);
    - `changed`: finalized organizations whose data changed since;
    - `capped`: organizations held back to "tốt" by the cap on "xuất sắc" (the notes say why);
    - `no_evidence`: Quy định 366's conditions without evidence yet: (condition label, names);
    - `no_self_assessment`: rated organizations that have not assessed themselves;
    - `undecided`: rated organizations the committee has not decided (their computed tier will
      be finalized);
    - `adjusted`: decisions that differ from the computed tier: (name, computed, decided, reason);
    - `outdated`: decisions taken on a computed tier the data have changed since;
    - `pending`: finalized organizations re-rated since, to finalize again;
    - `heads_undecided`: rated organizations with a head or deputy whose own tier the committee
      has not decided (the resolution, III.7, ties it to the organization's).
    """
    pending = [org for org in document["organizations"] if not org.get("finalized")]
    rated = [org for org in pending if org.get("rated", True)]
    unknown: dict[str, list[str]] = {}
    for org in pending:
        for condition in org.get("conditions", ()):
            if condition["met"] is None:
                unknown.setdefault(condition["label"], []).append(org["name"])
    organizations = document["organizations"]
    return {
        "updating": [True] if updating else [],
        "to_review": [
            (org["name"], [c["label"] for c in org["criteria"] if c.get("sensitive")])
            for org in organizations
            if any(c.get("sensitive") for c in org["criteria"]) and not org.get("finalized")
        ],
        "borderline": [
            org["name"]
            for org in organizations
            if org.get("borderline") and not org.get("finalized")
        ],
        "not_rated": [org["name"] for org in organizations if not org.get("rated", True)],
        "finalized": [org["name"] for org in organizations if org.get("finalized")],
        "changed": [org["name"] for org in organizations if org.get("changed_since_finalization")],
        "capped": [
            org["name"] for org in organizations if org.get("capped") and not org.get("finalized")
        ],
        "no_evidence": list(unknown.items()),
        "no_self_assessment": [org["name"] for org in rated if not org.get("self_assessment")],
        "undecided": [org["name"] for org in rated if not org.get("decided")],
        "adjusted": [
            (
                org["name"],
                org["adjustment"]["from_label"],
                org["adjustment"]["to_label"],
                org["adjustment"]["reason"],
            )
            for org in rated
            if org.get("adjustment") and org["adjustment"]["from"] != org["adjustment"]["to"]
        ],
        "outdated": [org["name"] for org in rated if org.get("decision_outdated")],
        "pending": [org["name"] for org in organizations if org.get("decision_pending")],
        "heads_undecided": [
            org["name"]
            for org in rated
            if any(not head["decided"] for head in org.get("heads") or ())
        ],
    }
