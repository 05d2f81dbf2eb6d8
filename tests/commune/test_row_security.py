"""PostgreSQL's row-level security: the second wall between communes.

A statement written past the ORM (plain SQL, a Core table) gets no filter from
survey.models.scoping; the database itself then keeps each commune's rows to that commune,
because every transaction of the application takes a role that owns no table.
"""

import pytest
import sqlalchemy as sa

from survey.commune.tenants import create_commune
from survey.core.tenancy import across_communes, commune_scope
from survey.models import Organization, Survey
from tests.conftest import postgresql_url
from tests.factories import make_organization, make_survey

pytestmark = pytest.mark.skipif(
    postgresql_url() is None, reason="needs TEST_DATABASE_URL (PostgreSQL): SQLite has no RLS"
)


@pytest.fixture
def two_communes(db):
    with across_communes():
        alpha = create_commune("alpha", "xã Alpha")
        beta = create_commune("beta", "xã Beta")
        db.session.commit()
    ids = {}
    for commune in (alpha, beta):
        with commune_scope(commune.id):
            make_organization(db, code="nongdan", name=f"Hội Nông dân {commune.code}")
            make_survey(db, code=f"{commune.code}-2025")
            db.session.commit()
        ids[commune.code] = commune.id
    return ids


def test_a_query_that_forgets_the_scope_gets_only_its_communes_rows(db, two_communes):
    with commune_scope(two_communes["beta"]):
        # Plain SQL: the ORM adds nothing to it.
        names = db.session.execute(sa.text("SELECT name FROM organization")).scalars().all()
        assert names == ["Hội Nông dân beta"]
        # A Core select of the table, with alpha's own id asked for: no row.
        alpha_survey = sa.select(Survey.__table__.c.id).where(
            Survey.__table__.c.code == "alpha-2025"
        )
        assert db.session.execute(alpha_survey).first() is None
        assert db.session.execute(sa.text("SELECT current_user")).scalar() == "survey_app"
        db.session.rollback()


def test_a_row_of_another_commune_cannot_be_written(db, two_communes):
    with commune_scope(two_communes["beta"]):
        insert = sa.insert(Organization.__table__).values(
            commune_id=two_communes["alpha"], code="doan", name="Đoàn", short_name="Đoàn"
        )
        with pytest.raises(sa.exc.ProgrammingError, match="row-level security"):
            db.session.execute(insert)
        db.session.rollback()
        # Nor moved to another commune, nor touched there.
        moved = sa.text("UPDATE organization SET commune_id = :other")
        with pytest.raises(sa.exc.ProgrammingError, match="row-level security"):
            db.session.execute(moved, {"other": two_communes["alpha"]})
        db.session.rollback()
        wiped = db.session.execute(sa.text("DELETE FROM survey WHERE code = 'alpha-2025'"))
        assert wiped.rowcount == 0
        db.session.rollback()


def test_a_request_with_no_commune_sees_no_row(db, two_communes):
    with commune_scope(0):  # a province officer on a commune's page
        assert db.session.execute(sa.text("SELECT count(*) FROM survey")).scalar() == 0
        db.session.rollback()
    with across_communes():
        assert db.session.execute(sa.text("SELECT count(*) FROM survey")).scalar() == 2
        db.session.rollback()


def test_a_surveys_recordings_are_behind_the_wall_too(db, two_communes):
    """survey_audio (migration 2bb9d61c1bfe) has the policy every commune's table has."""
    from survey.models import SurveyAudio

    for code, commune_id in two_communes.items():
        with commune_scope(commune_id):
            survey = db.session.scalar(sa.select(Survey).where(Survey.code == f"{code}-2025"))
            db.session.add(
                SurveyAudio(
                    survey_id=survey.id,
                    face=1,
                    target="face:1",
                    lang="vi",
                    content_type="audio/mpeg",
                    size=3,
                    digest=code * 8,
                    data=code.encode()[:3],
                )
            )
            db.session.commit()
    with commune_scope(two_communes["beta"]):
        seen = db.session.execute(sa.text("SELECT digest FROM survey_audio")).scalars().all()
        assert seen == ["beta" * 8]
        with pytest.raises(sa.exc.ProgrammingError, match="row-level security"):
            db.session.execute(
                sa.text("UPDATE survey_audio SET commune_id = :other"),
                {"other": two_communes["alpha"]},
            )
        db.session.rollback()
