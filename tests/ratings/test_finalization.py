"""Finalization: immutable snapshots, "changed since finalization", reasons and the audit log."""

import pytest
import sqlalchemy as sa

from survey.models import AuditLog, Evaluation, Organization
from survey.ratings.finalization import FinalizationRefused, finalize_year
from survey.ratings.reading import year_document
from tests.factories import make_indicator, make_organization, make_user


@pytest.fixture
def commune(db):
    nongdan = make_organization(db, code="nongdan", name="Hội Nông dân xã", position=1)
    phunu = make_organization(db, code="phunu", name="Hội Phụ nữ xã", position=2)
    figures = make_indicator(db, nongdan)
    make_indicator(db, phunu, activities_held=3)
    committee = make_user(db, username="thuongtruc", role="committee")
    db.session.commit()
    return {"figures": figures, "committee": committee}


def _org(document, code):
    return next(o for o in document["organizations"] if o["org"] == code)


def test_finalizing_keeps_a_snapshot_with_rules_and_digest(db, commune):
    done = finalize_year(2025, commune["committee"])
    db.session.commit()
    assert done == ["nongdan", "phunu"]
    snapshot = db.session.scalar(sa.select(Evaluation).order_by(Evaluation.id).limit(1))
    # Every figure met and none exceeded: 100 points, but "tốt" (30% exceeded needed for more).
    assert snapshot.score == 100 and snapshot.tier == "tot"
    assert snapshot.ruleset_name == "default" and "Quy định 366-QĐ/TW" in snapshot.ruleset_text
    assert len(snapshot.data_digest) == 64
    assert snapshot.details["vi"]["tier_label"] == "Hoàn thành tốt nhiệm vụ"
    assert snapshot.details["en"]["tier_label"] == "Completed its tasks well"
    assert snapshot.finalized_by_id == commune["committee"].id
    actions = db.session.scalars(sa.select(AuditLog.action)).all()
    assert actions == ["evaluation.finalize", "evaluation.finalize"]
    nongdan = _org(year_document(2025), "nongdan")
    assert nongdan["finalized"] is True and nongdan["changed_since_finalization"] is False


def test_later_data_changes_do_not_alter_the_record_but_show(db, commune):
    finalize_year(2025, commune["committee"])
    db.session.commit()
    commune["figures"].activities_held = 6
    db.session.commit()
    nongdan = _org(year_document(2025), "nongdan")
    assert nongdan["score"] == 100  # the snapshot, not today's data
    assert nongdan["changed_since_finalization"] is True
    phunu = _org(year_document(2025), "phunu")
    assert phunu["changed_since_finalization"] is False


def test_finalizing_again_needs_a_reason_and_is_audited(db, commune):
    finalize_year(2025, commune["committee"])
    db.session.commit()
    commune["figures"].activities_held = 6
    db.session.commit()
    with pytest.raises(FinalizationRefused, match="reason needed"):
        finalize_year(2025, commune["committee"], reason="  ")
    db.session.rollback()
    phunu = sa.select(Organization.id).where(Organization.code == "phunu").scalar_subquery()
    kept = db.session.scalar(sa.select(Evaluation).where(Evaluation.organization_id == phunu))
    kept_at = kept.finalized_at
    done = finalize_year(2025, commune["committee"], reason="Hội Nông dân bổ sung số liệu")
    db.session.commit()
    assert done == ["nongdan"]  # the Women's Union's data did not change: its record stays
    assert kept.finalized_at == kept_at and kept.reason == ""
    nongdan = _org(year_document(2025), "nongdan")
    assert nongdan["score"] < 100 and nongdan["changed_since_finalization"] is False
    entry = db.session.scalar(
        sa.select(AuditLog).where(
            AuditLog.action == "evaluation.refinalize", AuditLog.target == "nongdan/2025"
        )
    )
    assert entry.details["before"]["score"] == 100
    assert entry.details["after"]["reason"] == "Hội Nông dân bổ sung số liệu"
    assert entry.details["replaced"]["score"] == 100  # the replaced snapshot, whole


def test_a_new_organization_is_finalized_without_touching_the_others(db, commune):
    finalize_year(2025, commune["committee"])
    db.session.commit()
    veterans = make_organization(db, code="cuuchienbinh", name="Hội Cựu chiến binh xã", position=3)
    db.session.commit()
    with pytest.raises(FinalizationRefused):  # not rated yet (no figures): nothing new to fix
        finalize_year(2025, commune["committee"])
    make_indicator(db, veterans)
    db.session.commit()
    assert finalize_year(2025, commune["committee"]) == ["cuuchienbinh"]


def test_finalizing_again_with_nothing_changed_is_refused_and_replaces_nothing(db, commune):
    finalize_year(2025, commune["committee"])
    db.session.commit()
    with pytest.raises(FinalizationRefused, match="nothing changed"):
        finalize_year(2025, commune["committee"], reason="Chốt lại cho chắc")
    db.session.rollback()
    actions = db.session.scalars(sa.select(AuditLog.action)).all()
    assert "evaluation.refinalize" not in actions


def test_typed_dialogues_marked_as_typed_leave_an_earlier_snapshots_digest_alone():
    """Typed dialogue figures carried no source before they were marked "typed": a year
    finalized then does not read as changed for the mark; records do change it."""
    from survey.ratings.reading import input_digest

    def org(evidence):
        criterion = {"code": "dialogue", "value": 0.75, "n": None, "n_eff": None}
        return {"criteria": [criterion | {"evidence": evidence}], "vetoes": []}

    before = input_digest(org({"held": 3, "planned": 4}))
    assert input_digest(org({"held": 3, "planned": 4, "source": "typed"})) == before
    assert input_digest(org({"held": 3, "planned": 4, "source": "records"})) != before
