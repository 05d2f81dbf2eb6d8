"""The yearly report on carrying out the resolution: its targets and tasks with the same numbers
as the Evaluation JSON and the task and dialogue records, as DOCX, HTML and a download."""

import html
import io
import json
from datetime import date

import docx
import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from survey.core.extensions import db as _db
from survey.models import Dialogue, DialogueIssue, Programme, Task
from survey.reports.report_text import as_percent
from tests.test_route_access import sign_in_quickly


@pytest.fixture
def demo(app, runner):
    result = runner.invoke(args=["seed-demo", "--responses", "600"])
    assert result.exit_code == 0, result.output
    return runner


def read_docx(content):
    document = docx.Document(io.BytesIO(content))
    paragraphs = [p.text for p in document.paragraphs]
    tables = [
        [[cell.text for cell in row.cells] for row in table.rows] for table in document.tables
    ]
    return paragraphs, tables


def written(runner, tmp_path, fmt):
    out = tmp_path / f"res.{fmt}"
    result = runner.invoke(
        args=["report", "--year", "2025", "--kind", "resolution", "--format", fmt, "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def evaluation(runner):
    result = runner.invoke(args=["evaluate", "--year", "2025", "--format", "json"])
    return json.loads(result.output)


def test_targets_hold_the_numbers_of_the_evaluation_json(app, demo, tmp_path):
    paragraphs, tables = read_docx(written(demo, tmp_path, "docx"))
    assert "I. KẾT QUẢ THỰC HIỆN CÁC MỤC TIÊU CHỦ YẾU (MỤC II.2.2)" in paragraphs
    document = evaluation(demo)
    by_name = {o["name"]: o for o in document["organizations"]}
    # The tables of the five targets come first after the letterhead, one row per organization.
    targets = [t for t in tables if t[0][:2] == ["Tổ chức", "Đạt được"]]
    assert [t[0] for t in targets] == [["Tổ chức", "Đạt được", "Đánh giá"]] * 5
    with app.test_request_context(), force_locale("vi"):
        for table, code in zip(
            targets[1:], ("member_development", "attendance", "meetings", "campaigns"), strict=True
        ):
            for name, achieved, _verdict in table[1:]:
                value = {c["code"]: c for c in by_name[name]["criteria"]}[code]["value"]
                assert achieved == as_percent(value), (code, name)
    tiers = {row[0]: row[1] for row in targets[0][1:]}
    assert tiers == {name: o["tier_label"] for name, o in by_name.items()}


def test_task_six_counts_the_programmes_tasks_and_task_five_the_dialogues(app, demo, tmp_path):
    paragraphs, tables = read_docx(written(demo, tmp_path, "docx"))
    assert sum(p.startswith("Nhiệm vụ ") for p in paragraphs) >= 7
    programmes = next(t for t in tables if t[0][0] == "Chương trình")
    rows = {row[0]: row[1:] for row in programmes[1:]}
    today = date.today()
    for programme in _db.session.scalars(sa.select(Programme).where(Programme.year == 2025)):
        kept = [t for t in programme.tasks if t.status != "cancelled"]
        done = [t for t in kept if t.status == "done"]
        late = sum(t.done_on > t.due_on for t in done)
        overdue = sum(t.status != "done" and t.due_on < today for t in kept)
        expected = [str(len(kept)), str(len(done) - late), str(late), str(overdue)]
        assert rows[programme.title][:4] == expected, programme.title
    dialogues = next(t for t in tables if t[0][0] == "Tổ chức" and t[0][1].startswith("Đã tổ"))
    meetings = _db.session.scalars(
        sa.select(Dialogue).where(Dialogue.held_on.between(date(2025, 1, 1), date(2025, 12, 31)))
    ).all()
    held = sum(m.held for m in meetings)
    issues = _db.session.scalar(
        sa.select(sa.func.count())
        .select_from(DialogueIssue)
        .join(Dialogue)
        .where(Dialogue.held_on >= date(2025, 1, 1), Dialogue.held_on <= date(2025, 12, 31))
    )
    assert sum(int(row[1].split("/")[0]) for row in dialogues[1:]) == held
    assert sum(int(row[1].split("/")[1]) for row in dialogues[1:]) == len(meetings)
    assert sum(int(row[2]) for row in dialogues[1:]) == issues


def test_the_slipping_organization_misses_task_six_and_its_open_tasks_are_proposed(
    app, demo, tmp_path
):
    paragraphs, _tables = read_docx(written(demo, tmp_path, "docx"))
    document = evaluation(demo)
    missed = [
        o["name"]
        for o in document["organizations"]
        if {c["code"]: c for c in o["conditions"]}["tasks_on_time"]["met"] is False
    ]
    assert missed == ["Hội Nông dân xã"]
    six = paragraphs.index(next(p for p in paragraphs if p.startswith("Nhiệm vụ 6:")))
    verdict = next(p for p in paragraphs[six:] if p.startswith("Đánh giá:"))
    assert verdict == "Đánh giá: chưa đạt (chưa đạt: Hội Nông dân xã)."
    assert "III. ĐỀ XUẤT NHIỆM VỤ NĂM 2026" in paragraphs
    open_tasks = _db.session.scalars(
        sa.select(Task).where(Task.status == "in_progress", Task.due_on <= date(2025, 12, 31))
    ).all()
    assert open_tasks
    for task in open_tasks:
        finish = f"- Hoàn thành dứt điểm nhiệm vụ “{task.title}”"
        assert any(p.startswith(finish) for p in paragraphs), task.title


def test_the_html_holds_the_same_report(app, demo, tmp_path):
    paragraphs, _tables = read_docx(written(demo, tmp_path, "docx"))
    page = written(demo, tmp_path, "html").decode()
    for text in paragraphs:
        text = text.removeprefix("- ")  # the DOCX's bullets are the HTML's list items
        if text.strip():
            assert html.escape(text, quote=False) in page, text


def test_no_workbook_for_the_resolution_and_nothing_written(demo, tmp_path):
    out = tmp_path / "res.xlsx"
    result = demo.invoke(
        args=[
            "report",
            "--year",
            "2025",
            "--kind",
            "resolution",
            "--format",
            "xlsx",
            "-o",
            str(out),
        ]
    )
    assert result.exit_code != 0 and "docx or html" in result.output
    assert not out.exists()


def test_the_readers_download_it_and_an_officer_may_not(app, db, demo):
    from survey.models import Organization
    from tests.factories import make_user

    farmers = db.session.scalar(sa.select(Organization).where(Organization.code == "nongdan"))
    make_user(db, username="reader", role="committee")
    make_user(db, username="officer", role="org_officer", organization=farmers)
    db.session.commit()
    client = app.test_client()
    sign_in_quickly(client, db, "reader")
    response = client.get("/dashboard/report/2025/resolution.docx")
    assert response.status_code == 200
    assert "bao-cao-thuc-hien-nghi-quyet-2025.docx" in response.headers["Content-Disposition"]
    paragraphs, _tables = read_docx(response.data)
    assert any(p.startswith("Nhiệm vụ 7:") for p in paragraphs)
    page = client.get("/dashboard/report/2025/resolution.html")
    assert page.status_code == 200 and "Nhiệm vụ 6:" in page.get_data(as_text=True)
    other = app.test_client()
    sign_in_quickly(other, db, "officer")
    assert other.get("/dashboard/report/2025/resolution.docx").status_code == 403


def test_every_task_with_its_evidence_and_verdict_from_the_evaluation_json(app, demo, tmp_path):
    from analytics import resolution_tasks

    paragraphs, tables = read_docx(written(demo, tmp_path, "docx"))
    document = evaluation(demo)
    names = {o["org"]: o["name"] for o in document["organizations"]}
    tasks = resolution_tasks(document)
    assert [t.number for t in tasks] == [1, 2, 3, 4, 5, 6, 7]
    evidence = iter(t for t in tables if t[0][:3] == ["Tổ chức", "Căn cứ", "Đạt được"])
    with app.test_request_context(), force_locale("vi"):
        for task in tasks:
            heading = f"Nhiệm vụ {task.number}: {task.label_vi}"
            assert paragraphs.count(heading) == 1, heading
            start = paragraphs.index(heading)
            verdict = next(p for p in paragraphs[start:] if p.startswith("Đánh giá:"))
            assert verdict == _expected_verdict(task, names), task.number
            if not (task.criteria or task.conditions):
                continue
            rows = [tuple(row[:4]) for row in next(evidence)[1:]]
            assert rows == _expected_evidence(document, task), task.number
    assert next(evidence, None) is None  # no table beyond the tasks'


def _expected_verdict(task, names):
    if task.met is True:
        return "Đánh giá: đạt ở tất cả các tổ chức."
    who = []
    if task.missed:
        who.append("chưa đạt: " + ", ".join(names[c] for c in task.missed))
    if task.unknown:
        who.append("chưa có số liệu: " + ", ".join(names[c] for c in task.unknown))
    word = "chưa đạt" if task.met is False else "chưa đủ căn cứ"
    return f"Đánh giá: {word} ({'; '.join(who)})."


def _expected_evidence(document, task):
    """(organization, evidence, achieved, interval) of each criterion and condition of `task`,
    as the Evaluation JSON gives them."""
    from survey.reports.report_text import DASH, as_interval

    rows = []
    for org in document["organizations"]:
        criteria = {c["code"]: c for c in org["criteria"]}
        conditions = {c["code"]: c for c in org["conditions"]}
        for code in task.criteria:
            if code in criteria:
                c = criteria[code]
                rows.append((org["name"], c["label"], as_percent(c["value"]), as_interval(c["ci"])))
        for code in task.conditions:
            if code in conditions:
                c = conditions[code]
                rows.append((org["name"], c["label"], as_percent(c["value"]), DASH))
    return rows
