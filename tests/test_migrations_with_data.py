"""Upgrading a commune's database from any earlier revision keeps every row it holds, and the
app then works on it as if this version had stored the data itself.

A commune upgrades on its own schedule, from whatever revision its database is at. The data
below is a season of a commune's work, written as the rows of that revision's schema: inserted
into its tables as reflected from the database, never through the models (which describe only
the newest schema).
"""

import hashlib
import random
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace
from unittest.mock import patch

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask_migrate import upgrade

from app import create_app
from survey.core.extensions import db
from survey.models import FeedbackItem, Response, ResponseCriterion, Survey
from survey.ratings.evaluation import evaluate_year
from survey.ratings.rulesets import commune_rules
from survey.responses.storing import criterion_rows
from survey.responses.submission import answers_digest, new_receipt, uid_digest, uniform_likert
from tests.conftest import base_config, new_empty_database
from tests.factories import submit_and_commit
from tests.test_migrations import schema_differences

# Every revision, oldest first; the head is the last.
REVISIONS = [
    "a8b71c520bba",
    "d8a30e455204",
    "59d2371abfbb",
    "7c4e9b1d2a60",
    "e5b2c4a7f913",
    "e5b2c8d41f97",
    "936500b8bb18",
    "e0f670307dc7",
    "8b565b61b76d",
    "b14b6c81a05c",
    "46a27c303058",
    "fb1554fe7602",
    "964be31c20be",
    "49a89cbf2e8b",
    "a2f0da96d8f8",
    "fddb7ef773db",
    "e580a9b0ee76",
    "2bb9d61c1bfe",
]
COMMUNES = "a2f0da96d8f8"  # a province of communes: the existing rows become one commune's
# The tables that name their commune from COMMUNES on (the first two may name none).
COMMUNE_OWNED = (
    "user",
    "audit_log",
    "organization",
    "unit",
    "setting",
    "survey",
    "response",
    "receipt",
    "release_batch",
    "invitation",
    "paper_entry",
    "paper_typing",
    "annual_indicator",
    "feedback_item",
    "programme",
    "task",
    "task_note",
    "task_evidence",
    "dialogue",
    "dialogue_issue",
    "evaluation",
    "year_assessment",
    "organization_head",
    "commendation",
)
UNLINKED = "e5b2c4a7f913"  # nothing leads from a slip or a receipt to the answers
# What the data fills that a later revision added (read from migrations/versions).
ADDED_BY = {
    "paper_entry": "d8a30e455204",
    "survey.double_entry": "d8a30e455204",
    "user.session_version": "59d2371abfbb",
    "response.uniform_likert": "7c4e9b1d2a60",
    "response_criterion": "7c4e9b1d2a60",
    "invitation.used": UNLINKED,
    "response.receipt_attempt": UNLINKED,
    "response.released": UNLINKED,
    "response_criterion.released": UNLINKED,
    "receipt": UNLINKED,
    "release_batch": UNLINKED,
    "sign_in": "e5b2c8d41f97",
    "paper_typing": "936500b8bb18",
    "fast_sheet": "936500b8bb18",
    "annual_indicator.members_disciplined": "e0f670307dc7",
    "year_assessment": "8b565b61b76d",
    "organization.is_front": "8b565b61b76d",
    "organization_head": "b14b6c81a05c",
    "commendation": "46a27c303058",
    "organization.leads_commendations": "46a27c303058",
    "programme": "fb1554fe7602",
    "programme_party": "fb1554fe7602",
    "task": "fb1554fe7602",
    "task_note": "964be31c20be",
    "task_evidence": "964be31c20be",
    "dialogue": "964be31c20be",
    "dialogue_issue": "964be31c20be",
    "feedback_item.task_id": "964be31c20be",
    "user.email": "49a89cbf2e8b",
    "province": COMMUNES,
    "commune": COMMUNES,
    **{f"{table}.commune_id": COMMUNES for table in COMMUNE_OWNED},
    "province_setting": "fddb7ef773db",
    "survey_audio": "2bb9d61c1bfe",
    "survey.audio_autoplay": "2bb9d61c1bfe",
}
# What a later revision removed on purpose: the values that linked a slip, a receipt or a
# start time to a response; and what it changed: the submission id kept as its digest.
DROPPED_BY = {
    "invitation.used_at": UNLINKED,
    "response.receipt": UNLINKED,
    "response.started_at": UNLINKED,
}
CHANGED_BY = {"response.submission_uid": (UNLINKED, uid_digest)}
# Rows compared across databases in this order: the row's id is the database's choice.
NATURAL_ORDER = {"response_criterion": ("response_id", "criterion", "organization_id")}
WITHOUT_ID = {"setting", "survey_organization", "fast_sheet", "programme_party", "province_setting"}

