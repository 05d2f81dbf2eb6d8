"""A commune with two organizations, their officers and the readers, and a programme of 2025
that the Farmers' Union is a party to."""

import pytest

from survey.models import Programme
from tests.factories import make_organization, make_unit, make_user

PASSWORD = "a-long-password"


@pytest.fixture
def commune(db):
    front = make_organization(db, code="mttq", name="Ủy ban MTTQ xã", position=0, is_front=True)
    nongdan = make_organization(db, code="nongdan", name="Hội Nông dân xã", position=1)
    thon1 = make_unit(db, code="thon1", name="Thôn Một")
    make_user(db, username="vanphong", role="admin", full_name="Nguyễn Thị Lan")
    make_user(db, username="thuongtruc", role="committee", full_name="Trần Văn Hùng")
    make_user(db, username="ubkt", role="inspector")
    make_user(db, username="hoind", role="org_officer", organization=nongdan, full_name="Lê An")
    make_user(db, username="mattran", role="org_officer", organization=front, full_name="Hà Bình")
    make_user(db, username="thon", role="unit_officer", unit=thon1)
    programme = Programme(year=2025, title="Chương trình phối hợp giảm nghèo")
    programme.parties.append(nongdan)
    other = Programme(year=2025, title="Chương trình của Mặt trận")
    other.parties.append(front)
    db.session.add_all([programme, other])
    db.session.commit()
    return {
        "front": front,
        "nongdan": nongdan,
        "thon1": thon1,
        "programme": programme,
        "other": other,
    }
