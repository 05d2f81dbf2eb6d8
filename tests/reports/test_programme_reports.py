"""The year's programmes in the year's workbook (sheet "Nhiệm vụ") and in the year-end report
(a section per programme), read back from the files `flask report` writes."""

from datetime import date

import docx
import openpyxl
import pytest

from survey.models import TaskEvidence
from tests.factories import make_surveyed_commune
from tests.programmes.world import make_programme, make_task
from tests.reports.test_exports import docx_tables, run


@pytest.fixture
def commune(db):
    made = make_surveyed_commune(db)
    nongdan, phunu = made["nongdan"], made["phunu"]
    poverty = make_programme(db, "Giảm nghèo", 2025, topic="Giảm nghèo bền vững")
    roads = make_programme(db, "Đường giao thông", 2025)
    training = make_task(
        db,
        nongdan,
        date(2025, 6, 30),
        poverty,
        title="Tập huấn kỹ thuật",
        done_on=date(2025, 6, 28),
    )
    make_task(
        db,
        phunu,
        date(2025, 5, 31),
        poverty,
        title="Vay vốn hộ nghèo",
        owner="Nguyễn Thị Mai",
        done_on=date(2025, 6, 2),
    )
    make_task(db, phunu, date(2025, 9, 30), poverty, title="Sửa kênh", status="in_progress")
    make_task(
        db, nongdan, date(2025, 10, 30), poverty, title="Hội thi", status="cancelled", note="Bão"
    )
    make_task(db, nongdan, date(2099, 1, 1), roads, title="Làm đường")
    for n in (1, 2):
        db.session.add(
            TaskEvidence(
                task=training,
                stored_name=f"e{n}",
                filename=f"anh-{n}.jpg",
                content_type="image/jpeg",
                size=100,
            )
        )
    db.session.commit()
    return made


def test_the_workbook_lists_every_task_in_words(runner, db, commune, tmp_path):
    path = tmp_path / "nam-2025.xlsx"
    result = run(runner, "report", "--year", 2025, "--format", "xlsx", "-o", path)
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(path)["Nhiệm vụ"]
    assert [c.value for c in sheet[1]] == [
        "Chương trình",
        "Tổ chức",
        "Nhiệm vụ",
        "Người phụ trách",
        "Hạn hoàn thành",
        "Trạng thái",
        "Ngày hoàn thành",
        "Đúng hạn",
    ]
    rows = [tuple(c.value for c in row) for row in sheet.iter_rows(min_row=2) if row[0].value]
    day = lambda y, m, d: date(y, m, d).isoformat()  # noqa: E731
    as_read = [
        tuple(v.date().isoformat() if hasattr(v, "date") else v for v in row) for row in rows
    ]
    assert as_read == [
        ("Giảm nghèo", "Hội Liên hiệp Phụ nữ xã", "Vay vốn hộ nghèo", "Nguyễn Thị Mai",
         day(2025, 5, 31), "Đã hoàn thành", day(2025, 6, 2), "Không"),
        ("Giảm nghèo", "Hội Nông dân xã", "Tập huấn kỹ thuật", "Phạm Văn Thành",
         day(2025, 6, 30), "Đã hoàn thành", day(2025, 6, 28), "Có"),
        ("Giảm nghèo", "Hội Liên hiệp Phụ nữ xã", "Sửa kênh", "Phạm Văn Thành",
         day(2025, 9, 30), "Đang thực hiện", None, "Không"),
        ("Giảm nghèo", "Hội Nông dân xã", "Hội thi", "Phạm Văn Thành",
         day(2025, 10, 30), "Đã hủy", None, None),
        ("Đường giao thông", "Hội Nông dân xã", "Làm đường", "Phạm Văn Thành",
         day(2099, 1, 1), "Chưa thực hiện", None, None),
    ]  # fmt: skip
    assert sheet["E2"].number_format == "dd/mm/yyyy"
    assert sheet.freeze_panes == "B2"


