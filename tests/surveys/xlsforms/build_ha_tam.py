"""Writes ha_tam_hai_long_2026.xlsx: a KoboToolbox-style commune satisfaction questionnaire.

The shape of a form a provincial office or an NGO hands a commune: metadata rows, groups with
field-list, notes, relevants, constraints with messages, Vietnamese, English and Bahnar label
columns, hints, audio references, and a few things this platform cannot hold (a calculation, a
repeat, a condition across two questions). Run from the project root to write it again:

    .venv/bin/python tests/surveys/xlsforms/build_ha_tam.py

The tests' copy has a Bahnar (bdq) column of placeholders ("[bdq] ..." + the Vietnamese) where
a reviewed Bahnar translation would go: no reliable translation is at hand, and made-up Bahnar
must not reach a village, so the copy in docs/examples/ has no Bahnar column.
"""

from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent
VI, EN, BDQ = "Vietnamese (vi)", "English (en)", "Bahnar (bdq)"
SURVEY_HEADER = (
    "type",
    "name",
    f"label::{VI}",
    f"label::{EN}",
    f"label::{BDQ}",
    f"hint::{VI}",
    f"hint::{EN}",
    "required",
    "relevant",
    "constraint",
    f"constraint_message::{VI}",
    "appearance",
    "calculation",
    f"media::audio::{VI}",
    f"media::audio::{BDQ}",
)


def q(kind, name, vi="", en="", hint_vi="", hint_en="", bdq=True, **more):
    row = dict.fromkeys(SURVEY_HEADER, "")
    row.update({"type": kind, "name": name, f"label::{VI}": vi, f"label::{EN}": en})
    row[f"label::{BDQ}"] = f"[bdq] {vi}" if bdq and vi else ""
    row.update({f"hint::{VI}": hint_vi, f"hint::{EN}": hint_en})
    for key, value in more.items():
        column = {
            "audio_vi": f"media::audio::{VI}",
            "audio_bdq": f"media::audio::{BDQ}",
            "message": f"constraint_message::{VI}",
        }.get(key, key)
        row[column] = value
    return [row[c] for c in SURVEY_HEADER]


SURVEY = [
    q("start", "start"),
    q("end", "end"),
    q("today", "today"),
    q("deviceid", "deviceid"),
    q(
        "begin_group",
        "gioi_thieu",
        "Phần 1. Về bà con",
        "Part 1. About you",
        appearance="field-list",
    ),
    q(
        "note",
        "loi_chao",
        "Phiếu không ghi tên. Ý kiến của bà con giúp xã phục vụ tốt hơn.",
        "This form does not ask your name. Your views help the commune serve you better.",
    ),
    q(
        "select_one thon",
        "thon",
        "Bà con sống ở thôn, làng nào?",
        "Which village do you live in?",
        required="yes",
    ),
    q("select_one gioi", "gioi_tinh", "Giới tính", "Sex"),
    q(
        "integer",
        "tuoi",
        "Năm nay bà con bao nhiêu tuổi?",
        "How old are you?",
        "Ghi số tuổi tròn",
        "Whole years",
        constraint=". >= 16 and . <= 110",
        message="Tuổi từ 16 đến 110",
    ),
    q("end_group", ""),
    q(
        "begin_group",
        "thu_tuc",
        "Phần 2. Thủ tục hành chính",
        "Part 2. Paperwork at the commune",
        appearance="field-list",
    ),
    q(
        "select_one yn",
        "da_lam",
        "Trong 12 tháng qua, bà con có làm thủ tục ở UBND xã không?",
        "In the past 12 months, did you do any paperwork at the commune office?",
        required="yes",
    ),
    q(
        "select_multiple loai",
        "loai_thu_tuc",
        "Bà con đã làm những thủ tục nào?",
        "Which paperwork?",
        "Chọn tất cả các thủ tục đã làm",
        "Select all that apply",
        relevant="${da_lam} = 'yes'",
    ),
    q(
        "integer",
        "so_lan",
        "Bà con phải đi lại mấy lần mới xong?",
        "How many visits did it take?",
        relevant="${da_lam} = 'yes'",
        constraint=". >= 1 and . <= 20",
    ),
    q(
        "select_one muc",
        "hl_thai_do",
        "Bà con hài lòng với thái độ của cán bộ tiếp dân không?",
        "Are you satisfied with how the staff treated you?",
        relevant="${da_lam} = 'yes'",
        appearance="likert",
        required="yes",
    ),
    q(
        "select_one muc",
        "hl_thoi_gian",
        "Bà con hài lòng với thời gian giải quyết không?",
        "Are you satisfied with how long it took?",
        relevant="${da_lam} = 'yes'",
        appearance="likert",
        required="yes",
    ),
    q("end_group", ""),
    q("begin_group", "chung", "Phần 3. Đánh giá chung", "Part 3. Overall"),
    q(
        "select_one muc",
        "hl_chung",
        "Nhìn chung, bà con hài lòng với UBND xã đến mức nào?",
        "Overall, how satisfied are you with the commune People's Committee?",
        required="yes",
        appearance="likert",
        audio_vi="hl_chung_vi.mp3",
        audio_bdq="hl_chung_bdq.mp3",
    ),
    q(
        "text",
        "ly_do",
        "Vì sao bà con chưa hài lòng?",
        "Why are you not satisfied?",
        "Viết ngắn, không ghi tên người",
        "Short; no names, please",
        relevant="${hl_chung} = '1' or ${hl_chung} = '2'",
        constraint="string-length(.) <= 500",
    ),
    q(
        "select_one diem",
        "gioi_thieu_xa",
        "Bà con có muốn giới thiệu người quen đến làm thủ tục ở xã không? "
        "(0 = không bao giờ, 10 = chắc chắn)",
        "Would you recommend the commune office to someone you know? (0 = never, 10 = certainly)",
    ),
    q(
        "text",
        "kien_nghi",
        "Bà con có kiến nghị gì với xã?",
        "Any suggestions for the commune?",
        "Không bắt buộc",
        "Optional",
    ),
    q("end_group", ""),
    q("calculate", "diem_tb", calculation="(${hl_thai_do} + ${hl_thoi_gian}) div 2"),
    q("begin_repeat", "nguoi_trong_ho", "Những người khác trong hộ", "Others in the household"),
    q("text", "ten_nguoi", "Tên", "Name"),
    q("integer", "tuoi_nguoi", "Tuổi", "Age"),
    q("end_repeat", ""),
    q(
        "text",
        "y_kien_nguoi_gia",
        "Ý kiến riêng của người cao tuổi ở làng Bằng",
        "Views of older people in Bang village",
        relevant="${tuoi} >= 60 and ${thon} = 'lang_bang'",
    ),
    q("note", "cam_on", "Xin cảm ơn bà con!", "Thank you!"),
]

