"""Plain factory functions for tests: make_x(db, **overrides) adds and flushes one row."""

from datetime import datetime, timezone
from itertools import count

import sqlalchemy as sa

from survey.models import Organization, Question, Setting, Survey, Unit, User

_serial = count(1)
# A commune rule set that counts the responses the integrity checks flag (the default leaves
# them out of the rating).
COUNTING_FLAGGED = "[integrity]\nexclude_flagged = false\n"


def make_organization(db, **overrides):
    n = next(_serial)
    fields = {"code": f"org{n}", "name": f"Tổ chức {n}", "short_name": f"TC {n}"} | overrides
    org = Organization(**fields)
    db.session.add(org)
    db.session.flush()
    return org


def make_unit(db, **overrides):
    n = next(_serial)
    fields = {"code": f"thon{n}", "name": f"Thôn {n}", "adult_population": 500} | overrides
    unit = Unit(**fields)
    db.session.add(unit)
    db.session.flush()
    return unit


_password_hashes = {}


def make_user(db, password="a-long-password", **overrides):
    n = next(_serial)
    fields = {"username": f"user{n}", "role": "admin", "full_name": f"Cán bộ {n}"} | overrides
    user = User(**fields)
    # scrypt is slow on purpose; one hash per password keeps hundreds of test users quick.
    if password not in _password_hashes:
        user.set_password(password)
        _password_hashes[password] = user.password_hash
    user.password_hash = _password_hashes[password]
    db.session.add(user)
    db.session.flush()
    return user


def make_survey(db, questions=(), **overrides):
    """A survey; `questions` are dicts of Question fields (code and kind at least)."""
    n = next(_serial)
    fields = {
        "code": f"survey-{n}",
        "title": {"vi": f"Khảo sát {n}"},
        "audience": "public",
        "topic": "satisfaction",
        "year": 2025,
    } | overrides
    survey = Survey(**fields)
    for position, q in enumerate(questions):
        survey.questions.append(Question(position=position, **({"text": {"vi": q["code"]}} | q)))
    db.session.add(survey)
    db.session.flush()
    return survey


EVERY_KIND = [
    {
        "code": "hl",
        "kind": "likert5",
        "required": True,
        "criterion": "satisfaction",
        "text": {"vi": "Bà con hài lòng thế nào?", "en": "How satisfied are you?"},
    },
    {
        "code": "ly_do",
        "kind": "text",
        "feedback": True,
        "max_length": 50,
        "show_if": {"question": "hl", "in": [1, 2]},
        "required": True,
        "text": {"vi": "Vì sao chưa hài lòng?", "en": "Why not satisfied?"},
    },
    {
        "code": "kenh",
        "kind": "single",
        "required": True,
        "text": {"vi": "Bà con biết khảo sát qua đâu?", "en": "How did you hear of it?"},
        "options": [
            {"code": "loa", "label": {"vi": "Loa thôn", "en": "Village loudspeaker"}},
            {"code": "hop", "label": {"vi": "Họp thôn", "en": "Village meeting"}},
        ],
    },
    {
        "code": "phong_trao",
        "kind": "multi",
        "text": {"vi": "Tham gia phong trào nào?", "en": "Which movements?"},
        "options": [
            {"code": "ntm", "label": {"vi": "Nông thôn mới", "en": "New countryside"}},
            {"code": "ngheo", "label": {"vi": "Vì người nghèo", "en": "For the poor"}},
            {"code": "khong", "label": {"vi": "Không", "en": "None"}},
        ],
    },
    {"code": "co_du", "kind": "yesno", "text": {"vi": "Có dự họp không?", "en": "Did you attend?"}},
    {
        "code": "so_buoi",
        "kind": "number",
        "min_value": 0,
        "max_value": 24,
        "text": {"vi": "Dự bao nhiêu buổi?", "en": "How many meetings?"},
    },
    {"code": "gioi_thieu", "kind": "nps", "text": {"vi": "Giới thiệu?", "en": "Recommend?"}},
    {"code": "gop_y", "kind": "text", "text": {"vi": "Góp ý khác", "en": "Other comments"}},
]


def make_defined_survey(db, questions=None, **overrides):
    """A survey through the definition loader: every question kind unless told otherwise."""
    from survey.surveys.definitions import survey_from_definition

    org = overrides.pop("org", None) or make_organization(db)
    n = next(_serial)
    definition = {
        "code": f"ks-{n}",
        "audience": "public",
        "topic": "satisfaction",
        "year": 2025,
        "status": "open",
        "title": {"vi": f"Khảo sát số {n}", "en": f"Survey number {n}"},
        "languages": ["vi", "en"],
        "organizations": [org.code],
        "questions": [
            q | {"organization": org.code} if q.get("feedback") else q
            for q in (questions if questions is not None else EVERY_KIND)
        ],
    } | overrides
    survey = survey_from_definition(definition)
    db.session.commit()
    return survey


