"""What the rating reads of the dialogues: the year's meetings planned and held, the issues
answered and made tasks, the tasks done on time; and the dialogue criterion counted from the
records where an organization has them, from its typed figures where it has none."""

from datetime import date

import pytest

from survey.dialogues.counts import DialogueCounts, dialogue_counts
from survey.models import Dialogue, DialogueIssue, Task
from survey.ratings.evaluation import evaluate_year
from tests.factories import make_indicator


def meeting(db, org, day, held=False, issues=()):
    dialogue = Dialogue(organization_id=org.id, title=f"Họp {day}", held_on=day, held=held)
    db.session.add(dialogue)
    for issue in issues:
        issue.dialogue = dialogue
        db.session.add(issue)
    return dialogue


def task(programme, org, due, done=None):
    return Task(
        programme=programme,
        organization_id=org.id,
        title="Việc",
        owner="An",
        due_on=due,
        done_on=done,
        status="done" if done else "planned",
    )


def test_counts_planned_held_answered_made_tasks_and_on_time(db, commune):
    nongdan, front, programme = commune["nongdan"], commune["front"], commune["programme"]
    on_time = task(programme, nongdan, date(2025, 6, 30), done=date(2025, 6, 20))
    late = task(programme, nongdan, date(2025, 6, 30), done=date(2025, 7, 2))
    open_task = task(programme, nongdan, date(2025, 9, 30))
    meeting(
        db,
        nongdan,
        date(2025, 3, 5),
        held=True,
        issues=[
            DialogueIssue(text="a", answer="Đã trả lời"),
            DialogueIssue(text="b", task=on_time),
            DialogueIssue(text="c", answer="Trả lời một phần", task=late),
        ],
    )
    meeting(
        db, nongdan, date(2025, 8, 1), held=True, issues=[DialogueIssue(text="d", task=open_task)]
    )
    meeting(db, nongdan, date(2025, 11, 20))  # planned, not held
    meeting(db, nongdan, date(2024, 12, 31), held=True, issues=[DialogueIssue(text="e")])
    meeting(db, front, date(2025, 1, 15))
    db.session.commit()
    counts = dialogue_counts(2025)
    assert counts[nongdan.id] == DialogueCounts(
        planned=3, held=2, issues=4, answered=2, made_tasks=3, tasks_done_on_time=1
    )
    assert counts[front.id] == DialogueCounts(planned=1, held=0)
    assert dialogue_counts(2024)[nongdan.id] == DialogueCounts(1, 1, issues=1)
    assert dialogue_counts(2023) == {}


def dialogue_criterion(year=2025):
    results = {r.code: r.rating for r in evaluate_year(year).results}
    return {code: rating.criterion("dialogue") for code, rating in results.items()}


def test_the_rating_reads_recorded_dialogues_instead_of_the_typed_figures(db, commune):
    nongdan, front = commune["nongdan"], commune["front"]
    make_indicator(db, nongdan, dialogues_planned=2, dialogues_held=2)  # typed: all held
    make_indicator(db, front, dialogues_planned=4, dialogues_held=3)  # typed, no records
    for month in (3, 6, 9):
        meeting(db, nongdan, date(2025, month, 10), held=month != 9)
    meeting(db, nongdan, date(2025, 12, 1))
    db.session.commit()
    criteria = dialogue_criterion()
    recorded = criteria["nongdan"]
    assert recorded.evidence == {"held": 2, "planned": 4, "source": "records"}
    assert recorded.value == pytest.approx(0.5) and recorded.status == "not_met"
    typed = criteria["mttq"]
    assert typed.evidence == {"held": 3, "planned": 4, "source": "typed"}  # no records
    assert typed.value == pytest.approx(0.75)


def test_records_alone_do_not_rate_an_organization_without_figures(db, commune):
    meeting(db, commune["nongdan"], date(2025, 3, 10), held=True)
    db.session.commit()
    rating = next(r.rating for r in evaluate_year(2025).results if r.code == "nongdan")
    assert not rating.rated
    assert rating.criterion("dialogue").status == "missing"


def test_the_api_and_the_ratings_page_say_the_figures_came_from_the_records(
    client, login, db, commune
):
    from tests.dialogues.conftest import PASSWORD

    make_indicator(db, commune["nongdan"], dialogues_planned=9, dialogues_held=9)
    meeting(db, commune["nongdan"], date(2025, 3, 10), held=True)
    meeting(db, commune["nongdan"], date(2025, 5, 10))
    db.session.commit()
    login("thuongtruc", PASSWORD)
    document = client.get("/api/v1/evaluations/2025").get_json()
    entry = next(o for o in document["organizations"] if o["org"] == "nongdan")
    criterion = next(c for c in entry["criteria"] if c["code"] == "dialogue")
    assert criterion["evidence"] == {"held": 1, "planned": 2, "source": "records"}
    assert criterion["value"] == pytest.approx(0.5)
    page = client.get("/manage/ratings/2025").get_data(as_text=True)
    assert "theo biên bản đối thoại: đã tổ chức 1/2" in page


def test_a_dialogue_change_moves_the_kept_figures_version(db, commune):
    from survey.ratings.kept_figures import data_version

    dialogue = meeting(db, commune["nongdan"], date(2025, 3, 10))
    db.session.commit()
    before = data_version()
    dialogue.held = True  # changed outside the pages: no audit entry moves
    db.session.commit()
    assert data_version() != before


def test_the_annual_figures_page_shows_the_recorded_counts_beside_the_typed_ones(
    client, login, db, commune
):
    from tests.dialogues.conftest import PASSWORD

    make_indicator(db, commune["nongdan"], dialogues_planned=7, dialogues_held=6)
    for month in (2, 4, 6):
        meeting(db, commune["nongdan"], date(2025, month, 1), held=month < 6)
    db.session.commit()
    login("hoind", PASSWORD)
    page = client.get("/manage/indicators/nongdan/2025").get_data(as_text=True)
    assert "Theo biên bản đối thoại: 3" in page and "Theo biên bản đối thoại: 2" in page
    assert "nhập tay" in page and 'value="7"' in page  # the typed figure is still there
    other = client.get("/manage/indicators/nongdan/2024").get_data(as_text=True)
    assert "Theo biên bản đối thoại" not in other and "nhập tay" not in other
