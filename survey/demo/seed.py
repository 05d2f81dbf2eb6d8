"""`flask seed-demo`: a realistic demo commune, the same for the same seed.

Responses go in with bulk inserts (executemany in chunks), so a million load in minutes.
"""

import random
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from statistics import NormalDist

import sqlalchemy as sa

from survey.core.bulk import insert_rows
from survey.core.extensions import db
from survey.core.local_time import COMMUNE_TIME
from survey.core.tenancy import across_communes
from survey.demo import data, programme_data
from survey.demo.programmes import seed_programmes
from survey.demo.spoken import attach_demo_audio, is_spoken
from survey.models import (
    AnnualIndicator,
    Answer,
    FeedbackItem,
    Organization,
    OrganizationHead,
    PaperTyping,
    ReceiptCode,
    Response,
    ResponseCriterion,
    Unit,
    User,
)
from survey.responses.storing import criterion_rows, feedback_row, long_format
from survey.responses.submission import answers_digest, draw_receipts, uid_digest, uniform_likert
from survey.surveys.definitions import instantiate, load_question_set, survey_from_definition

CHUNK = 5000
# Relative number of responses per kind of survey.
VOLUME = {"satisfaction": 1.0, "participation": 0.7, "supervision": 1.2}
# Item and person noise on the latent scale; cut points between answers 1|2|3|4|5.
PERSON_SD, ITEM_SD = 0.6, 0.7
CUTS = (-1.6, -0.8, 0.0, 1.1)


def _receipts_taken() -> set[str]:
    """Every receipt code of the deployment: another commune's are out of this one's sight."""
    with across_communes():
        return set(db.session.scalars(sa.select(ReceiptCode.code)))


@dataclass
class SeedResult:
    """What a seeding run added, and the sign-ins it created."""

    seeded: bool
    surveys: int = 0
    responses: int = 0
    answers: int = 0
    feedback: int = 0
    logins: list[tuple[str, str, str]] = field(default_factory=list)


def database_is_empty():
    """True when the database holds no organization, village or survey yet."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Organization)) == 0


def seed_demo(seed=1, responses=6000, password=None, min_questions=0, prefix="", receipts=None):
    """Fill an empty commune with the demo commune's data (flushed: the caller commits); on a
    commune that holds data add nothing.

    `min_questions` lengthens every questionnaire to at least that many questions with more
    likert items of the same criteria (benchmarks load 20 answers per response this way).
    `prefix` goes before every survey code and username, which are unique in the whole
    deployment: a province seeds one demo commune after another this way, passing the same
    set as `receipts` each time (the receipt codes drawn so far, unique in the deployment too);
    without it, the codes every commune holds are read first."""
    if not database_is_empty():
        return SeedResult(seeded=False)
    rng = random.Random(seed)
    result = SeedResult(seeded=True)
    orgs = _organizations()
    units = _units()
    result.logins, people = _users(orgs, units, password, prefix)
    db.session.flush()
    plan = _survey_plan(orgs, prefix)
    for item in plan:
        _lengthen(item.definition, min_questions)
    total_weight = sum(VOLUME[p.topic] for p in plan)
    receipts = _receipts_taken() if receipts is None else receipts
    for item in plan:
        survey = survey_from_definition(item.definition)
        # Prepared two weeks before opening: fixed times keep the demo the same for a seed.
        survey.created_at = survey.updated_at = survey.opens_at - timedelta(days=14)
        # Built by the Farmers' Union's officer for its own surveys, by the Office otherwise.
        builder = people["hoinongdan" if item.org == "nongdan" else "vanphong"]
        survey.created_by_id = builder.id
        db.session.flush()
        if is_spoken(item.topic, item.org, item.year):  # read aloud, for the play buttons
            attach_demo_audio(survey, builder.id)
        count = max(len(units), round(responses * VOLUME[item.topic] / total_weight))
        generator = _ResponseGenerator(rng, survey, item, units, receipts)
        added = generator.insert(count)
        _paper_typists(survey, generator.paper_numbers, people)
        result.responses += added.responses
        result.answers += added.answers
        result.feedback += added.feedback
        result.surveys += 1
    for org in orgs.values():
        for year in data.YEARS:
            db.session.add(_indicator(org, year))
    db.session.flush()
    seed_programmes(orgs, people)
    _heads(orgs)
    return result


def _heads(orgs):
    """Each organization's head for the latest year, their rating not decided yet."""
    for code, org in orgs.items():
        name, position = programme_data.OWNERS[code].split(", ", 1)
        db.session.add(
            OrganizationHead(
                organization_id=org.id, year=data.YEARS[-1], name=name, position=position
            )
        )


