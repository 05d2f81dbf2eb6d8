"""What a person notices on the public side and the sign-in page: the landing page says how
many questions a survey has and leads to the replies and to a receipt check; /r/ has a box for
the code; the form's list of what to fix names the questions; the form calls the person one
way throughout; the sign-in page says what to do about a forgotten password."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from tests.factories import make_defined_survey, make_organization

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = [
    {"code": "hl", "kind": "likert5", "required": True, "text": {"vi": "Bà con hài lòng không?"}},
    {"code": "co", "kind": "yesno", "required": True, "text": {"vi": "Có dự họp thôn không?"}},
    {"code": "y", "kind": "text", "text": {"vi": "Góp ý thêm"}},
]


@pytest.fixture
def survey(db):
    return make_defined_survey(db, questions=QUESTIONS, org=make_organization(db))


def test_the_landing_page_counts_questions_and_leads_to_replies_and_receipts(client, survey):
    html = client.get("/").get_data(as_text=True)
    card = html[html.index(f'href="/s/{survey.code}"') :]
    assert "3 câu hỏi" in card[: card.index("</a>")]
    assert 'href="/feedback"' in html and 'href="/r/"' in html


def test_a_receipt_code_can_be_typed_in(client, survey):
    page = client.get("/r/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'name="code"' in html and "Kiểm tra mã biên nhận" in html
    typed = client.get("/r/?code=ab cd 2345")
    assert typed.status_code == 303 and typed.headers["Location"].endswith("/r/ABCD2345")
    unknown = client.get("/r/ABCD2345")
    assert unknown.status_code == 404 and 'name="code"' in unknown.get_data(as_text=True)


def test_the_list_of_what_to_fix_names_the_questions(client, survey):
    form = client.get(f"/s/{survey.code}").get_data(as_text=True)
    assert 'action="#form-errors"' in form
    sent = client.post(
        f"/s/{survey.code}",
        data={
            "submission_uid": re.search(r'name="submission_uid"[^>]*value="([^"]+)"', form)[1],
            "q_hl": "4",  # the second question is left out
        },
    )
    html = sent.get_data(as_text=True)
    assert sent.status_code == 422
    summary = html[html.index('id="form-errors"') : html.index("</ul>", html.index("form-errors"))]
    assert 'href="#q-co"' in summary and "Có dự họp thôn không?" in summary
    assert "Bà con hài lòng không?" not in summary


def public_form_texts():
    """The interface texts of the public form's templates (what a citizen reads)."""
    folder = str(ROOT / "templates")
    texts = set()
    for _path, _line, message, _comments, _context in extract_from_dir(
        folder,
        method_map=[("take/**.html", "jinja2")],
        options_map={"take/**.html": {"extensions": "jinja2.ext.i18n"}},
    ):
        texts.add(message if isinstance(message, str) else message[0])
    return texts


def test_the_form_calls_the_person_one_way(app):
    """The form says "bà con" (the village's own word for its people), never "bạn"."""
    with (ROOT / "survey/translations/vi/LC_MESSAGES/messages.po").open("rb") as f:
        catalog = read_po(f)
    texts = public_form_texts()
    assert len(texts) > 20
    said = {
        m.id if isinstance(m.id, str) else m.id[0]: m.string
        if isinstance(m.string, str)
        else m.string[0]
        for m in catalog
        if m.id
    }
    calling = {text: said[text] for text in texts if text in said}
    assert any("bà con" in vi.lower() for vi in calling.values())
    assert [text for text, vi in calling.items() if re.search(r"\bbạn\b", vi.lower())] == []


def test_the_sign_in_page_says_what_to_do_about_a_forgotten_password(client):
    html = client.get("/login").get_data(as_text=True)
    assert "Quên mật khẩu?" in html and "Văn phòng Đảng ủy" in html