T0 = datetime(2025, 3, 3, 1, 30, tzinfo=timezone.utc)  # 8:30 in the commune
PASSWORD_HASH = "scrypt:32768:8:1$kqv3ZTbM$" + "5f0e" * 32
RULES_TOML = 'name = "tan-lap-2025"\n\n[surveys]\nmin_n_eff = 5\n'
COMMENTS = [
    "Đường liên thôn xuống cấp, đề nghị sửa chữa trước mùa mưa.",
    "Cán bộ hội nhiệt tình, hướng dẫn thủ tục rõ ràng.",
    "Đề nghị mở thêm lớp tập huấn kỹ thuật trồng lúa.",
    "Đèn đường thôn Bắc hỏng đã lâu chưa được thay.",
    "Cần thông báo lịch họp sớm hơn cho bà con đi làm xa.",
]
PUBLIC = [
    {"code": "tt1", "kind": "likert5", "criterion": "satisfaction"},
    {"code": "tt2", "kind": "likert5", "criterion": "satisfaction"},
    {"code": "pn", "kind": "likert5", "criterion": "satisfaction", "org": "phunu"},
    {"code": "nd", "kind": "likert5", "criterion": "satisfaction", "org": "nongdan"},
    {"code": "gs", "kind": "likert5", "criterion": "supervision"},
    {"code": "chung", "kind": "likert5"},
    {"code": "tuoi", "kind": "single", "options": ["duoi30", "30-60", "tren60"]},
    {"code": "kenh", "kind": "multi", "options": ["loa", "hop", "zalo", "canbo"]},
    {"code": "biet", "kind": "yesno"},
    {"code": "nps", "kind": "nps"},
    {"code": "songuoi", "kind": "number", "min_value": 1, "max_value": 20},
    {
        "code": "gopy",
        "kind": "text",
        "feedback": True,
        "org": "mttq",
        "show_if": {"question": "biet", "in": [1]},
    },
]
MEMBER = [
    *({"code": f"gs{i}", "kind": "likert5", "criterion": "supervision"} for i in range(1, 6)),
    {"code": "pn_gs", "kind": "likert5", "criterion": "supervision", "org": "phunu"},
    {"code": "vaitro", "kind": "single", "options": ["hoivien", "canbo"]},
    {"code": "kiennghi", "kind": "text", "feedback": True, "org": "phunu"},
]


def table(header, *rows):
    """Rows as dicts: the column names, then each row's values."""
    return [dict(zip(header, row, strict=True)) for row in rows]


ORGANIZATIONS = table(
    ("code", "name", "short_name", "members_count"),
    ("mttq", "Ủy ban Mặt trận Tổ quốc Việt Nam xã Tân Lập", "MTTQ", 0),
    ("phunu", "Hội Liên hiệp Phụ nữ xã Tân Lập", "Hội Phụ nữ", 3120),
    ("nongdan", "Hội Nông dân xã Tân Lập", "Hội Nông dân", 2480),
    ("ccb", "Hội Cựu chiến binh xã Tân Lập", "Hội CCB", 640),
    ("doan", "Đoàn TNCS Hồ Chí Minh xã Tân Lập", "Đoàn Thanh niên", 1150),
)
VILLAGES = table(
    ("code", "name", "adult_population", "households"),
    ("dong", "Thôn Đông", 1450, 520),
    ("tay", "Thôn Tây", 980, 340),
    ("trung", "Thôn Trung", 2100, 760),
    ("bac", "Thôn Bắc", 760, 290),
    ("nam", "Thôn Nam", 1320, 470),
)
STAFF = [  # username, role, organization, village
    ("admin", "admin", None, None),
    ("bithu", "committee", None, None),
    ("thanhtra", "inspector", None, None),
    ("cb_mttq", "org_officer", "mttq", None),
    ("cb_phunu", "org_officer", "phunu", None),
    ("cb_nongdan", "org_officer", "nongdan", None),
    ("truongthon", "unit_officer", None, "dong"),
]
SETTINGS = {
    "COMMUNE_NAME": "xã Tân Lập",
    "DISTRICT_NAME": "huyện Đông Anh",
    "SUPPRESSION_K": 5,
    "RULES_TOML": RULES_TOML,
}
AUDIT = table(
    ("username", "action", "target", "details"),
    ("admin", "user.create", "cb_phunu", {"before": {}, "after": {"role": "org_officer"}}),
    ("admin", "survey.update", "hl-2025", {"before": {"version": 1}, "after": {"version": 2}}),
    ("admin", "survey.open", "hl-2025", {}),
    ("admin", "ruleset.update", "rules", {"before": {"text": ""}, "after": {"text": RULES_TOML}}),
    ("bithu", "setting.update", "commune", {"before": {}, "after": {"SUPPRESSION_K": 5}}),
    ("(command line)", "responses.import", "hl-2025", {"rows": 7}),
)
FEEDBACK_STEPS = ("new", "in_progress", "forwarded", "answered", "closed")
RANGES = {"yesno": (0, 1), "nps": (0, 10), "number": (1, 9)}  # of the other answers drawn


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def likert(rng):
    """An answer on the five-point scale, mostly agreeing, as the commune's answers are."""
    return rng.choices([1, 2, 3, 4, 5], weights=[1, 2, 4, 6, 4])[0]