def _paper_typists(survey, sheets_by_village, people):
    """Who typed the survey's paper sheets: thôn 1's officer its own, the Office the rest."""
    own = sheets_by_village.get("thon1", 0)
    rest = sum(sheets_by_village.values()) - own
    for username, sheets in (("thon1", own), ("vanphong", rest)):
        if sheets:
            user = people[username]
            db.session.add(
                PaperTyping(
                    survey_id=survey.id, user_id=user.id, typist=user.full_name, sheets=sheets
                )
            )


def _lengthen(definition, min_questions):
    """Append copies of the definition's likert questions (new codes, same criterion and
    organization) until it has `min_questions` questions."""
    questions = definition["questions"]
    likert = [q for q in questions if q["kind"] == "likert5" and not q.get("show_if")]
    copy_no = 1
    while len(questions) < min_questions:
        copy_no += 1
        for q in likert[: min_questions - len(questions)]:
            text = {lang: f"{value} ({copy_no})" for lang, value in q["text"].items()}
            questions.append(q | {"code": f"{q['code']}_{copy_no}", "text": text})


def _organizations():
    orgs = {}
    for position, (code, name, short, _en, members) in enumerate(data.ORGANIZATIONS):
        orgs[code] = Organization(
            code=code,
            name=name,
            short_name=short,
            position=position,
            members_count=members,
            is_front=position == 0,  # the Fatherland Front committee comes first
            leads_commendations=code == "doanthanhnien",  # as the resolution says (IV.2)
        )
        db.session.add(orgs[code])
    return orgs


def _units():
    units = {}
    for position, (code, name, adults, households, _minority) in enumerate(data.UNITS):
        units[code] = Unit(
            code=code, name=name, adult_population=adults, households=households, position=position
        )
        db.session.add(units[code])
    return units


def _users(orgs, units, password, prefix):
    """The demo's officers, and each by its username without the prefix."""
    logins, people = [], {}
    for username, role, full_name, org, unit in data.USERS:
        secret = password or secrets.token_urlsafe(9)
        user = people[username] = User(
            username=prefix + username,
            role=role,
            full_name=full_name,
            organization=orgs.get(org),
            unit=units.get(unit),
        )
        user.set_password(secret)
        db.session.add(user)
        logins.append((prefix + username, role, secret))
    return logins, people


@dataclass
class _PlannedSurvey:
    topic: str
    year: int
    org: str | None
    definition: dict


def _survey_plan(orgs, prefix=""):
    """Every demo survey as a definition: per year, satisfaction and participation per
    organization, and one supervision survey about all of them."""
    sets = {
        name: load_question_set(name) for name in ("satisfaction", "participation", "supervision")
    }
    names = {code: (short, en) for code, _n, short, en, _m in data.ORGANIZATIONS}
    plan = []
    last = data.YEARS[-1]
    for year in data.YEARS:
        opens = datetime(year, 10, 1, tzinfo=COMMUNE_TIME)
        # Earlier rounds are over; the latest stays open with no closing date set.
        dates = {
            "status": "closed" if year < last else "open",
            "opens_at": opens.isoformat(),
            "closes_at": datetime(year, 12, 15, tzinfo=COMMUNE_TIME).isoformat()
            if year < last
            else None,
        }
        for topic, topic_code in (("satisfaction", "hailong"), ("participation", "thamgia")):
            for code in orgs:
                definition = instantiate(
                    sets[topic],
                    code=f"{prefix}{topic_code}-{code}-{year}",
                    year=year,
                    organizations=[code],
                    org_names={"vi": names[code][0], "en": names[code][1]},
                )
                definition.update(dates)
                plan.append(_PlannedSurvey(topic, year, code, definition))
        definition = instantiate(
            sets["supervision"],
            code=f"{prefix}giamsat-{year}",
            year=year,
            organizations=list(orgs),
            org_names={"vi": names["mttq"][0], "en": names["mttq"][1]},
        )
        definition.update(dates)
        plan.append(_PlannedSurvey("supervision", year, None, definition))
    return plan


