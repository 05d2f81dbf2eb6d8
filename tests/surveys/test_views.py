"""The survey builder: create, edit, reorder, validate, freeze, preview, open, close, audit."""

import json
import uuid
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from survey.models import AuditLog, Question, Response, Survey
from survey.surveys.definitions import load_question_set
from tests.factories import make_defined_survey, make_organization, make_survey, make_user
from tests.test_route_access import sign_in_quickly

CONFIRMED = {"confirm": "yes"}  # the confirmation page's button
FROZEN = "chỉ được sửa câu chữ"


@pytest.fixture
def world(db):
    """Two organizations, an officer of each, the office, the committee and the inspectors."""
    nongdan = make_organization(db, code="nongdan", name="Hội Nông dân xã", short_name="Nông dân")
    phunu = make_organization(db, code="phunu", name="Hội Phụ nữ xã", short_name="Phụ nữ")
    users = {
        "admin": make_user(db, username="vanphong", role="admin"),
        "committee": make_user(db, username="thuongtruc", role="committee"),
        "inspector": make_user(db, username="ubkt", role="inspector"),
        "officer": make_user(db, username="nongdan", role="org_officer", organization=nongdan),
        "other": make_user(db, username="phunu", role="org_officer", organization=phunu),
    }
    db.session.commit()
    return {"nongdan": nongdan, "phunu": phunu, "users": users}


def as_user(app, db, username):
    client = app.test_client()
    sign_in_quickly(client, db, username)
    return client


def survey_fields(**overrides):
    return {
        "code": "ks-moi-2026",
        "title_vi": "Khảo sát mới năm 2026",
        "title_en": "",
        "description_vi": "",
        "description_en": "",
        "languages": ["vi"],
        "audience": "public",
        "topic": "satisfaction",
        "year": "2026",
    } | overrides


def question_fields(**overrides):
    data = {
        "code": "q_moi",
        "kind": "likert5",
        "text_vi": "Bà con hài lòng không?",
        "text_en": "",
        "help_vi": "",
        "help_en": "",
        "criterion": "",
        "organization": "",
        "show_if_question": "",
        "show_if_values": "",
        "min_value": "",
        "max_value": "",
        "max_length": "",
    }
    return data | overrides


def options(*rows):
    """Option rows as the form posts them: (code, label_vi, value) each."""
    data = {}
    for index, (code, label, value) in enumerate(rows):
        data |= {
            f"options-{index}-code": code,
            f"options-{index}-label_vi": label,
            f"options-{index}-label_en": "",
            f"options-{index}-value": value,
            f"options-{index}-order": str(index + 1),
        }
    return data


def get_survey(db, code):
    db.session.expire_all()
    return db.session.scalar(sa.select(Survey).where(Survey.code == code))


def audit_entries(db, action):
    db.session.expire_all()
    return db.session.scalars(
        sa.select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)
    ).all()


def add_response(db, survey):
    db.session.add(
        Response(
            survey_id=survey.id,
            submission_uid=str(uuid.uuid4()),
            answers_digest="x" * 64,
        )
    )
    db.session.commit()


def owned_survey(db, world, **overrides):
    return make_defined_survey(db, org=world["nongdan"], **({"status": "draft"} | overrides))


# --- list and scopes -------------------------------------------------------------------------


def test_the_list_shows_only_surveys_the_officer_may_read_and_filters_them(app, db, world):
    make_defined_survey(db, org=world["nongdan"], code="nd-2025", year=2025)
    make_defined_survey(db, org=world["nongdan"], code="nd-2026", year=2026, status="draft")
    make_defined_survey(db, org=world["phunu"], code="pn-2025", year=2025)

    page = as_user(app, db, "nongdan").get("/manage/surveys/").get_data(as_text=True)
    assert "nd-2025" in page and "nd-2026" in page and "pn-2025" not in page
    assert "Khảo sát mới" in page  # the "New survey" button

    admin = as_user(app, db, "vanphong")
    assert "pn-2025" in admin.get("/manage/surveys/").get_data(as_text=True)
    by_year = admin.get("/manage/surveys/?year=2026").get_data(as_text=True)
    assert "nd-2026" in by_year and "nd-2025" not in by_year
    drafts = admin.get("/manage/surveys/?status=draft").get_data(as_text=True)
    assert "nd-2026" in drafts and "pn-2025" not in drafts
    assert "nd-2025" not in admin.get("/manage/surveys/?topic=participation").get_data(as_text=True)
    committee = as_user(app, db, "thuongtruc").get("/manage/surveys/").get_data(as_text=True)
    assert "pn-2025" in committee and "Khảo sát mới" not in committee


def test_other_officer_gets_403_and_readers_cannot_post(app, db, world):
    survey = owned_survey(db, world)
    other = as_user(app, db, "phunu")
    assert other.get(f"/manage/surveys/{survey.code}").status_code == 403
    assert other.post(f"/manage/surveys/{survey.code}", data=survey_fields()).status_code == 403
    assert other.get(f"/manage/surveys/{survey.code}/questions/hl").status_code == 403
    for reader in ("thuongtruc", "ubkt"):
        client = as_user(app, db, reader)
        page = client.get(f"/manage/surveys/{survey.code}")
        assert page.status_code == 200 and "Lưu thông tin" not in page.get_data(as_text=True)
        assert client.post(f"/manage/surveys/{survey.code}/open").status_code == 403
        posted = client.post(f"/manage/surveys/{survey.code}/questions/hl", data=question_fields())
        assert posted.status_code == 403
    assert get_survey(db, survey.code).status == "draft"