class Tables(dict):
    """Rows by table name, parents first (the order tables are first added); each row gets the
    next id of its table."""

    def add(self, table, **row):
        rows = self.setdefault(table, [])
        if table not in WITHOUT_ID:
            row = {"id": len(rows) + 1} | row
        rows.append(row)
        return row.get("id")


class Commune(Tables):
    """A commune's rows, every table and column of the newest revision before the head."""

    def __init__(self):
        super().__init__()
        self.rng = random.Random(2025)
        self.orgs = {
            org["code"]: self.add(
                "organization",
                position=i,
                is_front=org["code"] == "mttq",
                leads_commendations=org["code"] == "doan",
                **org,
            )
            for i, org in enumerate(ORGANIZATIONS)
        }
        self.villages = [self.add("unit", position=i, **v) for i, v in enumerate(VILLAGES)]
        self.staff = {}
        for username, role, org, village in STAFF:
            self.staff[username] = self.add(
                "user",
                username=username,
                password_hash=PASSWORD_HASH,
                full_name=f"Cán bộ {username}",
                email=f"{username}@tanlap.gov.vn" if org else "",
                role=role,
                organization_id=self.orgs.get(org),
                unit_id=self.villages[0] if village else None,
                active=role != "inspector",
                last_login=None if role == "inspector" else T0 + timedelta(days=40),
                created_at=utc(2024, 1, 8),
                session_version=3 if role == "admin" else 0,
            )
        for key, value in SETTINGS.items():
            self.add("setting", key=key, value=value)

    def survey(self, code, year, questions, evaluates, **fields):
        """A survey, the organizations it evaluates and its questions; returns its id and its
        questions by code (with their ids and option ids)."""
        survey_id = self.add(
            "survey",
            **{
                "code": code,
                "title": {"vi": f"Khảo sát {code}", "en": f"Survey {code}"},
                "description": {"vi": "Ý kiến của bà con giúp các hội làm tốt hơn."},
                "audience": "public",
                "topic": "satisfaction",
                "year": year,
                "status": "closed",
                "opens_at": utc(year, 3, 1),
                "closes_at": utc(year, 11, 30),
                "languages": ["vi", "en"],
                "double_entry": False,
                "version": 1,
                "previous_id": None,
                "created_by_id": self.staff["admin"],
                "created_at": utc(year, 2, 20),
                "updated_at": utc(year, 2, 25),
            }
            | fields,
        )
        for org in evaluates:
            self.add("survey_organization", survey_id=survey_id, organization_id=self.orgs[org])
        by_code = {}
        for position, q in enumerate(questions):
            question_id = self.add(
                "question",
                survey_id=survey_id,
                code=q["code"],
                position=position,
                kind=q["kind"],
                text={"vi": f"Câu hỏi {q['code']}", "en": f"Question {q['code']}"},
                help={},
                required=q["kind"] == "likert5",
                criterion=q.get("criterion"),
                organization_id=self.orgs.get(q.get("org")),
                show_if=q.get("show_if"),
                feedback=q.get("feedback", False),
                min_value=q.get("min_value"),
                max_value=q.get("max_value"),
                max_length=500 if q["kind"] == "text" else None,
            )
            options = {
                option: self.add(
                    "option",
                    question_id=question_id,
                    code=option,
                    label={"vi": option},
                    value=float(i + 1),
                    position=i,
                )
                for i, option in enumerate(q.get("options", []))
            }
            by_code[q["code"]] = q | {"id": question_id, "options": options}
        return survey_id, by_code

    def respond(self, survey_id, questions, i, at, unit_id, channel, sheet_no=None):
        """The `i`th response to a survey, with answers to most of its questions (every 11th
        gives every likert question the same answer; the 8th is quick); returns the answers."""
        rng = self.rng
        straight = likert(rng) if i % 11 == 5 else None
        answers = {}
        for code, q in questions.items():
            kind = q["kind"]
            if kind == "likert5" and (straight or rng.random() > 0.08):
                answers[code] = straight or likert(rng)
            elif kind == "single":
                answers[code] = rng.choice(list(q["options"]))
            elif kind == "multi":
                answers[code] = rng.sample(list(q["options"]), rng.randint(1, 3))
            elif kind in RANGES:
                answers[code] = rng.randint(*RANGES[kind])
            elif kind == "text" and rng.random() < 0.5:
                answers[code] = rng.choice(COMMENTS)
        duration = 14 if i == 7 else rng.randint(90, 900)
        web = channel == "web"
        response_id = self.add(
            "response",
            survey_id=survey_id,
            unit_id=unit_id,
            submission_uid=f"5e1f0c2a-0000-4000-8000-{len(self.get('response', [])):012d}",
            receipt=new_receipt(rng),
            answers_digest=answers_digest(answers),
            channel=channel,
            lang="en" if i % 13 == 4 else "vi",
            sheet_no=sheet_no,
            started_at=at - timedelta(seconds=duration) if web else None,
            receipt_attempt=None,  # drawn, not derived (before UNLINKED)
            released=True,  # long counted
            submitted_at=at,
            duration_s=duration if web else None,
        )
        for code, value in answers.items():
            q = questions[code]
            row = {"response_id": response_id, "question_id": q["id"], "kind": q["kind"]}
            row |= {"option_id": None, "number": None, "text": None}
            if q["kind"] in ("single", "multi"):
                for option in value if q["kind"] == "multi" else [value]:
                    self.add("answer", **row | {"option_id": q["options"][option]})
            elif q["kind"] == "text":
                answer_id = self.add("answer", **row | {"text": value})
                self.feedback(q["org"], survey_id, unit_id, answer_id, value, at)
            else:
                self.add("answer", **row | {"number": float(value)})
        return answers

    def feedback(self, org, survey_id, unit_id, answer_id, text, received):
        """A feedback item at one step of its way in turn: new, in progress, forwarded,
        answered (in time or late, published or not), closed."""
        k = len(self.get("feedback_item", []))
        status = FEEDBACK_STEPS[k % 5]
        replied = status in ("answered", "closed")
        forwarded = status == "forwarded"
        answered = received + timedelta(days=(5, 14, 23, 41)[k % 4], hours=3)
        self.add(
            "feedback_item",
            organization_id=self.orgs[org],
            survey_id=survey_id,
            unit_id=unit_id,
            answer_id=answer_id,
            text=text,
            task_id=None,
            topic=("hạ tầng", None)[k % 2],
            status=status,
            public_reply="Đã chuyển UBND xã, sẽ sửa trong quý III." if replied else "",
            published=replied and k % 3 != 0,
            forwarded_to="UBND xã" if forwarded else "",
            received_at=received,
            forwarded_at=received + timedelta(days=2) if forwarded else None,
            answered_at=answered if replied else None,
            closed_at=answered + timedelta(days=1) if status == "closed" else None,
            updated_at=answered + timedelta(days=1) if replied else received,
        )

    def indicators(self, year):
        """Each organization's annual figures for `year` (one veto, one figure not in yet)."""
        rng = self.rng
        for code, org_id in self.orgs.items():
            members = None if code == "mttq" else 100 + 17 * org_id
            self.add(
                "annual_indicator",
                organization_id=org_id,
                year=year,
                members_start=members,
                members_end=members and members + rng.randint(-5, 25),
                new_members=rng.randint(5, 30),
                new_members_target=20,
                activities_required=12,
                activities_held=rng.randint(9, 12),
                attendance_rate=None if code == "doan" else rng.randint(70, 98) / 100,
                attendance_target=0.8,
                campaign_members=rng.randint(50, 300),
                supervision_planned=4,
                supervision_done=rng.randint(2, 4),
                recommendations_issued=6,
                recommendations_answered=rng.randint(3, 6),
                dialogues_planned=2,
                dialogues_held=rng.randint(1, 2),
                shortcomings_identified=5,
                shortcomings_remedied=rng.randint(2, 5),
                members_disciplined=1 if (code, year) == ("ccb", 2024) else 0,
                veto_discipline=False,
                veto_disunity=(code, year) == ("ccb", 2024),
                note="Số liệu của văn phòng Đảng ủy.",
                updated_by_id=self.staff.get(f"cb_{code}", self.staff["admin"]),
                created_at=utc(year, 11, 2),
                updated_at=utc(year, 12, 1),
            )

    def steps(self, year):
        """The year's steps: a self-assessment, a review and a decision (one adjusted), the
        heads of two organizations, and the list of commendations."""
        for code, org_id in self.orgs.items():
            adjusted = code == "nongdan"
            self.add(
                "year_assessment",
                organization_id=org_id,
                year=year,
                strengths="Hoàn thành các chỉ tiêu chủ yếu.",
                limitations="Sinh hoạt ở thôn xa chưa đều.",
                causes="Mùa vụ.",
                remedies="Sinh hoạt theo cụm thôn.",
                proposed_tier="tot",
                self_by_id=self.staff.get(f"cb_{code}", self.staff["admin"]),
                self_at=utc(year, 12, 10),
                review="" if code == "mttq" else "Nhất trí.",
                reviewed_by_id=None if code == "mttq" else self.staff["cb_mttq"],
                reviewed_at=None if code == "mttq" else utc(year, 12, 15),
                decided_tier="xuat_sac" if adjusted else "tot",
                computed_tier="tot",
                decision_reason="Thành tích đột xuất phòng chống bão." if adjusted else "",
                decided_by_id=self.staff["bithu"],
                decided_at=utc(year + 1, 1, 10),
            )
        for code, name, position in (
            ("phunu", "Nguyễn Thị Mai", "Chủ tịch"),
            ("nongdan", "Trần Văn Lộc", "Phó Chủ tịch"),
        ):
            self.add(
                "organization_head",
                organization_id=self.orgs[code],
                year=year,
                name=name,
                position=position,
                decided_tier="tot",
                decision_reason="",
                decided_by_id=self.staff["bithu"],
                decided_at=utc(year + 1, 1, 10),
            )
        self.add(
            "commendation",
            year=year,
            organization_id=self.orgs["phunu"],
            head_name="",
            ground="excellent",
            note="Hoàn thành xuất sắc nhiệm vụ.",
            added_by_id=self.staff["admin"],
            added_at=utc(year + 1, 1, 12),
            confirmed_by_id=self.staff["admin"],
            confirmed_at=utc(year + 1, 1, 13),
        )

    def programme(self, year):
        """A coordination programme of `year` between two organizations, with their tasks: on
        time, late, not done, cancelled."""
        programme_id = self.add(
            "programme",
            year=year,
            title="Chương trình phối hợp giảm nghèo",
            topic="Giảm nghèo bền vững",
            with_commune_government=True,
            created_at=utc(year, 1, 5),
        )
        for code in ("phunu", "nongdan"):
            self.add("programme_party", programme_id=programme_id, organization_id=self.orgs[code])
        for code, title, due, done, status, note in (
            ("phunu", "Tập huấn kỹ thuật", date(year, 3, 31), date(year, 3, 30), "done", ""),
            ("nongdan", "Vay vốn hộ nghèo", date(year, 6, 30), date(year, 7, 4), "done", ""),
            ("nongdan", "Hội thi nhà nông", date(year, 9, 30), None, "cancelled", "Bão số 3."),
            ("phunu", "Sửa nhà hộ nghèo", date(year, 11, 30), None, "in_progress", ""),
        ):
            self.add(
                "task",
                programme_id=programme_id,
                organization_id=self.orgs[code],
                title=title,
                owner="Cán bộ " + code,
                supporting="UBND xã",
                started_on=date(year, 1, 15),
                due_on=due,
                status=status,
                done_on=done,
                note=note,
                updated_at=utc(year, 12, 1),
            )

    def follow_up(self, year):
        """Progress notes and evidence on the year's first task, a feedback item made its task,
        and a dialogue held with two issues: one answered, one made a task."""
        task_id = self["task"][-1]["id"]
        self.add(
            "task_note",
            task_id=task_id,
            written_on=date(year, 10, 2),
            text="Đã khảo sát 3 hộ.",
            by_id=self.staff["cb_phunu"],
            created_at=utc(year, 10, 2),
        )
        self.add(
            "task_evidence",
            task_id=task_id,
            stored_name="3f2a9c1e7b5d4a6c8e0f1a2b3c4d5e6f.jpg",
            filename="nha-ho-ngheo.jpg",
            content_type="image/jpeg",
            size=48213,
            caption="Nhà bà Hoa đang sửa",
            public=True,
            uploaded_by_id=self.staff["cb_phunu"],
            uploaded_at=utc(year, 10, 2, 4),
        )
        self["feedback_item"][0]["task_id"] = task_id
        dialogue_id = self.add(
            "dialogue",
            organization_id=self.orgs["mttq"],
            kind="dialogue",
            title="Đối thoại giữa Chủ tịch UBND xã với Nhân dân",
            held_on=date(year, 8, 20),
            held=True,
            unit_id=self.villages[0],
            organizers="MTTQ, UBND xã",
            leaders_present="Chủ tịch UBND xã",
            attending=64,
            note="",
            updated_at=utc(year, 8, 21),
        )
        for text, answer, task in (
            ("Đường liên thôn xuống cấp.", "", task_id),
            ("Lịch tiêm chủng?", "Ngày 5 hằng tháng tại trạm y tế.", None),
        ):
            self.add(
                "dialogue_issue",
                dialogue_id=dialogue_id,
                text=text,
                answer=answer,
                task_id=task,
                created_at=utc(year, 8, 20, 3),
            )

    def finalize(self, year):
        """The Standing Committee's ratings of `year`, fixed."""
        for code, org_id in self.orgs.items():
            score, tier = {"phunu": (91.5, "xuat_sac"), "ccb": (48.0, "khong_hoan_thanh")}.get(
                code, (76.25, "tot")
            )
            rated = {"org": code, "score": score, "tier": tier, "criteria": [], "vetoes": []}
            self.add(
                "evaluation",
                organization_id=org_id,
                year=year,
                score=score,
                tier=tier,
                details={"vi": rated, "en": rated},
                ruleset_name="default",
                ruleset_text=RULES_TOML,
                data_digest=hashlib.sha256(code.encode()).hexdigest(),
                reason="Kết luận của Ban Thường vụ." if code == "ccb" else "",
                finalized_by_id=self.staff["bithu"],
                finalized_at=utc(year + 1, 1, 15, 3),
            )


