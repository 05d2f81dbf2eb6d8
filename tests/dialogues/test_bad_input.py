"""Bad input, generated, at every form of the dialogues (as tests/test_bad_input.py does for
the rest of the workspace): the form again with what is wrong, a 4xx, or the change; never a
500."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.models import Dialogue, DialogueIssue, Programme
from tests.test_bad_input import FUZZ, TEXT, refused_cleanly

FIELDS = st.sampled_from(
    [
        *("organization", "kind", "title", "held_on", "unit", "organizers", "held"),
        *("attending", "leaders_present", "note", "text", "answer", "programme", "owner"),
        "due_on",
    ]
)
VALUES = st.one_of(
    TEXT.map(lambda text: text.replace("\x00", "")),  # NUL: a 400 before any form
    st.sampled_from(
        [
            *("mttq", "nongdan", "thon1", "dialogue", "voter_contact", "y", "1", "0", "-1"),
            *("²", "١٢", "1e20", "2147483648", "31/02/2025", "0001-01-01", "9999-12-31"),
            *("05/03/2025", "01/01/2099", "30/06/2025", "99/99/9999", "1/1/1"),
        ]
    ),
)
CHANGES = st.dictionaries(FIELDS, st.one_of(VALUES, st.lists(VALUES, max_size=3)), max_size=8)


@pytest.fixture
def meeting(client, login, db, commune):
    from tests.dialogues.conftest import PASSWORD

    dialogue = Dialogue(
        organization_id=commune["nongdan"].id, title="Đối thoại", held_on=date(2025, 4, 1)
    )
    issue = DialogueIssue(dialogue=dialogue, text="Đề nghị sửa đường.")
    db.session.add_all([dialogue, issue])
    db.session.commit()
    login("vanphong", PASSWORD)
    return dialogue.id, issue.id, commune["programme"].id


def valid_forms(dialogue, issue, programme):
    """What each form takes: a real value in every field it needs."""
    plan = {"organization": "nongdan", "kind": "dialogue", "title": "Họp", "unit": ""}
    plan |= {"held_on": "05/03/2025", "held": "y", "attending": "40"}
    task = {"programme": str(programme), "title": "Sửa đường", "owner": "An"}
    return {
        "/manage/dialogues/new": plan,
        f"/manage/dialogues/{dialogue}/edit": plan,
        f"/manage/dialogues/{dialogue}/issues": {"text": "Ý kiến"},
        f"/manage/dialogues/{dialogue}/issues/{issue}/answer": {"answer": "Đã trả lời"},
        f"/manage/dialogues/{dialogue}/issues/{issue}/task": task | {"due_on": "30/06/2025"},
    }


@settings(FUZZ, max_examples=25)
@given(changes=CHANGES)
def test_the_dialogue_forms_never_fail(client, meeting, changes):
    for path, data in valid_forms(*meeting).items():
        refused_cleanly(client.post(path, data=data | changes))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("attending", "²"),
        ("attending", "9" * 40),
        ("held_on", "0001-01-01"),
        ("held_on", "31/12/9999"),
        ("due_on", "01/01/2020"),  # before the meeting
        ("due_on", "31/12/2099"),
    ],
)
def test_the_dialogue_forms_take_edge_values(client, db, meeting, field, value):
    forms = valid_forms(*meeting)
    path = next(p for p, data in forms.items() if field in data)
    response = refused_cleanly(client.post(path, data=forms[path] | {field: value}))
    assert response.status_code == 422, (field, value)
    assert db.session.query(Programme).count() == 2
