"""A small commune for the programme and task tests: two organizations that are parties of one
programme, a third that is not, their officers and the readers."""

from datetime import date

from survey.models import Programme, Task
from tests.factories import make_organization, make_unit, make_user

PASSWORD = "a-long-password"
TODAY = date(2025, 6, 15)


def make_world(db):
    """The organizations, people and one programme (nongdan and phunu its parties)."""
    nongdan = make_organization(db, code="nongdan", name="Hội Nông dân xã", position=1)
    phunu = make_organization(db, code="phunu", name="Hội Phụ nữ xã", position=2)
    cuuchienbinh = make_organization(db, code="ccb", name="Hội Cựu chiến binh xã", position=3)
    thon1 = make_unit(db, code="thon1", name="Thôn 1")
    people = {}
    for username, role, fields in (
        ("admin", "admin", {"full_name": "Nguyễn Thị Lan"}),
        ("committee", "committee", {}),
        ("inspector", "inspector", {}),
        ("officer", "org_officer", {"organization": nongdan, "full_name": "Phạm Văn Thành"}),
        ("other", "org_officer", {"organization": phunu}),
        ("outsider", "org_officer", {"organization": cuuchienbinh}),
        ("village", "unit_officer", {"unit": thon1}),
    ):
        people[username] = make_user(db, username=username, role=role, password=PASSWORD, **fields)
    programme = Programme(
        year=2025, title="Chương trình phối hợp giảm nghèo", parties=[nongdan, phunu]
    )
    db.session.add(programme)
    db.session.flush()
    return {
        "nongdan": nongdan,
        "phunu": phunu,
        "ccb": cuuchienbinh,
        "programme": programme,
        **people,
    }


def make_task(db, programme, organization, **fields):
    """A task of `programme` (planned, due 30/06/2025 unless told)."""
    task = Task(
        programme=programme,
        organization=organization,
        **{
            "title": "Tập huấn kỹ thuật",
            "owner": "Phạm Văn Thành, Chủ tịch Hội",
            "due_on": date(2025, 6, 30),
        }
        | fields,
    )
    db.session.add(task)
    db.session.flush()
    return task