def commune(revision):
    """A commune's database at `revision`: villages, organizations, staff, last year's and this
    year's surveys with their responses on the web, on paper (keyed in twice) and imported,
    invitations, feedback and replies, annual figures, finalized ratings, settings (a rule
    set among them) and the audit trail. The same rows every time."""
    c = Commune()
    c.programme(2025)  # before the feedback items, which may name a task
    everyone = list(c.orgs)
    old_id, old = c.survey("hl-2024", 2024, PUBLIC, everyone)
    public_id, public = c.survey(
        "hl-2025", 2025, PUBLIC, everyone, status="open", version=2, previous_id=old_id
    )
    member_id, member = c.survey(
        "gs-2025",
        2025,
        MEMBER,
        ["phunu", "nongdan"],
        audience="member",
        topic="supervision",
        double_entry=True,
    )
    c.survey("nhap-2025", 2025, PUBLIC[:2], ["doan"], status="draft", topic="other")
    for i in range(24):
        at = utc(2024, 5, 6, 2) + timedelta(hours=7 * i)
        c.respond(old_id, old, i, at, c.villages[i % 5], "web")
    for i in range(72):
        channel = "paper" if i % 6 == 0 else "import" if i % 10 == 3 else "web"
        sheet = f"HL-{i:03d}" if channel == "paper" else None
        unit = None if i % 20 == 13 else c.villages[i % 5]  # imported without a village
        c.respond(public_id, public, i, T0 + timedelta(minutes=133 * i), unit, channel, sheet)
    for i in range(30):  # members: 20 invitation slips used on the web, 10 paper sheets
        at, unit = T0 + timedelta(days=30, minutes=45 * i), c.villages[i % 5]
        c.add(
            "invitation",
            survey_id=member_id,
            unit_id=unit,
            code_hash=hashlib.sha256(f"slip-{i}".encode()).hexdigest(),
            created_on=date(2025, 3, 20),
            used_at=at.date() if i < 20 else None,
            used=i < 20,
        )
        if i < 20:
            c.respond(member_id, member, i, at, unit, "web")
            continue
        sheet = f"GS-{i:03d}"
        answers = c.respond(member_id, member, i, at, unit, "paper", sheet)
        for pass_no, clerk in ((1, "truongthon"), (2, "cb_phunu")):
            c.add(
                "paper_entry",
                survey_id=member_id,
                unit_id=unit,
                sheet_no=sheet,
                pass_no=pass_no,
                answers=answers,
                entered_by_id=c.staff[clerk],
                entered_at=at - timedelta(hours=2),
            )
    for clerk, sheets in (("truongthon", 10), ("cb_phunu", 11)):  # who typed, how many
        c.add(
            "paper_typing",
            survey_id=member_id,
            user_id=c.staff[clerk],
            typist=clerk,
            sheets=sheets,
            fast_sheets=0,
            run_started_at=None,
            run_last_at=None,
            run_sheets=0,
        )
    c.add("fast_sheet", survey_id=member_id, sheet_no="GS-029")  # counted from a fast typing
    c.add(  # a sheet waiting for its second pass
        "paper_entry",
        survey_id=member_id,
        unit_id=c.villages[2],
        sheet_no="GS-900",
        pass_no=1,
        answers={"gs1": 4, "vaitro": "hoivien"},
        entered_by_id=c.staff["cb_phunu"],
        entered_at=T0 + timedelta(days=33),
    )
    c.feedback("nongdan", None, c.villages[3], None, "Hội nghị thôn Bắc: xin giống lúa.", T0)
    c.indicators(2024)
    c.indicators(2025)
    c.finalize(2024)
    c.steps(2024)
    c.follow_up(2025)
    for k, entry in enumerate(AUDIT):
        who = c.staff.get(entry["username"])
        c.add("audit_log", at=T0 + timedelta(days=k, minutes=5), user_id=who, **entry)
    for username, days in (("admin", 40), ("cb_phunu", 41)):
        started = T0 + timedelta(days=days)
        token_hash = hashlib.sha256(f"{username}-{days}".encode()).hexdigest()
        ended = started + timedelta(hours=8) if username == "admin" else None
        c.add(
            "sign_in",
            user_id=c.staff[username],
            token_hash=token_hash,
            started_at=started,
            ended_at=ended,
        )
    # The province office's default rule set (the same as the commune's own here).
    c.add("province_setting", key="RULES_TOML", value=RULES_TOML, updated_at=T0)
    summed(c)
    kept_apart(c)
    tables = at_revision(c, revision)
    if REVISIONS.index(revision) >= REVISIONS.index(COMMUNES):
        tables = in_one_commune(tables, province="Gia Lai")  # a commune of a province
    return tables


