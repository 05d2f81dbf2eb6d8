"""Exports: the year's workbook, DOCX and HTML report hold the Evaluation JSON's numbers; a
survey's anonymized CSV and XLSX; hidden villages stay hidden; the commands refuse bad input
without leaving a file behind."""

import csv
import io
import json
import re
from datetime import date, datetime
from html.parser import HTMLParser

import docx
import openpyxl
import pytest
import sqlalchemy as sa
from docx.shared import Pt

from analytics.targets import commune_targets
from survey.core.local_time import COMMUNE_TIME
from survey.models import (
    AnnualIndicator,
    FeedbackItem,
    Organization,
    ReceiptCode,
    Response,
    Survey,
)
from survey.ratings.finalization import finalize_year
from survey.ratings.reading import year_document
from survey.reports.docx import report_docx
from survey.reports.html import report_html
from survey.reports.results import survey_results
from survey.reports.workbooks import year_workbook
from survey.reports.year_data import gather_year
from survey.reports.year_report import year_report
from survey.responses import export
from survey.responses.importing import FIXED_COLUMNS
from tests.factories import (
    EVERY_KIND,
    HIDDEN_VILLAGES,
    SURVEYED_VILLAGES,
    make_survey,
    make_surveyed_commune,
    make_user,
)

SUPPRESSED = "—"
VILLAGE_NAMES = {code: name for code, name, _people, _n in SURVEYED_VILLAGES}


@pytest.fixture
def commune(db):
    return make_surveyed_commune(db)


def run(runner, *args):
    result = runner.invoke(args=[str(a) for a in args])
    return result


def vi_number(text):
    """A number as the report prints it in Vietnamese ("1.234,5", "87,6%") -> float."""
    return float(text.rstrip("%").replace(".", "").replace(",", "."))


def docx_tables(document):
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]


def docx_text(document):
    parts = [p.text for p in document.paragraphs]
    for table in docx_tables(document):
        parts += [cell for row in table for cell in row]
    return "\n".join(parts)


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def html_text(page):
    parser = _Text()
    parser.feed(page)
    return " ".join(" ".join(parser.parts).split())


# --- the year's workbook ---------------------------------------------------------------------