def test_a_survey_about_several_organizations_is_the_office_s(app, db, world):
    survey = owned_survey(db, world)
    survey.organizations.append(world["phunu"])
    db.session.commit()
    officer = as_user(app, db, "nongdan")
    assert officer.get(f"/manage/surveys/{survey.code}").status_code == 200
    assert officer.post(f"/manage/surveys/{survey.code}/open").status_code == 403


# --- creating ------------------------------------------------------------------------------


def test_an_officer_creates_a_blank_survey_for_its_organization(app, db, world):
    client = as_user(app, db, "nongdan")
    response = client.post(
        "/manage/surveys/new", data=survey_fields(start="blank", double_entry="y")
    )
    assert response.status_code == 303
    survey = get_survey(db, "ks-moi-2026")
    assert [o.code for o in survey.organizations] == ["nongdan"]
    assert survey.status == "draft" and survey.questions == [] and survey.double_entry
    assert survey.created_by_id == world["users"]["officer"].id
    (entry,) = audit_entries(db, "survey.create")
    assert entry.username == "nongdan" and entry.target == "ks-moi-2026"
    assert entry.details["after"]["organizations"] == ["nongdan"]
    assert entry.details["after"]["title"] == {"vi": "Khảo sát mới năm 2026"}


def test_a_duplicate_code_is_a_form_error_that_keeps_what_was_typed(app, db, world):
    owned_survey(db, world, code="trung-ma")
    client = as_user(app, db, "nongdan")
    response = client.post(
        "/manage/surveys/new",
        data=survey_fields(start="blank", code="trung-ma", title_vi="Tiêu đề đã gõ"),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Mã này đã dùng cho một khảo sát khác" in page
    assert "Tiêu đề đã gõ" in page
    bad = client.post("/manage/surveys/new", data=survey_fields(start="blank", code="Có Dấu"))
    assert bad.status_code == 422 and "chữ thường không dấu" in bad.get_data(as_text=True)
    untitled = client.post("/manage/surveys/new", data=survey_fields(start="blank", title_vi=""))
    assert untitled.status_code == 422
    assert "Xin viết tiêu đề bằng tiếng Việt" in untitled.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Survey)) == 1


def test_a_survey_from_a_template_keeps_the_template_codes(app, db, world):
    client = as_user(app, db, "nongdan")
    response = client.post(
        "/manage/surveys/new",
        data=survey_fields(start="satisfaction", title_vi="", languages=["vi", "en"]),
    )
    assert response.status_code == 303
    survey = get_survey(db, "ks-moi-2026")
    template = load_question_set("satisfaction")
    assert [q.code for q in survey.questions] == [q["code"] for q in template["questions"]]
    assert "Hội Nông dân xã" in survey.title["vi"] and "2026" in survey.title["vi"]
    assert survey.languages == ["vi", "en"] and survey.title["en"]
    tagged = [q for q in survey.questions if q.criterion or q.feedback]
    assert tagged and all(q.organization.code == "nongdan" for q in tagged)


def test_the_office_chooses_the_organizations_of_a_new_survey(app, db, world):
    client = as_user(app, db, "vanphong")
    missing = client.post("/manage/surveys/new", data=survey_fields(start="blank"))
    assert missing.status_code == 422
    response = client.post(
        "/manage/surveys/new",
        data=survey_fields(start="supervision", title_vi="", organizations=["phunu", "nongdan"]),
    )
    assert response.status_code == 303
    assert [o.code for o in get_survey(db, "ks-moi-2026").organizations] == ["nongdan", "phunu"]


def test_copying_last_year_s_survey_keeps_every_question_and_option_code(app, db, world):
    source = make_defined_survey(
        db,
        org=world["nongdan"],
        code="hailong-2025",
        title={"vi": "Khảo sát hài lòng năm 2025", "en": "Survey 2025"},
    )
    add_response(db, source)
    make_defined_survey(db, org=world["phunu"], code="phunu-2025")
    client = as_user(app, db, "nongdan")
    form = client.get("/manage/surveys/new").get_data(as_text=True)
    assert "hailong-2025" in form and "phunu-2025" not in form
    refused = client.post(
        "/manage/surveys/new",
        data=survey_fields(start="copy", source="phunu-2025", code="copy-x", title_vi=""),
    )
    assert refused.status_code == 422
    response = client.post(
        "/manage/surveys/new",
        data=survey_fields(
            start="copy",
            source="hailong-2025",
            code="hailong-2026",
            title_vi="",
            languages=["vi", "en"],
        ),
    )
    assert response.status_code == 303
    copy = get_survey(db, "hailong-2026")
    source = get_survey(db, "hailong-2025")
    assert copy.year == 2026 and copy.status == "draft" and copy.title["vi"].endswith("2026")

    def codes(survey):
        return [(q.code, q.kind, [(o.code, o.value) for o in q.options]) for q in survey.questions]

    assert codes(copy) == codes(source)
    (entry,) = audit_entries(db, "survey.copy")
    assert entry.details["source"] == "hailong-2025"