def kept_apart(tables):
    """What UNLINKED keeps apart from the responses: their receipts, and the batch in which
    each survey's responses were released (into `tables`, and returned)."""
    batches = {}
    for response in tables["response"]:
        batches[response["survey_id"]] = batches.get(response["survey_id"], 0) + 1
    tables["receipt"] = sorted(
        ({"code": r["receipt"], "survey_id": r["survey_id"]} for r in tables["response"]),
        key=lambda r: r["code"],
    )
    tables["release_batch"] = [
        {"id": i, "survey_id": survey_id, "released_at": T0, "responses": n}
        for i, (survey_id, n) in enumerate(sorted(batches.items()), 1)
    ]
    return tables


def summed(tables):
    """What 7c4e9b1d2a60 keeps with each response, computed by the functions submit_response
    uses (into `tables`, and returned): its straight-lining count, its likert answers per
    criterion."""
    questions = {q["id"]: SimpleNamespace(**q) for q in tables["question"]}
    answers = tables["answer"]
    for response in tables["response"]:
        likert = {
            a["question_id"]: a["number"] for a in answers if a["response_id"] == response["id"]
        }
        response["uniform_likert"] = uniform_likert(likert, {q: questions[q].kind for q in likert})
    responses = {r["id"]: r for r in tables["response"]}
    tables["response_criterion"] = criterion_rows(answers, questions, responses)
    return tables