def test_the_report_has_a_section_per_programme(runner, db, commune, tmp_path):
    path = tmp_path / "bao-cao.docx"
    result = run(runner, "report", "--year", 2025, "--format", "docx", "-o", path)
    assert result.exit_code == 0, result.output
    report = docx.Document(path)
    texts = [p.text for p in report.paragraphs]
    start = texts.index("IV. CÁC CHƯƠNG TRÌNH PHỐI HỢP")
    # after the report's own parts, before the method's appendix
    assert texts.index("PHỤ LỤC: PHƯƠNG PHÁP KHẢO SÁT, ĐÁNH GIÁ") > start
    assert texts.index("III. THỰC HIỆN CÁC MỤC TIÊU CỦA NGHỊ QUYẾT") < start
    poverty = texts.index("1. Giảm nghèo")
    roads = texts.index("2. Đường giao thông")
    assert texts[poverty + 1 : poverty + 8] == [
        "Chuyên đề: Giảm nghèo bền vững",
        "- Số nhiệm vụ: 4.",
        "- Hoàn thành đúng hạn: 1.",
        "- Hoàn thành trễ hạn: 1.",
        "- Chưa hoàn thành: 1, trong đó đã quá hạn: 1.",
        "- Đã hủy: 1.",
        "- Tệp minh chứng: 2.",
    ]
    assert "- Chưa hoàn thành: 1, trong đó đã quá hạn: 0." in texts[roads:]
    tables = [t for t in docx_tables(report) if t[0][0] == "Nhiệm vụ"]
    assert len(tables) == 2
    assert tables[0][0] == [
        "Nhiệm vụ",
        "Tổ chức",
        "Người phụ trách",
        "Hạn hoàn thành",
        "Trạng thái",
        "Ngày hoàn thành",
        "Tệp minh chứng",
    ]
    rows = {row[0]: row[1:] for row in tables[0][1:]}
    assert rows["Tập huấn kỹ thuật"] == [
        "Hội Nông dân xã",
        "Phạm Văn Thành",
        "30/06/2025",
        "Đã hoàn thành",
        "28/06/2025",
        "2",
    ]
    assert rows["Vay vốn hộ nghèo"][3] == "Đã hoàn thành (trễ hạn)"
    assert rows["Sửa kênh"][3:5] == ["Đang thực hiện (quá hạn)", "–"]
    assert [row[0] for row in tables[1][1:]] == ["Làm đường"]


def test_a_year_without_programmes_has_no_such_section_nor_rows(runner, db, tmp_path):
    make_surveyed_commune(db)
    path = tmp_path / "bao-cao.docx"
    assert run(runner, "report", "--year", 2025, "--format", "docx", "-o", path).exit_code == 0
    assert not any("CHƯƠNG TRÌNH PHỐI HỢP" in p.text for p in docx.Document(path).paragraphs)
    book = tmp_path / "nam-2025.xlsx"
    assert run(runner, "report", "--year", 2025, "--format", "xlsx", "-o", book).exit_code == 0
    assert openpyxl.load_workbook(book)["Nhiệm vụ"].max_row == 1


def test_after_the_commendations_the_section_is_the_fifth(app, db, commune):
    from dataclasses import replace

    from survey.reports.year_data import gather_year
    from survey.reports.year_report import year_report

    data = gather_year(2025, today=date(2025, 12, 31))
    listed = replace(data, commendations=(("Hội Nông dân xã", "Xuất sắc", ""),))
    headings = [b.text for b in year_report(listed).body if b.kind == "heading" and b.level == 1]
    assert headings[-3:] == [
        "IV. ĐỀ XUẤT KHEN THƯỞNG",
        "V. CÁC CHƯƠNG TRÌNH PHỐI HỢP",
        "PHỤ LỤC: PHƯƠNG PHÁP KHẢO SÁT, ĐÁNH GIÁ",
    ]
