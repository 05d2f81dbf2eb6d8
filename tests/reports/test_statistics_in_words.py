"""Statistics in plain words: the interval and effective n explained in a line, p-values and
test names kept in a closed "Chi tiết thống kê", a yes/no question read as its share of "Có",
and the cap on excellent ratings said without "(năm nay tối đa 0)"."""

import re

from analytics.rating import Note
from analytics.report import note_text
from survey.models import Setting
from tests.factories import (
    COUNTING_FLAGGED,
    make_indicator,
    make_organization,
    make_survey,
    make_unit,
    make_user,
    submit_and_commit,
)

PASSWORD = "a-long-password"
QUESTIONS = [
    {"code": "hl", "kind": "likert5", "criterion": "satisfaction", "text": {"vi": "Hài lòng?"}},
    {"code": "du_hop", "kind": "yesno", "text": {"vi": "Có dự họp không?"}},
]


def commune(db):
    """Two years of one survey about one organization, answered in one village."""
    org = make_organization(db, code="nongdan", name="Hội Nông dân xã")
    unit = make_unit(db, code="thon1", name="Thôn 1", adult_population=300)
    make_user(db, username="thuongtruc", role="committee", password=PASSWORD)
    # Forty answers sent in a moment look like bursts: these pages are about the words, so the
    # rule set counts the flagged responses.
    db.session.add(Setting(key="RULES_TOML", value=COUNTING_FLAGGED))
    for year, satisfied in ((2024, 4), (2025, 16)):
        make_indicator(db, org, year=year)
        survey = make_survey(db, QUESTIONS, code=f"hl-{year}", status="open", year=year)
        survey.organizations.append(org)
        db.session.commit()
        for n in range(20):
            answers = {"hl": 5 if n < satisfied else 2, "du_hop": 1 if n < 15 else 0}
            submit_and_commit(survey, answers, submission_uid=f"{year}-{n}", unit_id=unit.id)
    return org


def outside_details(html):
    return re.sub(r"<details(?![^>]*\bopen\b)[^>]*>.*?</details>", " ", html, flags=re.S)


def test_the_ratings_page_explains_its_interval_and_effective_n(client, db, login):
    commune(db)
    login("thuongtruc", PASSWORD)
    html = client.get("/manage/ratings/2025").get_data(as_text=True)
    assert "n hiệu dụng" in html and "<sub>eff</sub>" not in html and "n_eff" not in html
    assert "Khoảng tin cậy 95%: nếu hỏi được tất cả mọi người" in html


def test_p_values_and_test_names_wait_in_a_closed_detail(client, db, login):
    commune(db)
    login("thuongtruc", PASSWORD)
    html = client.get("/dashboard/org/nongdan?year=2025").get_data(as_text=True)
    shown = outside_details(html)
    assert "Mann-Whitney" not in shown and "p (" not in shown
    assert "thay đổi thật, không phải ngẫu nhiên" in shown  # 20% -> 80% satisfied
    assert "Chi tiết thống kê" in html and "Mann-Whitney" in html


def test_a_yes_no_question_reads_as_its_share_of_yes(client, db, login):
    commune(db)
    login("thuongtruc", PASSWORD)
    html = client.get("/dashboard/survey/hl-2025").get_data(as_text=True)
    row = re.search(r"Có dự họp không\?</td>(.*?)</tr>", html, re.S).group(1)
    assert "Có: 75%" in row and "0,75" not in row


def test_the_cap_is_said_in_words_when_no_one_can_be_excellent():
    params = {"share": 0.2, "good": 4, "exact": 0.8, "rounding": "down", "kept": []}
    none = note_text(Note("capped", params | {"allowed": 0}))
    assert "không tổ chức nào được xếp xuất sắc" in none and "tối đa 0" not in none
    assert "20% của 4 tổ chức là 0,8, làm tròn xuống thành 0" in none
    one = note_text(Note("capped", params | {"good": 5, "exact": 1.0, "allowed": 1, "kept": ["A"]}))
    assert "là 1, làm tròn xuống thành 1, và 1 suất đó thuộc các tổ chức điểm cao hơn (A)" in one