CHOICES_HEADER = ("list_name", "name", f"label::{VI}", f"label::{EN}", f"label::{BDQ}")
CHOICES = [
    ("thon", "lang_bang", "Làng Bằng", "Bang village"),
    ("thon", "hway", "Làng Hway", "Hway village"),
    ("thon", "kdung", "Làng Kdung", "Kdung village"),
    ("thon", "thon_1", "Thôn 1", "Hamlet 1"),
    ("thon", "thon_2", "Thôn 2", "Hamlet 2"),
    ("gioi", "nam", "Nam", "Male"),
    ("gioi", "nu", "Nữ", "Female"),
    ("gioi", "khac", "Khác / không muốn nói", "Other / prefer not to say"),
    ("yn", "yes", "Có", "Yes"),
    ("yn", "no", "Không", "No"),
    ("loai", "ho_tich", "Hộ tịch (khai sinh, kết hôn...)", "Civil status (birth, marriage...)"),
    ("loai", "dat_dai", "Đất đai", "Land"),
    ("loai", "chung_thuc", "Chứng thực", "Certification"),
    ("loai", "bao_tro", "Bảo trợ xã hội", "Social support"),
    ("muc", "1", "Rất không hài lòng", "Very dissatisfied"),
    ("muc", "2", "Không hài lòng", "Dissatisfied"),
    ("muc", "3", "Bình thường", "Neutral"),
    ("muc", "4", "Hài lòng", "Satisfied"),
    ("muc", "5", "Rất hài lòng", "Very satisfied"),
    *[("diem", str(n), str(n), str(n)) for n in range(11)],
]
SETTINGS = [
    ("form_title", "form_id", "version", "default_language"),
    (
        "Khảo sát mức độ hài lòng của người dân với UBND xã Hà Tam năm 2026",
        "ha_tam_hai_long_2026",
        "2026041501",
        VI,
    ),
]


def workbook(bahnar):
    """The questionnaire; with `bahnar`, its Bahnar columns (placeholders) too."""
    keep = [bahnar or BDQ not in column for column in SURVEY_HEADER]
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    for row in [SURVEY_HEADER, *SURVEY]:
        survey.append([cell for cell, kept in zip(row, keep, strict=True) if kept])
    choices = book.create_sheet("choices")
    choices.append(CHOICES_HEADER if bahnar else CHOICES_HEADER[:-1])
    for row in CHOICES:
        bdq = [f"[bdq] {row[2]}" if not row[2].isdigit() else row[2]] if bahnar else []
        choices.append([*row, *bdq])
    settings = book.create_sheet("settings")
    for row in SETTINGS:
        settings.append(row)
    return book


def main():
    # The tests' copy covers a village-language column; the example people may import has no
    # made-up Bahnar in it.
    workbook(bahnar=True).save(HERE / "ha_tam_hai_long_2026.xlsx")
    workbook(bahnar=False).save(HERE.parents[2] / "docs" / "examples" / "ha_tam_hai_long_2026.xlsx")


if __name__ == "__main__":
    main()
