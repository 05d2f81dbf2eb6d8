"""The workspace home shows each role the sections it may open, and no others."""

import pytest

from tests.factories import make_organization, make_unit, make_user

SECTIONS = {
    "Khảo sát": "/manage/surveys/",
    "Số liệu hằng năm": "/manage/indicators/",
    "Ý kiến": "/manage/feedback/",
    "Nhập phiếu giấy": "/manage/paper/",
    "Nhật ký thay đổi": "/manage/audit/",
    "Xếp loại hằng năm": "/manage/ratings/",
    "Quản trị": "/manage/admin/",
}
EXPECTED = {
    "admin": set(SECTIONS),
    "committee": {"Khảo sát", "Số liệu hằng năm", "Ý kiến", "Xếp loại hằng năm"},
    "inspector": {
        "Khảo sát",
        "Số liệu hằng năm",
        "Ý kiến",
        "Xếp loại hằng năm",
        "Nhật ký thay đổi",
    },
    "org_officer": {
        "Khảo sát",
        "Số liệu hằng năm",
        "Ý kiến",
        "Xếp loại hằng năm",
        "Nhập phiếu giấy",
    },
    "unit_officer": {"Nhập phiếu giấy"},
}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role_sees_its_sections_and_each_link_opens(client, db, login, role):
    binding = {}
    if role == "org_officer":
        binding["organization"] = make_organization(db)
    if role == "unit_officer":
        binding["unit"] = make_unit(db)
    make_user(db, username="canbo", role=role, **binding)
    db.session.commit()
    login("canbo", "a-long-password")
    html = client.get("/manage/").get_data(as_text=True)
    shown = {title for title, href in SECTIONS.items() if f'href="{href}"' in html}
    assert shown == EXPECTED[role]
    for title in shown:
        assert client.get(SECTIONS[title]).status_code == 200, title