# --- questions ------------------------------------------------------------------------------


KIND_FORMS = {
    "likert5": {"criterion": "satisfaction", "organization": "nongdan", "required": "y"},
    "single": options(("a", "Có", "1"), ("b", "Không", "0")),
    "multi": options(("x", "Loa", ""), ("y", "Họp", ""), ("z", "Khác", "")),
    "yesno": {},
    "number": {"min_value": "0", "max_value": "2,5"},
    "nps": {},
    "text": {"feedback": "y", "max_length": "300", "organization": "nongdan"},
}


def test_questions_of_every_kind_are_added_with_their_settings(app, db, world):
    survey = make_survey(db, [], code="trong")
    survey.organizations.append(world["nongdan"])
    db.session.commit()
    client = as_user(app, db, "nongdan")
    for kind, extra in KIND_FORMS.items():
        data = question_fields(code=f"q_{kind}", kind=kind, text_vi=f"Câu {kind}") | extra
        response = client.post(f"/manage/surveys/{survey.code}/questions/new", data=data)
        assert response.status_code == 303, (kind, response.get_data(as_text=True)[:3000])
    survey = get_survey(db, survey.code)
    by_code = {q.code: q for q in survey.questions}
    assert [q.code for q in survey.questions] == [f"q_{k}" for k in KIND_FORMS]
    assert by_code["q_likert5"].criterion == "satisfaction" and by_code["q_likert5"].required
    assert by_code["q_likert5"].organization.code == "nongdan"
    assert [(o.code, o.value) for o in by_code["q_single"].options] == [("a", 1), ("b", 0)]
    assert [o.code for o in by_code["q_multi"].options] == ["x", "y", "z"]
    assert (by_code["q_number"].min_value, by_code["q_number"].max_value) == (0, 2.5)
    assert by_code["q_text"].feedback and by_code["q_text"].max_length == 300
    entries = audit_entries(db, "question.create")
    assert [e.target for e in entries] == [f"{survey.code}/q_{k}" for k in KIND_FORMS]
    assert entries[1].details["after"]["options"][0] == {
        "code": "a",
        "label": {"vi": "Có"},
        "value": 1,
    }