@dataclass(frozen=True)
class _PlainQuestion:
    id: int
    kind: str
    required: bool
    show_if: dict | None
    feedback: bool
    max_value: float | None
    criterion: str | None
    organization_id: int | None
    option_codes: list[str]
    option_ids: dict[str, int]

    @classmethod
    def of(cls, q):
        return cls(
            id=q.id,
            kind=q.kind,
            required=q.required,
            show_if=q.show_if,
            feedback=q.feedback,
            max_value=q.max_value,
            criterion=q.criterion,
            organization_id=q.organization_id,
            option_codes=[o.code for o in q.options],
            option_ids={o.code: o.id for o in q.options},
        )


@dataclass
class _Added:
    responses: int = 0
    answers: int = 0
    feedback: int = 0


class _ResponseGenerator:
    """Draws one survey's responses from the story and bulk-inserts them."""

    def __init__(self, rng, survey, planned, units, receipts):
        self.rng = rng
        self.survey = survey
        self.planned = planned
        self.units = units
        self.receipts = receipts
        # Plain copies of the questions: ORM attribute access is too slow for millions of rows.
        self.questions = {q.code: _PlainQuestion.of(q) for q in survey.questions}
        self.questions_by_id = {q.id: q for q in self.questions.values()}
        self.kinds = {code: q.kind for code, q in self.questions.items()}
        self.minority = {code: minority for code, _n, _a, _h, minority in data.UNITS}
        share = (
            data.SUPERVISION[planned.year]
            if planned.topic == "supervision"
            else data.SATISFACTION[planned.org][planned.year]
        )
        # Mean of the latent score that makes P(answer >= 4) equal the story's share.
        spread = (PERSON_SD**2 + ITEM_SD**2) ** 0.5
        self.mean = CUTS[2] + spread * NormalDist().inv_cdf(share)
        self.share = share
        self.opens_at = survey.opens_at.astimezone(COMMUNE_TIME)
        self.paper_numbers = {}

    # -- allocation -----------------------------------------------------------------------
    def unit_counts(self, total):
        """Responses per village, proportional to adult population (largest remainder)."""
        small = min(data.SMALL_UNIT_MAX, max(1, total // 200))
        rest = total - small
        weights = {c: u.adult_population for c, u in self.units.items() if c != data.SMALL_UNIT}
        whole = sum(weights.values())
        exact = {c: rest * w / whole for c, w in weights.items()}
        counts = {c: int(v) for c, v in exact.items()}
        left = rest - sum(counts.values())
        for code in sorted(exact, key=lambda c: exact[c] - counts[c], reverse=True)[:left]:
            counts[code] += 1
        counts[data.SMALL_UNIT] = small
        return counts

    def insert(self, total):
        """Insert `total` responses (plus the stuffed burst where the story has one)."""
        added = _Added()
        units = [code for code, n in self.unit_counts(total).items() for _ in range(n)]
        self.rng.shuffle(units)
        batch = [self.draw(code) for code in units]
        burst = data.BURST
        if (
            self.planned.topic == "satisfaction"
            and self.planned.org == burst["organization"]
            and self.planned.year == burst["year"]
        ):
            batch.extend(self.draw_burst(burst["unit"], burst["count"]))
        for start in range(0, len(batch), CHUNK):
            self._insert_chunk(batch[start : start + CHUNK], added)
        return added

    # -- one response -----------------------------------------------------------------------
    def draw(self, unit_code):
        rng = self.rng
        paper = rng.random() < (0.45 if self.minority[unit_code] else 0.15)
        person = self.mean + data.VILLAGE_SHIFT[unit_code] + rng.gauss(0, PERSON_SD)
        answers = self.answer_all(person)
        submitted = self.opens_at + timedelta(days=rng.uniform(0, 60))
        if paper:
            # Typed in by the village officer during office hours.
            submitted = submitted.replace(hour=rng.randint(8, 16), minute=rng.randint(0, 59))
            duration = None
        else:
            submitted = submitted.replace(hour=rng.randint(6, 21))
            duration = int(rng.lognormvariate(5.0, 0.45))
        return self.row(unit_code, answers, submitted, duration, "paper" if paper else "web")

    def draw_burst(self, unit_code, count):
        """Identical all-top answers sent within minutes: what integrity checks must flag."""
        start = datetime(self.planned.year, 10, 20, 20, 5, tzinfo=COMMUNE_TIME)
        rows = []
        for i in range(count):
            answers = {}
            for code, q in self.questions.items():
                if q.kind == "likert5":
                    answers[code] = 5
                elif q.kind == "nps":
                    answers[code] = 10
                elif q.kind == "yesno":
                    answers[code] = 1
                elif q.kind == "single":
                    answers[code] = q.option_codes[-1]
            submitted = start + timedelta(seconds=20 * i)
            rows.append(self.row(unit_code, answers, submitted, 20 + i % 9, "web"))
        return rows

    def row(self, unit_code, answers, submitted, duration, channel):
        rng = self.rng
        receipt = draw_receipts(1, self.receipts.intersection, rng)[0]
        self.receipts.add(receipt)
        sheet = None
        if channel == "paper":
            number = self.paper_numbers.get(unit_code, 0) + 1
            self.paper_numbers[unit_code] = number
            sheet = f"{unit_code}-{number:04d}"
        response = {
            "commune_id": self.survey.commune_id,
            "survey_id": self.survey.id,
            "unit_id": self.units[unit_code].id,
            "submission_uid": uid_digest(str(uuid.UUID(int=rng.getrandbits(128), version=4))),
            # Drawn, not derived: the demo never resends. Kept apart, in ReceiptCode.
            "receipt_attempt": None,
            "answers_digest": answers_digest(answers),
            "channel": channel,
            "lang": "en" if channel == "web" and rng.random() < 0.01 else "vi",
            "sheet_no": sheet,
            "submitted_at": submitted.astimezone(timezone.utc),
            "duration_s": duration,
            "uniform_likert": uniform_likert(answers, self.kinds),
            # Gathered long ago: every batch was released.
            "released": True,
        }
        return response, answers, unit_code, receipt

    def answer_all(self, person):
        rng = self.rng
        answers = {}
        for code, q in self.questions.items():
            if q.show_if and answers.get(q.show_if["question"]) not in q.show_if["in"]:
                continue
            if not q.required and q.kind != "text" and rng.random() < 0.06:
                continue  # optional questions are sometimes skipped
            value = self.answer(q, person)
            if value is not None:
                answers[code] = value
        return answers

    def answer(self, q, person):
        rng = self.rng
        if q.kind == "likert5":
            latent = person + rng.gauss(0, ITEM_SD)
            return 1 + sum(latent > cut for cut in CUTS)
        if q.kind == "nps":
            return max(0, min(10, round(7 + 2.2 * (person - self.mean) + rng.gauss(0, 1.2))))
        if q.kind == "yesno":
            return int(rng.random() < 0.35 + 0.5 * self.share)
        if q.kind == "number":
            attendance = 0.45 + 0.45 * self.share
            return sum(rng.random() < attendance for _ in range(int(q.max_value or 12) // 2))
        if q.kind == "single":
            # Happier respondents pick later options (more contact, better outcomes) more often.
            weights = [1 + 2 * i * self.share for i in range(len(q.option_codes))]
            return rng.choices(q.option_codes, weights=weights)[0]
        if q.kind == "multi":
            chance = 0.25 + 0.45 * self.share
            chosen = [code for code in q.option_codes[:-1] if rng.random() < chance]
            return chosen or [q.option_codes[-1]]
        if q.kind == "text":
            chance = 0.45 if q.show_if else 0.08
            return rng.choice(data.COMMENTS) if rng.random() < chance else None
        raise ValueError(f"question kind {q.kind!r}")

    # -- bulk insert --------------------------------------------------------------------------
    def _insert_chunk(self, batch, added):
        conn = db.session.connection()
        ids = insert_rows(conn, Response.__table__, [entry[0] for entry in batch], return_ids=True)
        receipts = [
            {"code": receipt, "survey_id": self.survey.id, "commune_id": self.survey.commune_id}
            for response, _a, _u, receipt in batch
            if response["channel"] == "web"
        ]
        insert_rows(conn, ReceiptCode.__table__, sorted(receipts, key=lambda r: r["code"]))
        plain, texts = [], []
        for response_id, (_response, answers, _unit, _receipt) in zip(ids, batch, strict=True):
            for question, row in long_format(response_id, answers, self.questions):
                (texts if question.kind == "text" else plain).append(row)
        insert_rows(conn, Answer.__table__, plain)
        by_response = dict(zip(ids, batch, strict=True))
        responses = {response_id: entry[0] for response_id, entry in by_response.items()}
        sums = criterion_rows(plain, self.questions_by_id, responses)
        insert_rows(conn, ResponseCriterion.__table__, sums)
        text_ids = insert_rows(conn, Answer.__table__, texts, return_ids=True)
        items = [
            self.feedback_row(answer_id, row, by_response[row["response_id"]])
            for answer_id, row in zip(text_ids, texts, strict=True)
            if self.questions_by_id[row["question_id"]].feedback
        ]
        insert_rows(conn, FeedbackItem.__table__, items)
        added.responses += len(ids)
        added.answers += len(plain) + len(texts)
        added.feedback += len(items)

    def feedback_row(self, answer_id, answer_row, entry):
        """The inbox row of a demo comment, moved along as far as the story says."""
        rng = self.rng
        response, _answers, unit_code, _receipt = entry
        q = self.questions_by_id[answer_row["question_id"]]
        received = response["submitted_at"]
        row = feedback_row(
            q, answer_id, answer_row["text"], self.survey, self.units[unit_code].id, received
        )
        # Fast answerers improve; the slipping organization lets feedback wait in its last year.
        slow = self.planned.org == "nongdan" and self.planned.year == data.YEARS[-1]
        days = rng.randint(20, 75) if slow else rng.randint(3, 28)
        answered = received + timedelta(days=days)
        latest = self.planned.year == data.YEARS[-1]
        if latest:
            # The year just ended: most comments are answered, the slipping organization's less.
            answered_share = 0.35 if slow else 0.85
            pending = rng.choice(("new", "in_progress", "forwarded"))
            status = "answered" if rng.random() < answered_share else pending
        else:
            status = "closed"
        row["status"] = status
        if status in ("answered", "closed"):
            reply = data.REPLIES[answer_row["text"]]
            row.update(
                public_reply=reply,
                answered_at=answered,
                published=rng.random() < 0.6,
                updated_at=answered,
            )
            if status == "closed":
                row["closed_at"] = answered + timedelta(days=7)
                row["updated_at"] = row["closed_at"]
        elif status == "forwarded":
            row.update(
                forwarded_to="UBND xã",
                forwarded_at=received + timedelta(days=2),
                updated_at=received + timedelta(days=2),
            )
        return row


def _indicator(org, year):
    """Annual figures consistent with the organization's story for that year."""
    share = data.SATISFACTION[org.code][year]
    s = max(0.0, min(1.0, (share - 0.5) / 0.4))  # 0 weak .. 1 strong
    first = data.YEARS[0]
    members = org.members_count + round(org.members_count * 0.03 * (year - first))
    target = max(2, round(org.members_count * 0.05))
    new = round(target * (0.6 + 0.6 * s))
    planned = 6 if org.code == "mttq" else 4
    issued = 12 if org.code == "mttq" else 6
    return AnnualIndicator(
        organization=org,
        year=year,
        members_start=members,
        members_end=members + new - round(new * 0.4),
        new_members=new,
        new_members_target=target,
        activities_required=12,
        activities_held=min(12, round(12 * (0.72 + 0.3 * s))),
        attendance_rate=round(0.55 + 0.33 * s, 3),
        attendance_target=0.7,
        campaign_members=round(members * (0.38 + 0.4 * s)),
        supervision_planned=planned,
        supervision_done=min(planned, round(planned * (0.5 + 0.6 * s))),
        recommendations_issued=issued,
        recommendations_answered=min(issued, round(issued * (0.5 + 0.5 * s))),
        dialogues_planned=2,
        dialogues_held=2 if s > 0.4 else 1,
        shortcomings_identified=3,
        shortcomings_remedied=min(3, round(3 * (0.4 + 0.6 * s))),
        # One member of a weaker organization disciplined: no "xuất sắc" for it that year.
        members_disciplined=1 if s < 0.3 else 0,
        note="",
        created_at=datetime(year + 1, 1, 10, tzinfo=COMMUNE_TIME),
        updated_at=datetime(year + 1, 1, 10, tzinfo=COMMUNE_TIME),
    )