# Annual figures that meet every target exactly (none exceeded): 100 points of indicators.
TARGETS_MET = {
    "members_start": 100,
    "members_end": 100,
    "new_members": 10,
    "new_members_target": 10,
    "activities_required": 12,
    "activities_held": 12,
    "attendance_rate": 0.8,
    "attendance_target": 0.8,
    "campaign_members": 60,
    "supervision_planned": 2,
    "supervision_done": 2,
    "recommendations_issued": 2,
    "recommendations_answered": 2,
    "dialogues_planned": 1,
    "dialogues_held": 1,
    "shortcomings_identified": 0,
    "shortcomings_remedied": 0,
    "members_disciplined": 0,
}


def make_indicator(db, organization, year=2025, **overrides):
    """An organization's annual figures: every target met unless overridden."""
    from survey.models import AnnualIndicator

    figures = AnnualIndicator(
        organization_id=organization.id, year=year, **(TARGETS_MET | overrides)
    )
    db.session.add(figures)
    db.session.flush()
    return figures


# The surveyed commune of the export tests: (village code, name, adult population, responses).
# Khu Dũng's 2 respondents are under k = 5, so the Results JSON hides it, and with it the
# next smallest village, Thôn Ba, so that Khu Dũng cannot be worked out from the total.
SURVEYED_VILLAGES = (
    ("thon1", "Thôn Một", 400, 40),
    ("thon2", "Thôn Hai", 300, 20),
    ("thon3", "Thôn Ba", 200, 8),
    ("kdung", "Làng Khu Dũng", 50, 2),
)
HIDDEN_VILLAGES = ("kdung", "thon3")


def surveyed_answers(i):
    """The answers of respondent `i` to EVERY_KIND: a fixed mix of every kind of answer."""
    hl = (5, 4, 4, 3, 5, 2, 4, 5, 1, 4)[i % 10]
    answers = {"hl": hl, "kenh": "loa" if i % 3 else "hop", "co_du": i % 2, "gioi_thieu": i % 11}
    if hl <= 2:
        answers["ly_do"] = "Đường vào thôn hỏng"
    if i % 4:
        answers["phong_trao"] = ["ntm", "ngheo"] if i % 4 == 1 else ["ngheo"]
    if i % 5:
        answers["so_buoi"] = (i % 7) + (0.5 if i % 5 == 1 else 0)
    if i % 6 == 0:
        answers["gop_y"] = 'Họp ngắn hơn, "đúng giờ", có nước uống'
    return answers


def make_surveyed_commune(db):
    """Two organizations with their year's figures, four villages, and a survey of
    Hội Nông dân with 70 web responses of every kind of answer, some feedback tagged."""
    from survey.models import FeedbackItem

    nongdan = make_organization(db, code="nongdan", name="Hội Nông dân xã", position=1)
    phunu = make_organization(db, code="phunu", name="Hội Liên hiệp Phụ nữ xã", position=2)
    units = {
        code: make_unit(db, code=code, name=name, adult_population=people)
        for code, name, people, _n in SURVEYED_VILLAGES
    }
    make_indicator(db, nongdan, new_members=14, campaign_members=80)  # two targets exceeded
    make_indicator(db, phunu, new_members=5, activities_held=9)  # two targets missed
    survey = make_defined_survey(db, org=nongdan, code="hailong-nongdan-2025")
    i = 0
    for code, _name, _people, responses in SURVEYED_VILLAGES:
        for _ in range(responses):
            submit_and_commit(
                survey,
                surveyed_answers(i),
                submission_uid=f"web-{i}",
                unit_id=units[code].id,
            )
            i += 1
    items = db.session.scalars(sa.select(FeedbackItem).order_by(FeedbackItem.id)).all()
    for n, item in enumerate(items):
        item.topic = ("infrastructure", "infrastructure", "livelihood", None)[n % 4]
        # Feedback counts in the year it was received: put it in the survey's year.
        item.received_at = datetime(2025, 10, 15, 3, 0, tzinfo=timezone.utc)
    # Stored in one go, the answers are a burst to the integrity checks; these tests are about
    # the figures, so the rule set counts the flagged responses.
    db.session.add(Setting(key="RULES_TOML", value=COUNTING_FLAGGED))
    db.session.commit()
    return {"nongdan": nongdan, "phunu": phunu, "units": units, "survey": survey}


def submit_and_commit(survey, answers, **kwargs):
    """Store a response as the form's request does: submit it, commit, then let it join its
    survey's batch (survey.responses.storing flushes; its callers commit and release)."""
    from survey.core.extensions import db
    from survey.responses.release import release_ready
    from survey.responses.storing import submit_response

    receipt = submit_response(survey, answers, **kwargs)
    db.session.commit()
    if receipt.created:
        release_ready(survey.id)
    return receipt


def saved_setting(db, key):
    """The commune's saved setting `key` (the only commune, or the one at hand), or None."""
    return db.session.scalar(sa.select(Setting).where(Setting.key == key))


def save_setting(db, key, value):
    """Save the commune's setting `key` (made or replaced); flushed, not committed."""
    row = saved_setting(db, key)
    if row is None:
        row = Setting(key=key, value=value)
        db.session.add(row)
    else:
        row.value = value
    db.session.flush()
    return row