def exists_at(revision, name):
    """Whether the table or "table.column" `name` is in the schema of `revision`."""
    added = ADDED_BY.get(name, REVISIONS[0])
    dropped = DROPPED_BY.get(name)
    at = REVISIONS.index(revision)
    return REVISIONS.index(added) <= at and (dropped is None or at < REVISIONS.index(dropped))


def as_upgraded(rows, columns, revision):
    """The rows of tables as they stood at `revision` (table -> rows as tuples in the order of
    `columns`), as the head keeps them: without the columns a later revision dropped, with the
    values it changed changed; returns the kept columns and the rows."""
    head = REVISIONS[-1]
    kept_columns, kept_rows = {}, {}
    for table, names in columns.items():
        kept = [i for i, name in enumerate(names) if exists_at(head, f"{table}.{name}")]
        changes = {}
        for i, name in enumerate(names):
            changed = CHANGED_BY.get(f"{table}.{name}")
            if changed and REVISIONS.index(revision) < REVISIONS.index(changed[0]):
                changes[i] = changed[1]
        kept_columns[table] = [names[i] for i in kept]
        kept_rows[table] = [
            tuple(changes[i](row[i]) if i in changes else row[i] for i in kept)
            for row in rows[table]
        ]
    return kept_columns, kept_rows


