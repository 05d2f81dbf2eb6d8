"""The villages' own languages: a survey written in Bahnar shows its questions in Bahnar with
the page's own words in Vietnamese; the builder writes every text in each of the survey's
languages; a deployment offers the languages its SURVEY_LANGUAGES setting names."""

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from survey.core.languages import check_setting, switch_label
from survey.models import Question, Survey
from survey.surveys.definitions import DefinitionError, survey_from_definition
from tests.factories import make_defined_survey, make_organization, make_user
from tests.surveys.test_views import as_user, options, question_fields, survey_fields

BAHNAR_QUESTION = "Iĕm chă hơlen dêh char?"  # a made-up line standing for Bahnar text
BAHNAR_TITLE = "Hla tơmơ̆t 2025"


@pytest.fixture
def officer(db):
    nongdan = make_organization(db, code="nongdan", name="Hội Nông dân xã", short_name="Nông dân")
    make_user(db, username="nongdan", role="org_officer", organization=nongdan)
    db.session.commit()
    return nongdan


def bahnar_survey(db, org, status="open"):
    return make_defined_survey(
        db,
        org=org,
        status=status,
        title={"vi": "Khảo sát hài lòng 2025", "bdq": BAHNAR_TITLE},
        languages=["vi", "bdq"],
        questions=[
            {
                "code": "q_hl",
                "kind": "single",
                "text": {"vi": "Bà con hài lòng không?", "bdq": BAHNAR_QUESTION},
                "options": [
                    {"code": "co", "label": {"vi": "Có", "bdq": "Ơ"}},
                    {"code": "khong", "label": {"vi": "Không"}},
                ],
            },
            {"code": "q_y", "kind": "text", "text": {"vi": "Bà con còn ý kiến gì khác?"}},
        ],
    )


def test_the_form_in_bahnar_shows_its_questions_in_bahnar_and_its_buttons_in_vietnamese(
    app, db, officer
):
    survey = bahnar_survey(db, officer)
    client = app.test_client()
    client.set_cookie("lang", "en")  # the phone chose English for the site before
    page = client.get(f"/s/{survey.code}?lang=bdq").get_data(as_text=True)
    assert BAHNAR_QUESTION in page and BAHNAR_TITLE in page and ">Ơ<" in page.replace(" ", "")
    assert "Gửi" in page and "Send" not in page  # the chrome falls back to Vietnamese
    assert "Bà con hài lòng không?" not in page
    # A text without Bahnar shows in Vietnamese rather than nothing, marked as Vietnamese.
    assert "Không" in page
    assert f'<span lang="bdq">{BAHNAR_QUESTION}</span>' in page
    assert '<span lang="vi">Bà con còn ý kiến gì khác?</span>' in page
    # The switch names each language as its speakers write it.
    assert ">Bahnar<" in page and ">Tiếng Việt<" in page
    english = client.get(f"/s/{survey.code}").get_data(as_text=True)
    assert "Send" in english  # without ?lang=bdq the cookie's English is back


def test_the_builder_writes_each_text_in_each_language_of_the_survey(app, db, officer):
    client = as_user(app, db, "nongdan")
    page = client.get("/manage/surveys/new").get_data(as_text=True)
    assert "Bahnar (Tiếng Ba Na)" in page and "Êđê (Tiếng Ê Đê)" in page
    made = client.post(
        "/manage/surveys/new",
        data=survey_fields(languages=["vi", "bdq"], title_bdq=BAHNAR_TITLE),
    )
    assert made.status_code == 303
    survey = db.session.scalar(sa.select(Survey).where(Survey.code == "ks-moi-2026"))
    assert survey.languages == ["vi", "bdq"] and survey.title["bdq"] == BAHNAR_TITLE
    page = client.get(f"/manage/surveys/{survey.code}/questions/new").get_data(as_text=True)
    assert 'name="text_bdq"' in page and "Câu hỏi (Tiếng Ba Na)" in page
    assert 'name="text_jra"' not in page and 'name="text_en"' not in page
    assert 'name="options-0-label_bdq"' in page
    saved = client.post(
        f"/manage/surveys/{survey.code}/questions/new",
        data=question_fields(kind="single", text_bdq=BAHNAR_QUESTION)
        | options(("co", "Có", ""), ("khong", "Không", ""))
        | {"options-0-label_bdq": "Ơ"},
    )
    assert saved.status_code == 303, saved.get_data(as_text=True)
    db.session.expire_all()
    question = db.session.scalar(sa.select(Question).where(Question.survey_id == survey.id))
    assert question.text == {"vi": "Bà con hài lòng không?", "bdq": BAHNAR_QUESTION}
    assert [o.label for o in question.options] == [{"vi": "Có", "bdq": "Ơ"}, {"vi": "Không"}]


def test_the_deployment_offers_only_the_languages_of_its_setting(make_app):
    app = make_app(SURVEY_LANGUAGES=["vi", "jra"])
    with app.app_context():
        from survey.core.extensions import db

        org = make_organization(db, code="nongdan")
        make_user(db, username="nongdan", role="org_officer", organization=org)
        db.session.commit()
        page = as_user(app, db, "nongdan").get("/manage/surveys/new").get_data(as_text=True)
        assert "Jrai (Tiếng Gia Rai)" in page and "Bahnar" not in page and "Tiếng Anh" not in page
        with pytest.raises(DefinitionError, match="'bdq' is not a language surveys"):
            survey_from_definition(
                {
                    "code": "ks-bdq",
                    "audience": "public",
                    "topic": "other",
                    "year": 2025,
                    "title": {"vi": "Khảo sát"},
                    "languages": ["vi", "bdq"],
                    "questions": [{"code": "q", "kind": "text", "text": {"vi": "Ý kiến"}}],
                }
            )


def test_an_unknown_language_in_the_setting_stops_the_app_at_start(make_app):
    with pytest.raises(ValueError, match="SURVEY_LANGUAGES: unknown language 'xx'"):
        make_app(SURVEY_LANGUAGES=["vi", "xx"])
    with pytest.raises(ValueError, match="expected a list"):
        check_setting("vi,bdq")


def test_a_language_is_named_by_its_speakers_and_by_the_reader(app):
    with app.test_request_context("/"), force_locale("vi"):
        assert switch_label("rad") == "Êđê (Tiếng Ê Đê)"
        assert switch_label("vi") == "Tiếng Việt"
    with app.test_request_context("/"), force_locale("en"):
        assert switch_label("bdq") == "Bahnar"
        assert switch_label("vi") == "Tiếng Việt (Vietnamese)"