def test_the_workbook_holds_the_numbers_of_the_evaluation(runner, db, commune, tmp_path):
    path = tmp_path / "nam-2025.xlsx"
    result = run(runner, "report", "--year", 2025, "--format", "xlsx", "-o", path)
    assert result.exit_code == 0, result.output
    document = year_document(2025)
    nongdan = next(o for o in document["organizations"] if o["org"] == "nongdan")
    satisfaction = next(c for c in nongdan["criteria"] if c["code"] == "satisfaction")
    assert satisfaction["n"] == 70 and satisfaction["status"] != "insufficient"

    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [
        "Tổng hợp",
        "Tiêu chí",
        "Kết quả câu hỏi",
        "Theo thôn",
        "Mục tiêu",
        "Phiếu bất thường",
        "Nhiệm vụ",
    ]
    summary = book["Tổng hợp"]
    assert summary.freeze_panes == "C2"
    assert [c.value for c in summary[1]][:4] == ["STT", "Tổ chức", "Điểm", "Xếp loại"]
    rows = {row[1]: row for row in summary.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {o["name"] for o in document["organizations"]}
    for org in document["organizations"]:
        assert rows[org["name"]][2] == org["score"]
        assert rows[org["name"]][3] == org["tier_label"]
    assert summary["C2"].number_format == "0.0"

    criteria = book["Tiêu chí"]
    assert criteria.freeze_panes == "C2"
    cells = {(row[0], row[1]): row for row in criteria.iter_rows(min_row=2, values_only=True)}
    assert len(next(criteria.iter_rows(values_only=True))) == 14  # no column of codes
    assert len(cells) == sum(len(o["criteria"]) for o in document["organizations"])
    status = {"met": "đạt", "not_met": "chưa đạt", "insufficient": "chưa đủ phiếu"}
    for org in document["organizations"]:
        for c in org["criteria"]:
            row = cells[(org["name"], c["label"])]
            ci = c["ci"] or [None, None]
            assert row[2:10] == (
                c["value"],
                ci[0],
                ci[1],
                c["n"],
                c["n_eff"],
                c["target"],
                c["weight"],
                c["points"],
            )
            assert row[10] == status[c["status"]]
    first = next(criteria.iter_rows(min_row=2, max_row=2))
    assert first[2].number_format == "0.0%" and first[9].number_format == "0.0"

    targets = book["Mục tiêu"]
    verdicts = [row[1] for row in targets.iter_rows(min_row=2, values_only=True)]
    expected = [
        {True: "đạt", False: "chưa đạt", None: "chưa đủ số liệu"}[t.met]
        for t in commune_targets(document)
    ]
    assert verdicts == expected and "chưa đạt" in verdicts


def test_the_question_results_are_those_of_the_results_json(runner, db, commune, tmp_path):
    path = tmp_path / "nam-2025.xlsx"
    assert run(runner, "report", "--year", 2025, "--format", "xlsx", "-o", path).exit_code == 0
    results = survey_results(commune["survey"])
    sheet = openpyxl.load_workbook(path)["Kết quả câu hỏi"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    survey = commune["survey"]
    heading = {q.code: f"Câu {n}. {q.text['vi']}" for n, q in enumerate(survey.questions, 1)}
    assert {r[0] for r in rows} == {survey.title["vi"]}
    hl = [r for r in rows if r[1] == heading["hl"]]
    expected = results["questions"]["hl"]
    assert hl[0][3:10] == (
        expected["n"],
        expected["mean"],
        *expected["ci"],
        expected["top2"],
        *expected["top2_ci"],
    )
    assert {str(r[10]): r[11] for r in hl} == expected["counts"]
    kenh = {r[10]: (r[11], r[12]) for r in rows if r[1] == heading["kenh"]}
    n = results["questions"]["kenh"]["n"]
    assert kenh["Loa thôn"] == (
        results["questions"]["kenh"]["counts"]["loa"],
        results["questions"]["kenh"]["counts"]["loa"] / n,
    )
    free_text = {heading["ly_do"], heading["gop_y"]}
    assert not [r for r in rows if r[1] in free_text]  # free text has no results


# --- hidden villages ---------------------------------------------------------------------------


def _hidden_in_results(survey):
    units = survey_results(survey)["units"]
    return {code for code, unit in units.items() if unit["suppressed"]}


def test_a_village_the_results_json_hides_is_hidden_in_every_export(runner, db, commune, tmp_path):
    survey = commune["survey"]
    assert _hidden_in_results(survey) == set(HIDDEN_VILLAGES)
    paths = {f: tmp_path / f"out.{f}" for f in ("xlsx", "docx", "html")}
    for fmt, path in paths.items():
        assert run(runner, "report", "--year", 2025, "--format", fmt, "-o", path).exit_code == 0
    csv_path, xlsx_path = tmp_path / "phieu.csv", tmp_path / "phieu.xlsx"
    for fmt, path in (("csv", csv_path), ("xlsx", xlsx_path)):
        result = run(runner, "survey", "export", survey.code, "--format", fmt, "-o", path)
        assert result.exit_code == 0, result.output

    # The year's workbook and the survey's: a hidden village's row has no number at all.
    for path in (paths["xlsx"], xlsx_path):
        sheet = openpyxl.load_workbook(path)["Theo thôn"]
        by_village = {}
        for row in sheet.iter_rows(min_row=2, values_only=True):
            by_village.setdefault(row[1], []).append(row)
        assert set(by_village) == {VILLAGE_NAMES[code] for code, *_rest in SURVEYED_VILLAGES}
        for code in HIDDEN_VILLAGES:
            for row in by_village[VILLAGE_NAMES[code]]:
                assert all(value == SUPPRESSED for value in row[2:11]), row
        assert by_village[VILLAGE_NAMES["thon1"]][0][2] == 40

    # The CSV and the responses sheet: no row names a hidden village.
    with open(csv_path, encoding="utf-8-sig", newline="") as f:
        units = [row["unit"] for row in csv.DictReader(f)]
    assert units.count("thon1") == 40 and units.count("thon2") == 20
    assert units.count("") == 2 + 8 and not set(units) & set(HIDDEN_VILLAGES)
    responses = openpyxl.load_workbook(xlsx_path)["Phiếu trả lời"]
    sheet_units = [row[1] for row in responses.iter_rows(min_row=2, values_only=True)]
    by_name = {**{name: code for code, name in VILLAGE_NAMES.items()}, "": ""}
    assert sorted(by_name[u or ""] for u in sheet_units) == sorted(units)

    # The report gives no figure by village: the hidden ones are not even named.
    texts = [
        docx_text(docx.Document(paths["docx"])),
        html_text(paths["html"].read_text(encoding="utf-8")),
    ]
    for text in texts:
        for code in HIDDEN_VILLAGES:
            assert VILLAGE_NAMES[code] not in text


# --- the survey's export -------------------------------------------------------------------------


def _read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def test_the_csv_is_anonymized_and_imports_into_a_copy_of_the_survey(runner, db, commune, tmp_path):
    survey = commune["survey"]
    path = tmp_path / "phieu.csv"
    result = run(runner, "survey", "export", survey.code, "--format", "csv", "-o", path)
    assert result.exit_code == 0, result.output
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads Vietnamese with a BOM
    header, *rows = _read_csv(path)
    assert header == [*FIXED_COLUMNS, *(q["code"] for q in EVERY_KIND)]
    assert len(rows) == 70
    text = path.read_text(encoding="utf-8-sig")
    for receipt in db.session.scalars(sa.select(ReceiptCode.code)):
        assert receipt not in text
    for uid in db.session.scalars(sa.select(Response.submission_uid)):
        assert uid not in text
    assert "web-" not in text  # the ids the phones sent (make_surveyed_commune's)
    ids = [row[0] for row in rows]
    assert len(set(ids)) == 70
    prefixes = {row_id.rsplit("-", 1)[0] for row_id in ids}
    assert len(prefixes) == 1
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", row[2]) for row in rows)
    today = datetime.now(COMMUNE_TIME).date().isoformat()
    assert {row[2] for row in rows} == {today}
    by_column = [dict(zip(header, row, strict=True)) for row in rows]
    assert {r["so_buoi"] for r in by_column} >= {"1.5", "3", ""}
    assert {r["phong_trao"] for r in by_column} == {"ntm|ngheo", "ngheo", ""}

    # A copy of the survey, through its definition, takes the file as it is.
    definition = json.loads(run(runner, "survey", "dump", survey.code).output)
    definition["code"] = "hailong-nongdan-2025-ban-sao"
    definition_path = tmp_path / "ban-sao.json"
    definition_path.write_text(json.dumps(definition, ensure_ascii=False), encoding="utf-8")
    assert run(runner, "survey", "load", definition_path).exit_code == 0
    assert run(runner, "survey", "open", "hailong-nongdan-2025-ban-sao").exit_code == 0
    imported = run(runner, "responses", "import", "hailong-nongdan-2025-ban-sao", path)
    assert imported.exit_code == 0, imported.output
    assert "Imported 70 responses" in imported.output
    again = run(runner, "responses", "import", "hailong-nongdan-2025-ban-sao", path)
    assert "70 were already there" in again.output

    from survey.responses.catalog import survey_by_code

    original = survey_results(survey)
    copy = survey_results(survey_by_code("hailong-nongdan-2025-ban-sao"))
    assert copy["questions"] == original["questions"]
    assert copy["units"]["thon1"] == original["units"]["thon1"]
    assert not set(copy["units"]) & set(HIDDEN_VILLAGES)  # they came back without a village

    # Each export makes its own row ids.
    second = tmp_path / "lan-hai.csv"
    run(runner, "survey", "export", survey.code, "--format", "csv", "-o", second)
    assert not {row[0] for row in _read_csv(second)[1:]} & set(ids)


def test_the_survey_workbook_has_the_same_rows_and_the_results(runner, db, commune, tmp_path):
    survey = commune["survey"]
    csv_path, xlsx_path = tmp_path / "phieu.csv", tmp_path / "phieu.xlsx"
    run(runner, "survey", "export", survey.code, "--format", "csv", "-o", csv_path)
    result = run(runner, "survey", "export", survey.code, "--format", "xlsx", "-o", xlsx_path)
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(xlsx_path)
    assert book.sheetnames == ["Phiếu trả lời", "Kết quả câu hỏi", "Theo thôn"]
    sheet = book["Phiếu trả lời"]
    assert sheet.freeze_panes == "B2"
    header, *rows = list(sheet.iter_rows(values_only=True))
    questions = list(survey.questions)
    assert list(header) == [
        "Dòng",
        "Thôn, làng",
        "Ngày",
        "Hình thức",
        "Ngôn ngữ",
        *(f"Câu {n}. {q.text['vi']}" for n, q in enumerate(questions, 1)),
    ]
    assert len(rows) == 70
    first = next(sheet.iter_rows(min_row=2, max_row=2))
    assert isinstance(first[2].value, datetime) and first[2].number_format == "dd/mm/yyyy"
    hl = [row[5 + questions.index(next(q for q in questions if q.code == "hl"))] for row in rows]
    assert all(isinstance(v, int) for v in hl)
    assert {row[3] for row in rows} == {"Trực tuyến"}

    # The same answers as the CSV, in words, row for row once both are put in the same order.
    def in_words(question, cell):
        labels = {o.code: o.label["vi"] for o in question.options}
        if cell == "":
            return ""
        if question.kind == "multi":
            return "; ".join(labels[code] for code in cell.split("|"))
        if question.kind == "single":
            return labels[cell]
        if question.kind == "yesno":
            return {"1": "Có", "0": "Không"}[cell]
        return cell

    from_csv = sorted(
        tuple(in_words(q, cell) for q, cell in zip(questions, row[5:], strict=True))
        for row in _read_csv(csv_path)[1:]
    )

    def as_text(value):
        if value is None:
            return ""
        if isinstance(value, float):
            return repr(value)
        return str(value)

    from_sheet = sorted(tuple(as_text(v) for v in row[5:]) for row in rows)
    assert from_sheet == from_csv
    assert any("; " in cell for row in from_sheet for cell in row)  # a multi answer in words


def test_the_export_reads_responses_a_page_at_a_time(db, commune, monkeypatch):
    monkeypatch.setattr(export, "CHUNK", 7)
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        rows = list(export.response_rows(commune["survey"]))
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert len(rows) == 1 + 70 and len({row[0] for row in rows[1:]}) == 70
    pages = [s for s in statements if "FROM response" in s and "submission_uid >" in s]
    assert len(pages) == 70 // 7 + 1  # ten full pages, then an empty one
    assert all("LIMIT" in s for s in pages)
    answers = [s for s in statements if "FROM answer" in s]
    assert len(answers) == 10


# --- the report ------------------------------------------------------------------------------


def _org_tables(document):
    """The criteria table of each organization, in order, as lists of row texts."""
    return [t for t in docx_tables(document) if t[0][0] == "Tiêu chí"]


def test_the_docx_report_holds_the_ratings_in_administrative_style(runner, db, commune, tmp_path):
    path = tmp_path / "bao-cao.docx"
    result = run(runner, "report", "--year", 2025, "--format", "docx", "-o", path)
    assert result.exit_code == 0, result.output
    document = year_document(2025)
    report = docx.Document(path)

    section = report.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    normal = report.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size == Pt(13)
    left, right = report.tables[0].rows[0].cells
    assert [p.text for p in left.paragraphs][:2] == ["ĐẢNG ỦY XÃ HÀ TAM", "*"]
    assert left.paragraphs[0].runs[0].bold
    party = right.paragraphs[0].runs[0]
    assert party.text == "ĐẢNG CỘNG SẢN VIỆT NAM" and party.bold and party.underline
    assert re.fullmatch(r"Hà Tam, ngày \d{2} tháng \d{1,2} năm \d{4}", right.paragraphs[-1].text)
    title = [p for p in report.paragraphs if p.text == "BÁO CÁO"][0]
    texts = [p.text for p in report.paragraphs]
    subtitle = report.paragraphs[texts.index("BÁO CÁO") + 1]
    assert subtitle.text == (
        "Kết quả khảo sát, đánh giá, xếp loại chất lượng hoạt động của Mặt trận Tổ quốc và "
        "các tổ chức chính trị - xã hội năm 2025"
    )
    assert title.runs[0].bold and subtitle.runs[0].bold
    assert title.alignment == subtitle.alignment == 1  # centred

    summary = next(t for t in docx_tables(report) if t[0][0] == "STT")
    rows = {row[1]: row for row in summary[1:]}
    for org in document["organizations"]:
        assert vi_number(rows[org["name"]][2]) == pytest.approx(org["score"], abs=0.05)
        assert rows[org["name"]][3] == org["tier_label"]

    tables = _org_tables(report)
    assert len(tables) == len(document["organizations"])
    for org, table in zip(document["organizations"], tables, strict=True):
        assert len(table) == 1 + len(org["criteria"])
        for c, row in zip(org["criteria"], table[1:], strict=True):
            assert row[0].startswith(c["label"])
            if c["value"] is None:
                assert row[1] == "–"
            else:
                assert vi_number(row[1]) == pytest.approx(100 * c["value"], abs=0.05)
            if c["ci"]:
                low, high = row[2].split("–")
                assert vi_number(low) == pytest.approx(100 * c["ci"][0], abs=0.05)
                assert vi_number(high) == pytest.approx(100 * c["ci"][1], abs=0.05)
            points, weight = row[5].split("/")
            assert vi_number(points) == pytest.approx(c["points"], abs=0.05)
            assert vi_number(weight) == pytest.approx(c["weight"], abs=0.05)
        paragraphs = [p.text for p in report.paragraphs]
        for note in org["notes"]:
            assert f"- {note}" in paragraphs
        standing = f"Xếp loại: {org['tier_label']}."
        assert any(standing in p for p in paragraphs)

    text = docx_text(report)
    # Strengths and limitations from the criteria: nongdan's new members above target,
    # phunu's below it.
    assert re.search(r"- Phát triển hội viên, đoàn viên so với chỉ tiêu: đạt 140%, vượt chỉ", text)
    assert "- Phát triển hội viên, đoàn viên so với chỉ tiêu: mới đạt 50% so với chỉ tiêu" in text
    # Feedback themes: the topics of nongdan's feedback this year, counted.
    counts = dict(
        db.session.execute(
            sa.select(FeedbackItem.topic, sa.func.count()).group_by(FeedbackItem.topic)
        ).all()
    )
    nongdan_table = next(t for t in docx_tables(report) if t[0][0] == "Lĩnh vực")
    themes = {row[0]: int(row[1]) for row in nongdan_table[1:]}
    assert themes == {
        "Hạ tầng, môi trường": counts["infrastructure"],
        "Sinh kế, sản xuất": counts["livelihood"],
        "Chưa phân loại": counts[None],
    }
    targets = commune_targets(document)
    met = sum(1 for t in targets if t.met is True)
    assert f"Đạt {met}/{len(targets)} mục tiêu chủ yếu của Nghị quyết" in text
    # The appendix: the survey and its sample, the threshold, the weighting.
    title = db.session.scalar(sa.select(Survey.title).where(Survey.code == "hailong-nongdan-2025"))
    appendix = next(
        t for t in docx_tables(report) if t[0][:2] == ["Cuộc khảo sát", "Đối tượng trả lời"]
    )
    assert appendix[1][0] == title["vi"] and appendix[1][-1] == "70"  # a name, not a code
    assert "dưới 5 người trả lời" in text and "n_eff = (Σw)² / Σw²" in text
    # Seventy answers in a few seconds: a burst, whose hidden village is not named.
    flags = next(t for t in docx_tables(report) if t[0][:2] == ["Cuộc khảo sát", "Dấu hiệu"])
    (burst,) = year_document(2025, with_integrity=True)["integrity"]
    # The Evaluation JSON itself names no hidden village (None in its place).
    assert burst["kind"] == "burst" and None in burst["units"]
    assert not set(burst["units"]) & set(HIDDEN_VILLAGES)
    assert flags[1] == [
        title["vi"],
        "rất nhiều phiếu của một thôn trong mười phút",
        str(burst["responses"]),
        ", ".join(SUPPRESSED if u is None else VILLAGE_NAMES[u] for u in burst["units"]),
    ]


def test_the_html_report_holds_the_same_text_as_the_docx(app, db, commune):
    data = gather_year(2025, today=date(2026, 1, 5))
    report = year_report(data)
    assert report.place_date == "Hà Tam, ngày 05 tháng 01 năm 2026"
    word = docx_text(docx.Document(io.BytesIO(report_docx(report))))
    page = report_html(report)
    printed = html_text(page)
    assert "size: A4" in page and "<script" not in page
    pieces = [report.title, report.subtitle, report.place_date, *report.issuer]
    for block in report.body:
        if block.kind in ("heading", "paragraph"):
            pieces.append(block.text)
        elif block.kind == "bullets":
            pieces.extend(block.items)
        else:
            pieces.extend(block.header)
            pieces.extend(cell for row in block.rows for cell in row if cell)
    assert len(pieces) > 200
    for piece in pieces:
        normalized = " ".join(piece.split())
        assert normalized in " ".join(word.split()), piece
        assert normalized in printed, piece


def test_finalized_ratings_say_so_with_their_date_and_later_changes(runner, db, commune, tmp_path):
    committee = make_user(db, username="thuongtruc", role="committee")
    finalize_year(2025, committee)
    db.session.commit()
    figures = db.session.scalar(
        sa.select(AnnualIndicator).join(Organization).where(Organization.code == "phunu")
    )
    figures.activities_held = 12
    db.session.commit()
    docx_path, xlsx_path = tmp_path / "bao-cao.docx", tmp_path / "bang.xlsx"
    assert run(runner, "report", "--year", 2025, "--format", "docx", "-o", docx_path).exit_code == 0
    assert run(runner, "report", "--year", 2025, "--format", "xlsx", "-o", xlsx_path).exit_code == 0
    day = datetime.now(COMMUNE_TIME).date()
    paragraphs = [p.text for p in docx.Document(docx_path).paragraphs]
    finalized = (
        f"Kết quả xếp loại đã được Ban Thường vụ Đảng ủy chốt ngày {day.strftime('%d/%m/%Y')}."
    )
    assert paragraphs.count(finalized) == 2
    changed = [i for i, p in enumerate(paragraphs) if p.startswith("Số liệu đã thay đổi sau")]
    phunu_heading = paragraphs.index("2. Hội Liên hiệp Phụ nữ xã")
    assert len(changed) == 1 and changed[0] > phunu_heading
    rows = {
        row[1]: row
        for row in openpyxl.load_workbook(xlsx_path)["Tổng hợp"].iter_rows(
            min_row=2, values_only=True
        )
    }
    assert rows["Hội Liên hiệp Phụ nữ xã"][6:9] == (
        "có",
        datetime.combine(day, datetime.min.time()),
        "có",
    )
    assert rows["Hội Nông dân xã"][8] is None


# --- refusals --------------------------------------------------------------------------------


def test_the_commands_refuse_bad_input_precisely_and_write_nothing(runner, db, commune, tmp_path):
    survey = commune["survey"]
    folder = tmp_path / "files"
    folder.mkdir()
    out = folder / "out.csv"
    unknown = run(runner, "survey", "export", "khong-co", "--format", "csv", "-o", out)
    assert unknown.exit_code == 1 and "no survey with code 'khong-co'" in unknown.output
    bad_format = run(runner, "survey", "export", survey.code, "--format", "pdf", "-o", out)
    assert bad_format.exit_code == 2
    assert "Invalid value for '--format': 'pdf' is not one of 'csv', 'xlsx'" in bad_format.output
    assert not out.exists()

    kept = folder / "bao-cao.docx"
    kept.write_text("an earlier report", encoding="utf-8")
    empty_year = run(runner, "report", "--year", 2019, "--format", "docx", "-o", kept)
    assert empty_year.exit_code == 1
    assert (
        "--year 2019: no surveys, annual figures or finalized ratings for this year; "
        "nothing written" in empty_year.output
    )
    assert kept.read_text(encoding="utf-8") == "an earlier report"
    make_survey(db, [{"code": "hl", "kind": "likert5"}], code="nhap-2030", year=2030)
    db.session.commit()
    drafts_only = run(runner, "report", "--year", 2030, "--format", "html", "-o", folder / "x")
    assert drafts_only.exit_code == 1 and "--year 2030: no surveys" in drafts_only.output
    pdf = run(runner, "report", "--year", 2025, "--format", "pdf", "-o", folder / "x.pdf")
    assert pdf.exit_code == 2
    assert "'pdf' is not one of 'docx', 'xlsx', 'html'" in pdf.output
    nowhere = folder / "khong-co-thu-muc" / "bao-cao.docx"
    no_folder = run(runner, "report", "--year", 2025, "--format", "docx", "-o", nowhere)
    assert no_folder.exit_code == 1 and f"{nowhere}: No such file or directory" in no_folder.output
    assert sorted(p.name for p in folder.iterdir()) == ["bao-cao.docx"]


def test_a_flag_about_hidden_villages_only_shows_no_count(app, db, commune):
    from dataclasses import replace

    from survey.reports.year_data import integrity_rows

    data = gather_year(2025)
    flags = [
        {
            "survey": "hailong-nongdan-2025",
            "kind": "burst",
            "responses": 6,
            "groups": 1,
            "units": ["thon3"],
        },
        {
            "survey": "hailong-nongdan-2025",
            "kind": "burst",
            "responses": 30,
            "groups": 2,
            "units": ["thon1", "kdung"],
        },
        {
            "survey": "hailong-nongdan-2025",
            "kind": "duplicate",
            "responses": 4,
            "groups": 2,
            "units": [],
        },
    ]
    data = replace(data, document={**data.document, "integrity": flags})
    rows = integrity_rows(data)
    assert [(r.responses, r.villages) for r in rows] == [
        (None, (SUPPRESSED,)),
        (30, ("Thôn Một", SUPPRESSED)),
        (4, ()),
    ]
    sheet = openpyxl.load_workbook(io.BytesIO(year_workbook(data)))["Phiếu bất thường"]
    assert [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)] == [SUPPRESSED, 30, 4]