def at_revision(tables, revision):
    """`tables` less what `revision` has not yet got or no longer has, with the values it keeps
    otherwise (CHANGED_BY) as it keeps them."""
    at = REVISIONS.index(revision)

    def value(name, v):
        changed = CHANGED_BY.get(name)
        return changed[1](v) if changed and at >= REVISIONS.index(changed[0]) else v

    return {
        table: [
            {
                k: value(f"{table}.{k}", v)
                for k, v in row.items()
                if exists_at(revision, f"{table}.{k}")
            }
            for row in rows
        ]
        for table, rows in tables.items()
        if exists_at(revision, table)
    }


def as_this_version_stores(tables):
    """`tables` (a commune's rows at some revision) as this version would have stored them:
    what it keeps with each response computed by the functions submit_response uses (its
    straight-lining count, its likert answers per criterion); from before UNLINKED, the digest
    of each submission id, the receipts apart, every response released (it counted already),
    a slip's use without its day."""
    tables = dict(tables)
    if "receipt" not in tables:  # written before UNLINKED: the upgrade does what it does
        for response in tables["response"]:
            response["submission_uid"] = uid_digest(response["submission_uid"])
            response |= {"receipt_attempt": None, "released": True}
        kept_apart(tables)
        for response in tables["response"]:
            del response["receipt"], response["started_at"]
        for invitation in tables.get("invitation", []):
            invitation["used"] = invitation.pop("used_at") is not None
    return in_one_commune(summed(tables))


def in_one_commune(tables, province=None):
    """`tables` as COMMUNES keeps them: one commune, named from the saved settings, holding
    every row (in `province`, when named); `tables` as they are when they hold it already."""
    if "commune" in tables:
        return tables
    commune = {
        "id": 1,
        "code": "tan_lap",
        "name": SETTINGS["COMMUNE_NAME"],
        "province_id": 1 if province else None,
        "national_code": "",
        "merged_from": [],
    }
    owned = {
        name: [row | {"commune_id": 1} for row in rows] if name in COMMUNE_OWNED else rows
        for name, rows in tables.items()
    }
    provinces = {"province": [{"id": 1, "name": province}]} if province else {}
    return {**provinces, "commune": [commune], **owned}


def write(conn, tables):
    """Insert `tables` into the tables of the database as it is (parents first); on PostgreSQL,
    move each id sequence past the ids given, as the app's own inserts would have."""
    schema = sa.MetaData()
    schema.reflect(conn)
    for name, rows in tables.items():
        columns = {key for row in rows for key in row}
        conn.execute(schema.tables[name].insert(), [dict.fromkeys(columns) | r for r in rows])
        if conn.dialect.name == "postgresql" and "id" in columns:
            quoted = conn.dialect.identifier_preparer.quote(name)
            conn.execute(
                sa.text(f"SELECT setval(pg_get_serial_sequence(:t, 'id'), MAX(id)) FROM {quoted}"),
                {"t": quoted},
            )