def test_options_are_edited_reordered_and_removed(app, db, world):
    survey = owned_survey(db, world)
    client = as_user(app, db, "nongdan")
    data = question_fields(code="kenh", kind="single", text_vi="Biết qua đâu?", required="y")
    data |= options(("hop", "Họp thôn", "2"), ("loa", "Loa thôn (sửa)", "1"), ("zalo", "Zalo", ""))
    response = client.post(f"/manage/surveys/{survey.code}/questions/kenh", data=data)
    assert response.status_code == 303
    question = next(q for q in get_survey(db, survey.code).questions if q.code == "kenh")
    assert [(o.code, o.label["vi"], o.value) for o in question.options] == [
        ("hop", "Họp thôn", 2),
        ("loa", "Loa thôn (sửa)", 1),
        ("zalo", "Zalo", None),
    ]
    data = question_fields(code="kenh", kind="single", text_vi="Biết qua đâu?", required="y")
    data |= options(("zalo", "Zalo", ""), ("loa", "Loa thôn", "1"))
    data["options-0-order"] = "5"
    assert (
        client.post(f"/manage/surveys/{survey.code}/questions/kenh", data=data).status_code == 303
    )
    question = next(q for q in get_survey(db, survey.code).questions if q.code == "kenh")
    assert [o.code for o in question.options] == ["loa", "zalo"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (question_fields(code="Câu 1"), "Mã câu hỏi chỉ gồm chữ thường không dấu"),
        (question_fields(code="hl"), "Một câu hỏi khác của khảo sát đã có mã này"),
        (question_fields(text_vi=""), "Xin viết câu hỏi bằng tiếng Việt"),
        (
            question_fields(kind="single") | options(("a", "Một", "")),
            "Câu hỏi lựa chọn cần ít nhất hai lựa chọn",
        ),
        (
            question_fields(kind="single") | options(("a", "Một", ""), ("a", "Hai", "")),
            "Có hai lựa chọn cùng mã a",
        ),
        (
            question_fields(kind="likert5") | options(("a", "Một", ""), ("b", "Hai", "")),
            "Chỉ câu hỏi chọn một hoặc chọn nhiều mới có các lựa chọn",
        ),
        (question_fields(kind="number", min_value="5", max_value="1"), "không được lớn hơn"),
        (question_fields(kind="number", min_value="năm"), "Xin viết một số"),
        (question_fields(kind="likert5", max_length="10"), "Chỉ câu hỏi trả lời tự do"),
        (question_fields(kind="likert5", feedback="y"), "Chỉ câu hỏi trả lời tự do mới"),
        (
            question_fields(show_if_question="hl", show_if_values="7"),
            "“7” không phải là một câu trả lời của câu hỏi làm điều kiện",
        ),
        (
            question_fields(show_if_question="gop_y", show_if_values="1"),
            "chỉ có thể phụ thuộc vào câu hỏi chọn",
        ),
        (question_fields(criterion="Hài lòng"), "Xin chọn một tiêu chí trong danh sách"),
    ],
)
def test_bad_questions_are_refused_in_vietnamese_and_keep_what_was_typed(
    app, db, world, data, message
):
    survey = owned_survey(db, world)
    before = [q.code for q in survey.questions]
    client = as_user(app, db, "nongdan")
    data = data | {"help_vi": "Gợi ý đã gõ"}
    response = client.post(f"/manage/surveys/{survey.code}/questions/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert "Gợi ý đã gõ" in page
    assert [q.code for q in get_survey(db, survey.code).questions] == before
    assert audit_entries(db, "question.create") == []


def test_numbers_too_large_are_refused_beside_their_field_in_vietnamese(app, db, world):
    survey = owned_survey(db, world)
    client = as_user(app, db, "nongdan")
    url = f"/manage/surveys/{survey.code}/questions/new"
    bound = client.post(url, data=question_fields(kind="number", min_value="1e20"))
    assert bound.status_code == 422
    assert "Giá trị nhỏ nhất và lớn nhất phải là số không lớn hơn" in bound.get_data(as_text=True)
    value = client.post(
        url, data=question_fields(kind="single") | options(("a", "Một", "1e20"), ("b", "Hai", ""))
    )
    assert value.status_code == 422
    assert "Giá trị của lựa chọn 1 phải là một số không lớn hơn" in value.get_data(as_text=True)
    assert [q.code for q in get_survey(db, survey.code).questions] == [
        q.code for q in survey.questions
    ]


def test_the_builder_s_services_flush_and_leave_the_commit_to_their_caller(app, db, world):
    """A view (or a command) commits once; what a service changed, and its audit entries,
    go back with the caller's rollback, on SQLite too."""
    from survey.surveys.questions import save_question
    from survey.surveys.survey_fields import create_survey
    from survey.surveys.survey_life import close_survey

    officer = world["users"]["officer"]
    survey = owned_survey(db, world, status="open")
    fields = service_fields(code="ks-chua-luu")
    create_survey(officer, start="blank", fields=fields, organization_codes=[])
    question = {"code": "q_moi", "kind": "yesno", "text": {"vi": "Có không?"}, "required": False}
    question |= {"feedback": False, "show_if": None, "options": []}
    question |= {"min_value": None, "max_value": None, "max_length": None}
    save_question(officer, survey, None, question)
    close_survey(survey)
    logged = sa.select(sa.func.count()).select_from(AuditLog)
    assert db.session.scalar(logged) == 3  # flushed: this transaction sees them
    db.session.rollback()
    assert get_survey(db, "ks-chua-luu") is None
    kept = get_survey(db, survey.code)
    assert kept.status == "open" and "q_moi" not in [q.code for q in kept.questions]
    assert db.session.scalar(logged) == 0


def service_fields(**overrides):
    """A survey's fields as survey_fields.create_survey takes them."""
    return {
        "code": "ks-moi-2026",
        "title": {"vi": "Khảo sát mới năm 2026"},
        "description": {},
        "languages": ["vi"],
        "audience": "public",
        "topic": "satisfaction",
        "year": 2026,
        "double_entry": False,
    } | overrides


def test_a_code_taken_meanwhile_leaves_the_caller_s_transaction_usable(app, db, world, monkeypatch):
    """The service's savepoint takes back only its own change: the caller may go on."""
    from survey.surveys import survey_fields as service
    from survey.surveys.changes import BuilderError

    owned_survey(db, world, code="vua-lay")
    monkeypatch.setattr(service, "check_code_free", lambda code: None)  # someone was quicker
    officer = world["users"]["officer"]
    with app.test_request_context():
        with pytest.raises(BuilderError) as refused:
            service.create_survey(
                officer, start="blank", fields=service_fields(code="vua-lay"), organization_codes=[]
            )
        assert refused.value.field == "code"
        service.create_survey(
            officer, start="blank", fields=service_fields(code="ma-khac"), organization_codes=[]
        )
    db.session.commit()
    assert get_survey(db, "ma-khac").title == {"vi": "Khảo sát mới năm 2026"}
    assert [e.target for e in audit_entries(db, "survey.create")] == ["ma-khac"]


def test_a_condition_may_name_only_an_earlier_question(app, db, world):
    survey = owned_survey(db, world)
    client = as_user(app, db, "nongdan")
    # ly_do (2nd) depends on hl (1st): hl may not move below it, nor ly_do above it.
    up = client.post(
        f"/manage/surveys/{survey.code}/questions/ly_do/move", data={"direction": "up"}
    )
    assert up.status_code == 422
    assert "Câu 2 chỉ hiện theo câu trả lời của câu 1 nên phải đứng sau câu đó" in up.get_data(
        as_text=True
    )
    deleted = client.post(f"/manage/surveys/{survey.code}/questions/hl/delete")
    assert deleted.status_code == 422 and "Câu 2" in deleted.get_data(as_text=True)
    to_text = client.post(
        f"/manage/surveys/{survey.code}/questions/hl",
        data=question_fields(code="hl", kind="text", text_vi="Đổi thành câu chữ"),
    )
    assert to_text.status_code == 422
    assert [q.code for q in get_survey(db, survey.code).questions][:2] == ["hl", "ly_do"]


def test_renaming_a_question_follows_into_the_conditions_that_name_it(app, db, world):
    survey = owned_survey(db, world)
    client = as_user(app, db, "nongdan")
    data = question_fields(code="hai_long", kind="likert5", required="y", criterion="satisfaction")
    response = client.post(f"/manage/surveys/{survey.code}/questions/hl", data=data)
    assert response.status_code == 303
    ly_do = next(q for q in get_survey(db, survey.code).questions if q.code == "ly_do")
    assert ly_do.show_if == {"question": "hai_long", "in": [1, 2]}


def test_questions_move_duplicate_and_delete(app, db, world):
    survey = owned_survey(db, world)
    client = as_user(app, db, "nongdan")
    codes = [q.code for q in survey.questions]
    url = f"/manage/surveys/{survey.code}/questions"
    assert client.post(f"{url}/kenh/move", data={"direction": "up"}).status_code == 303
    expected = codes[:1] + ["kenh", "ly_do"] + codes[3:]
    assert [q.code for q in get_survey(db, survey.code).questions] == expected
    assert client.post(f"{url}/kenh/move", data={"direction": "down"}).status_code == 303
    assert [q.code for q in get_survey(db, survey.code).questions] == codes
    assert client.post(f"{url}/hl/move", data={"direction": "up"}).status_code == 422
    assert client.post(f"{url}/kenh/move", data={"direction": "sideways"}).status_code == 400

    assert client.post(f"{url}/kenh/duplicate").status_code == 303
    assert client.post(f"{url}/kenh/duplicate").status_code == 303
    survey = get_survey(db, survey.code)
    assert [q.code for q in survey.questions][2:5] == ["kenh", "kenh_3", "kenh_2"]
    twin = survey.questions[4]
    assert [o.code for o in twin.options] == ["loa", "hop"] and twin.required
    assert [q.position for q in survey.questions] == list(range(len(survey.questions)))

    assert client.post(f"{url}/kenh_2/delete").status_code == 303
    assert client.post(f"{url}/kenh_3/delete").status_code == 303
    assert [q.code for q in get_survey(db, survey.code).questions] == codes
    moves = audit_entries(db, "question.move")
    assert moves[0].details == {"before": {"position": 2}, "after": {"position": 1}}
    assert [e.target.split("/")[1] for e in audit_entries(db, "question.duplicate")] == [
        "kenh_2",
        "kenh_3",
    ]
    deleted = audit_entries(db, "question.delete")
    assert deleted[0].details["before"]["code"] == "kenh_2"


def test_an_edit_records_what_changed(app, db, world):
    survey = owned_survey(db, world)
    client = as_user(app, db, "nongdan")
    data = question_fields(
        code="co_du", kind="yesno", text_vi="Có dự họp thôn không?", help_vi="Trong năm nay"
    )
    assert (
        client.post(f"/manage/surveys/{survey.code}/questions/co_du", data=data).status_code == 303
    )
    (entry,) = audit_entries(db, "question.update")
    assert entry.details["before"]["text"]["vi"] == "Có dự họp không?"
    assert entry.details["after"]["text"] == {"vi": "Có dự họp thôn không?"}
    assert entry.details["after"]["help"] == {"vi": "Trong năm nay"}
    assert "kind" not in entry.details["after"]


def test_survey_fields_are_saved_and_audited(app, db, world):
    survey = owned_survey(db, world)
    old_code = survey.code
    client = as_user(app, db, "nongdan")
    data = survey_fields(
        code="doi-ma",
        title_vi="Tên mới",
        description_vi="Giới thiệu",
        audience="member",
        topic="participation",
        year="2027",
    )
    assert client.post(f"/manage/surveys/{survey.code}", data=data).status_code == 303
    changed = get_survey(db, "doi-ma")
    assert changed.title == {"vi": "Tên mới"} and changed.languages == ["vi"]
    assert all(
        set(q.text) == {"vi"} for q in changed.questions
    )  # English dropped with the language
    assert (changed.audience, changed.topic, changed.year) == ("member", "participation", 2027)
    (entry,) = audit_entries(db, "survey.update")
    assert entry.target == "doi-ma"
    assert entry.details["before"]["code"] == old_code and entry.details["after"]["year"] == 2027
    bad = client.post("/manage/surveys/doi-ma", data=survey_fields(code="doi-ma", year="hai"))
    assert bad.status_code == 422 and "Xin viết một số nguyên" in bad.get_data(as_text=True)


# --- frozen structure ---------------------------------------------------------------------


def test_once_answered_only_the_wording_may_change(app, db, world):
    survey = owned_survey(db, world, status="open")
    add_response(db, survey)
    client = as_user(app, db, "nongdan")
    url = f"/manage/surveys/{survey.code}/questions"
    spelling = question_fields(
        code="kenh",
        kind="single",
        required="y",
        text_vi="Bà con biết về khảo sát qua đâu?",
    ) | options(("loa", "Loa phát thanh thôn", ""), ("hop", "Họp thôn", ""))
    assert client.post(f"{url}/kenh", data=spelling).status_code == 303
    question = next(q for q in get_survey(db, survey.code).questions if q.code == "kenh")
    assert question.text["vi"] == "Bà con biết về khảo sát qua đâu?"
    assert question.options[0].label == {"vi": "Loa phát thanh thôn"}

    refused = {
        "kind": spelling | {"kind": "multi"},
        "code": spelling | {"code": "kenh2"},
        "required": {k: v for k, v in spelling.items() if k != "required"},
        "option code": spelling | {"options-1-code": "hop2"},
        "option value": spelling | {"options-1-value": "3"},
        "option order": spelling | {"options-0-order": "9"},
        "new option": spelling | options(("loa", "Loa", ""), ("hop", "Họp", ""), ("x", "X", "")),
    }
    for name, data in refused.items():
        response = client.post(f"{url}/kenh", data=data)
        assert response.status_code == 422, name
        assert FROZEN in response.get_data(as_text=True), name
    show_if = question_fields(code="gop_y", kind="text", text_vi="Góp ý khác") | {
        "show_if_question": "hl",
        "show_if_values": "1",
    }
    assert client.post(f"{url}/gop_y", data=show_if).status_code == 422
    for path in ("kenh/move", "kenh/duplicate", "kenh/delete", "new"):
        data = {"direction": "up"} if path.endswith("move") else question_fields()
        response = client.post(f"{url}/{path}", data=data)
        assert response.status_code == 422 and FROZEN in response.get_data(as_text=True), path
    year = client.post(
        f"/manage/surveys/{survey.code}",
        data=survey_fields(code=survey.code, year="2030", languages=["vi", "en"]),
    )
    assert year.status_code == 422 and FROZEN in year.get_data(as_text=True)
    title = client.post(
        f"/manage/surveys/{survey.code}",
        data=survey_fields(
            code=survey.code, year="2025", title_vi="Tiêu đề sửa lỗi", languages=["vi", "en"]
        ),
    )
    assert title.status_code == 303
    survey = get_survey(db, survey.code)
    assert survey.title["vi"] == "Tiêu đề sửa lỗi"
    assert [q.code for q in survey.questions] == [
        "hl",
        "ly_do",
        "kenh",
        "phong_trao",
        "co_du",
        "so_buoi",
        "gioi_thieu",
        "gop_y",
    ]
    assert len(audit_entries(db, "question.update")) == 1


def test_the_frozen_rule_holds_in_the_logic_module(app, db, world):
    from survey.surveys.changes import BuilderError
    from survey.surveys.questions import delete_question, move_question

    survey = owned_survey(db, world, status="open")
    add_response(db, survey)
    with app.test_request_context():
        with pytest.raises(BuilderError, match="phiên bản mới"):
            delete_question(survey, survey.questions[-1])
        with pytest.raises(BuilderError):
            move_question(survey, survey.questions[-1], -1)
    db.session.rollback()
    assert len(get_survey(db, survey.code).questions) == 8


def test_a_new_version_keeps_the_codes_and_links_the_previous_one(app, db, world):
    survey = owned_survey(db, world, status="open", code="hailong-2025")
    add_response(db, survey)
    client = as_user(app, db, "nongdan")
    form = client.get("/manage/surveys/hailong-2025/clone").get_data(as_text=True)
    assert "hailong-2025-v2" in form
    taken = client.post("/manage/surveys/hailong-2025/clone", data={"code": "hailong-2025"})
    assert taken.status_code == 422
    response = client.post("/manage/surveys/hailong-2025/clone", data={"code": "hailong-2025-v2"})
    assert response.status_code == 303
    old, new = get_survey(db, "hailong-2025"), get_survey(db, "hailong-2025-v2")
    assert (new.version, new.previous_id, new.status) == (2, old.id, "draft")
    assert [o.code for o in new.organizations] == ["nongdan"]
    assert [(q.code, [o.code for o in q.options]) for q in new.questions] == [
        (q.code, [o.code for o in q.options]) for q in old.questions
    ]
    # The new version is not frozen: its structure may change.
    moved = client.post(
        "/manage/surveys/hailong-2025-v2/questions/kenh/move", data={"direction": "down"}
    )
    assert moved.status_code == 303
    (entry,) = audit_entries(db, "survey.clone")
    assert entry.details["source"] == "hailong-2025" and entry.details["version"] == 2


# --- preview, open, close, schedule ----------------------------------------------------------


def test_the_preview_shows_the_public_form_and_stores_nothing(app, db, world):
    survey = owned_survey(db, world)
    client = as_user(app, db, "thuongtruc")
    page = client.get(f"/manage/surveys/{survey.code}/preview").get_data(as_text=True)
    assert "Xem trước" in page and "Bà con hài lòng thế nào?" in page
    assert 'name="q_hl"' in page and 'class="survey-form"' in page
    sent = client.post(
        f"/manage/surveys/{survey.code}/preview",
        data={"submission_uid": str(uuid.uuid4()), "q_hl": "2", "q_kenh": "loa"},
    )
    assert sent.status_code == 200 and "Xem trước" in sent.get_data(as_text=True)
    assert "Vì sao chưa hài lòng?" in sent.get_data(as_text=True)
    survey.status = "open"
    db.session.commit()
    sent = as_user(app, db, "nongdan").post(
        f"/manage/surveys/{survey.code}/preview",
        data={"submission_uid": str(uuid.uuid4()), "q_hl": "5", "q_kenh": "loa", "unit": "-"},
    )
    assert sent.status_code == 200
    assert "Xem trước: câu trả lời gửi từ trang này không được lưu" in sent.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 0


def test_a_draft_without_questions_cannot_open(app, db, world):
    survey = make_survey(db, [], code="trong", status="draft")
    survey.organizations.append(world["nongdan"])
    db.session.commit()
    client = as_user(app, db, "nongdan")
    response = client.post("/manage/surveys/trong/open", data=CONFIRMED)
    assert response.status_code == 422
    assert "Khảo sát chưa có câu hỏi nào nên chưa mở được" in response.get_data(as_text=True)
    scheduled = client.post(
        "/manage/surveys/trong/schedule",
        data={"opens_at": "2026-03-01T07:00", "closes_at": ""} | CONFIRMED,
    )
    assert scheduled.status_code == 422
    assert get_survey(db, "trong").status == "draft"


def test_open_close_and_schedule_in_commune_time(app, db, world):
    survey = owned_survey(db, world)
    client = as_user(app, db, "nongdan")
    assert client.get(f"/s/{survey.code}").status_code == 200  # a signed-in preview
    assert app.test_client().get(f"/s/{survey.code}").status_code == 404  # a draft

    # The first press asks, saying what will happen; nothing changes until the officer agrees.
    asked = client.post(f"/manage/surveys/{survey.code}/open")
    assert asked.status_code == 200 and get_survey(db, survey.code).status == "draft"
    assert "Người dân sẽ thấy khảo sát này ngay" in asked.get_data(as_text=True)
    assert client.post(f"/manage/surveys/{survey.code}/open", data=CONFIRMED).status_code == 303
    assert get_survey(db, survey.code).status == "open"
    assert "Bà con hài lòng" in app.test_client().get(f"/s/{survey.code}").get_data(as_text=True)

    asked = client.post(f"/manage/surveys/{survey.code}/close")
    assert asked.status_code == 200 and get_survey(db, survey.code).status == "open"
    assert "không nhận thêm ý kiến" in asked.get_data(as_text=True)
    assert client.post(f"/manage/surveys/{survey.code}/close", data=CONFIRMED).status_code == 303
    assert get_survey(db, survey.code).status == "closed"
    closed = app.test_client().post(f"/s/{survey.code}", data={"q_hl": "4"})
    assert closed.status_code == 410

    dates = {"opens_at": "01/03/2030 07:00", "closes_at": "31/3/2030 17h30"}  # as people write
    asked = client.post(f"/manage/surveys/{survey.code}/schedule", data=dates)
    assert "từ 01/03/2030 07:00 đến 31/03/2030 17:30" in asked.get_data(as_text=True)
    assert get_survey(db, survey.code).opens_at is None
    response = client.post(f"/manage/surveys/{survey.code}/schedule", data=dates | CONFIRMED)
    assert response.status_code == 303
    scheduled = get_survey(db, survey.code)
    assert scheduled.status == "open"
    assert scheduled.opens_at == datetime(2030, 3, 1, 0, 0, tzinfo=timezone.utc)
    assert scheduled.closes_at == datetime(2030, 3, 31, 10, 30, tzinfo=timezone.utc)
    page = client.get(f"/manage/surveys/{survey.code}").get_data(as_text=True)
    assert 'value="01/03/2030 07:00"' in page and 'value="31/03/2030 17:30"' in page
    not_yet = app.test_client().get(f"/s/{survey.code}").get_data(as_text=True)
    assert 'name="q_hl"' not in not_yet  # before opens_at the form takes no answers

    backwards = client.post(
        f"/manage/surveys/{survey.code}/schedule",
        data={"opens_at": "2030-03-31T07:00", "closes_at": "2030-03-01T07:00"},
    )  # refused at once: no question asked about dates that cannot be saved
    assert backwards.status_code == 422
    assert "Thời điểm đóng phải sau thời điểm mở" in backwards.get_data(as_text=True)
    garbled = client.post(
        f"/manage/surveys/{survey.code}/schedule", data={"opens_at": "mai", "closes_at": ""}
    )
    assert garbled.status_code == 422 and "mai" in garbled.get_data(as_text=True)
    assert "ví dụ 01/03/2026 07:00" in garbled.get_data(as_text=True)
    impossible = client.post(
        f"/manage/surveys/{survey.code}/schedule", data={"opens_at": "31/02/2030", "closes_at": ""}
    )
    assert impossible.status_code == 422
    whole_day = client.post(
        f"/manage/surveys/{survey.code}/schedule",
        data={"opens_at": "", "closes_at": "31/03/2030"},
    )  # a closing day without a time counts whole
    assert "đến 31/03/2030 23:59" in whole_day.get_data(as_text=True)

    assert client.post(f"/manage/surveys/{survey.code}/open", data=CONFIRMED).status_code == 303
    opened = get_survey(db, survey.code)
    assert opened.opens_at is None and opened.status == "open"  # "open now" clears a later start
    actions = [e.action for e in db.session.scalars(sa.select(AuditLog).order_by(AuditLog.id))]
    assert actions == [
        "survey.open",
        "survey.close",
        "survey.schedule",
        "survey.open",
    ]
    schedule = audit_entries(db, "survey.schedule")[0]
    assert schedule.details["before"]["status"] == "closed"
    assert schedule.details["after"]["opens_at"] == "2030-03-01T00:00:00+00:00"


# --- the public form sees every change at once --------------------------------------------


def test_an_edited_question_shows_on_the_public_form_at_once(make_app):
    from survey.core.extensions import db

    app = make_app(SURVEY_CACHE_SECONDS=3600)  # only the builder's own invalidation helps
    with app.app_context():
        nongdan = make_organization(db, code="nongdan", name="Hội Nông dân")
        make_user(db, username="nongdan", role="org_officer", organization=nongdan)
        survey = make_defined_survey(db, org=nongdan, code="tuoi-moi")
        first_updated = survey.updated_at
        public = app.test_client()
        assert "Góp ý khác" in public.get("/s/tuoi-moi").get_data(as_text=True)
        officer = as_user(app, db, "nongdan")
        data = question_fields(code="gop_y", kind="text", text_vi="Bà con góp ý thêm điều gì?")
        edited = officer.post("/manage/surveys/tuoi-moi/questions/gop_y", data=data)
        assert edited.status_code == 303
        assert get_survey(db, "tuoi-moi").updated_at > first_updated
        page = public.get("/s/tuoi-moi").get_data(as_text=True)
        assert "Bà con góp ý thêm điều gì?" in page and "Góp ý khác" not in page
        assert (
            officer.post(
                "/manage/surveys/tuoi-moi/questions/co_du/move", data={"direction": "up"}
            ).status_code
            == 303
        )
        page = public.get("/s/tuoi-moi").get_data(as_text=True)
        assert page.index('name="q_co_du"') < page.index('name="q_phong_trao"')
        db.session.remove()


# --- load / dump ----------------------------------------------------------------------------


def test_a_builder_made_survey_dumps_and_loads_back_unchanged(app, db, world, runner, tmp_path):
    client = as_user(app, db, "nongdan")
    client.post(
        "/manage/surveys/new",
        data=survey_fields(start="participation", title_vi="", languages=["vi", "en"]),
    )
    url = "/manage/surveys/ks-moi-2026/questions"
    for kind, extra in KIND_FORMS.items():
        data = question_fields(code=f"them_{kind}", kind=kind, text_vi=f"Thêm {kind}") | extra
        data |= {"text_en": f"Added {kind}", "help_vi": "Gợi ý"}
        assert client.post(f"{url}/new", data=data).status_code == 303
    condition = question_fields(
        code="vi_sao", kind="text", text_vi="Vì sao?", show_if_question="them_single"
    ) | {"show_if_values": "a, b"}
    assert client.post(f"{url}/new", data=condition).status_code == 303
    assert client.post(f"{url}/them_nps/move", data={"direction": "up"}).status_code == 303

    dumped = runner.invoke(args=["survey", "dump", "ks-moi-2026"])
    assert dumped.exit_code == 0, dumped.output
    definition = json.loads(dumped.output)
    assert definition["questions"][-1]["show_if"] == {"question": "them_single", "in": ["a", "b"]}
    db.session.execute(sa.delete(AuditLog))
    db.session.delete(get_survey(db, "ks-moi-2026"))
    db.session.commit()
    path = tmp_path / "survey.json"
    path.write_text(dumped.output, encoding="utf-8")
    loaded = runner.invoke(args=["survey", "load", str(path)])
    assert loaded.exit_code == 0, loaded.output
    again = runner.invoke(args=["survey", "dump", "ks-moi-2026"])
    assert json.loads(again.output) == definition
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == len(
        definition["questions"]
    )


def test_a_sheet_typed_once_freezes_the_structure_too(app, db, world):
    from survey.models import PaperEntry

    survey = owned_survey(db, world, status="open")
    db.session.add(PaperEntry(survey_id=survey.id, sheet_no="T1-1", pass_no=1, answers={"hl": 4}))
    db.session.commit()
    client = as_user(app, db, "nongdan")
    response = client.post(f"/manage/surveys/{survey.code}/questions/hl/delete")
    assert response.status_code == 422 and FROZEN in response.get_data(as_text=True)


def test_a_code_taken_meanwhile_is_a_form_error_not_a_500(app, db, world, monkeypatch):
    from survey.surveys import survey_fields as service

    owned_survey(db, world, code="vua-lay")
    monkeypatch.setattr(service, "check_code_free", lambda code: None)  # someone was quicker
    client = as_user(app, db, "nongdan")
    response = client.post("/manage/surveys/new", data=survey_fields(start="blank", code="vua-lay"))
    assert response.status_code == 422
    assert "Mã này đã dùng cho một khảo sát khác" in response.get_data(as_text=True)
    response = client.post(
        "/manage/surveys/new", data=survey_fields(start="participation", code="vua-lay")
    )
    assert response.status_code == 422
    assert "Mã này đã dùng cho một khảo sát khác" in response.get_data(as_text=True)


def test_a_blank_draft_can_be_cloned_and_copied(app, db, world):
    client = as_user(app, db, "nongdan")
    assert client.post("/manage/surveys/new", data=survey_fields(start="blank")).status_code == 303
    cloned = client.post("/manage/surveys/ks-moi-2026/clone", data={"code": "ks-moi-2026-v2"})
    assert cloned.status_code == 303
    copied = client.post(
        "/manage/surveys/new",
        data=survey_fields(start="copy", source="ks-moi-2026", code="ks-2027", year="2027"),
    )
    assert copied.status_code == 303
    assert get_survey(db, "ks-moi-2026-v2").organizations[0].code == "nongdan"
    assert get_survey(db, "ks-2027").title == {"vi": "Khảo sát mới năm 2026"}  # typed title kept
