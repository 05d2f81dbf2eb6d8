"""Plain factory functions for tests: make_x(db, **overrides) adds and flushes one row."""

from itertools import count

from survey.models import Organization, Question, Survey, Unit, User

_serial = count(1)


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


def make_user(db, password="a-long-password", **overrides):
    n = next(_serial)
    fields = {"username": f"user{n}", "role": "admin", "full_name": f"Cán bộ {n}"} | overrides
    user = User(**fields)
    user.set_password(password)
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
        survey.questions.append(Question(position=position, text={"vi": q["code"]}, **q))
    db.session.add(survey)
    db.session.flush()
    return survey