def column_names(conn):
    """Every table of the database (but Alembic's) and its columns."""
    inspector = sa.inspect(conn)
    return {
        table: [c["name"] for c in inspector.get_columns(table)]
        for table in inspector.get_table_names()
        if table != "alembic_version"
    }


def compared_columns(conn):
    """The columns of every table whose values the data decides (not the ids the database
    chooses for the response_criterion rows)."""
    columns = column_names(conn)
    columns["response_criterion"].remove("id")
    columns["release_batch"].remove("released_at")  # when the upgrade ran
    return columns


def contents(conn, columns):
    """The rows of each table of `columns` (table -> column names) as stored, in key order."""
    inspector = sa.inspect(conn)
    found = {}
    for table, names in columns.items():
        order = (
            NATURAL_ORDER.get(table) or inspector.get_pk_constraint(table)["constrained_columns"]
        )
        query = sa.select(*map(sa.column, names)).select_from(sa.table(table))
        found[table] = [tuple(row) for row in conn.execute(query.order_by(*map(sa.column, order)))]
    return found


@pytest.fixture
def reference_database_url(tmp_path, instance_path):
    """A second empty database, for the same data stored by this version."""
    with new_empty_database(tmp_path / "reference.sqlite") as url:
        yield url


def test_every_revision_is_listed():
    """A new migration is tested with data too: it goes into REVISIONS (and ADDED_BY)."""
    scripts = ScriptDirectory(str(Path(__file__).parent.parent / "migrations"))
    assert [s.revision for s in reversed(list(scripts.walk_revisions()))] == REVISIONS


@pytest.mark.parametrize("revision", REVISIONS[:-1])
def test_upgrading_a_commune_from_an_earlier_revision_loses_nothing(
    revision, empty_database_url, reference_database_url
):
    """From `revision` to the head: every row keeps every value it had, the schema is the
    models', and the app reads the data (the evaluation and what it reads, new submissions)
    as if this version had stored it."""
    upgraded = create_app(base_config(empty_database_url))
    with upgraded.app_context():
        upgrade(revision=revision)
        with db.engine.begin() as conn:
            write(conn, commune(revision))
            columns = column_names(conn)
            before = contents(conn, columns)
        assert all(before.values()), "every table of the revision holds rows"

        upgrade()
        assert schema_differences() == []
        kept, expected_rows = as_upgraded(before, columns, revision)
        with db.engine.connect() as conn:
            after = contents(conn, kept)
            stored = contents(conn, compared_columns(conn))
        assert {t: len(rows) for t, rows in after.items()} == {
            t: len(rows) for t, rows in before.items()
        }
        for table, rows in expected_rows.items():
            assert after[table] == rows, table

        # The evaluation counts every 2025 public response given in a village (the flagged
        # ones too, when the rule set counts them).
        evaluation = evaluate_year(2025)
        counting = replace(commune_rules(2025), exclude_flagged=False)
        with patch("survey.ratings.evaluation.commune_rules", lambda year: counting):
            everything = evaluate_year(2025)
        in_villages = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Response)
            .join(Survey)
            .where(Survey.code == "hl-2025", Response.unit_id.is_not(None))
        )
        satisfaction = {
            c.n for r in everything.results for c in r.rating.criteria if c.code == "satisfaction"
        }
        assert satisfaction == {in_villages}
        db.session.remove()

    # The same rows stored by this version: what it keeps with each response computed by the
    # functions that submit_response uses.
    reference = create_app(base_config(reference_database_url))
    with reference.app_context():
        upgrade()
        with db.engine.begin() as conn:
            write(conn, as_this_version_stores(commune(revision)))
            expected = contents(conn, compared_columns(conn))
        for table, rows in expected.items():
            assert stored[table] == rows, table
        assert evaluate_year(2025) == evaluation
        db.session.remove()
        db.engine.dispose()

    # New ids follow the stored ones: a response, its answers, sums and feedback item go in.
    with upgraded.app_context():
        survey = db.session.scalar(sa.select(Survey).where(Survey.code == "hl-2025"))
        answers = {q.code: 4 for q in survey.questions if q.kind == "likert5"}
        submit_and_commit(survey, answers | {"biet": 1, "gopy": "Cảm ơn"}, submission_uid="new")
        new = db.session.scalar(
            sa.select(Response).where(Response.submission_uid == uid_digest("new"))
        )
        sums = db.session.scalars(
            sa.select(ResponseCriterion).where(ResponseCriterion.response_id == new.id)
        ).all()
        assert new.uniform_likert == len(answers)
        # Its likert answers per criterion and tagged organization: all, Phụ nữ, Nông dân.
        assert sorted(s.criterion for s in sums) == ["satisfaction"] * 3 + ["supervision"]
        latest = sa.select(FeedbackItem.text).order_by(FeedbackItem.id.desc()).limit(1)
        assert db.session.scalar(latest) == "Cảm ơn"
        db.session.remove()
        db.engine.dispose()
