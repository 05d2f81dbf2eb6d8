"""The daily e-mail of tasks due soon and overdue (`flask tasks digest`), sent to a real SMTP
server the test starts (aiosmtpd): one letter to each active officer with an address of each
organization with such tasks, in Vietnamese, the tasks in the workspace home's order; a refused
recipient does not stop the others; no SMTP_HOST, nothing sent; one audit entry a run."""

import email
import re
import socket
from datetime import timedelta
from email import policy

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from survey.core.extensions import db
from survey.core.mail import MailSettings
from survey.models import AuditLog, User
from survey.programmes.year_tasks import commune_today
from tests.factories import make_organization, make_user
from tests.programmes.world import make_programme, make_task

PASSWORD = "a-long-password"
REFUSED = "tu.choi@hoinongdan.vn"


class Mailbox:
    """An SMTP server's handler: keeps each message it takes; refuses REFUSED when told."""

    def __init__(self):
        self.messages = []
        self.refuse = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        parsed = email.message_from_bytes(envelope.original_content, policy=policy.default)
        self.messages.append((tuple(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"

    def to(self, address):
        """The one message to `address`."""
        [found] = [m for rcpt, m in self.messages if rcpt == (address,)]
        return found


def text(message):
    """A message's text as written (the wire's CRLF line ends made LF again)."""
    return message.get_content().replace("\r\n", "\n")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(app):
    """A mail server on 127.0.0.1, and the app set to send through it."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config |= {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": controller.port,
        "MAIL_FROM": "nhacviec@hatam.gov.vn",
        "SMTP_TIMEOUT_SECONDS": 5,
    }
    yield mailbox
    controller.stop()


@pytest.fixture
def world(db):
    """Hội Nông dân: two tasks overdue, one due in 5 days; Hội Phụ nữ: one due today; Đoàn
    Thanh niên: one due in a month. Officers with and without addresses, active or not."""
    today = commune_today()
    nongdan = make_organization(db, code="nongdan", name="Hội Nông dân xã", position=1)
    phunu = make_organization(db, code="phunu", name="Hội Phụ nữ xã", position=2)
    doan = make_organization(db, code="doan", name="Đoàn Thanh niên xã", position=3)
    poverty = make_programme(db, title="Chương trình phối hợp giảm nghèo", year=today.year)
    roads = make_programme(db, title="Chương trình xây dựng nông thôn mới", year=today.year)
    tasks = {
        "late1": make_task(
            db, nongdan, today - timedelta(days=1), poverty, title="Hỗ trợ hộ nghèo"
        ),
        "late3": make_task(
            db, nongdan, today - timedelta(days=3), roads, title="Sửa kênh mương", owner="Lê Văn Ba"
        ),
        "soon": make_task(db, nongdan, today + timedelta(days=5), poverty, title="Tập huấn"),
        "today": make_task(db, phunu, today, poverty, title="Họp chi hội", owner="Ngô Thị Hà"),
        "later": make_task(db, doan, today + timedelta(days=30), poverty, title="Hội trại"),
        "done": make_task(
            db, nongdan, today - timedelta(days=2), poverty, title="Đã xong", done_on=today
        ),
    }
    people = [
        ("nd1", "org_officer", nongdan, "nd1@hoinongdan.vn", True),
        ("nd2", "org_officer", nongdan, "nd2@hoinongdan.vn", True),
        ("nd3", "org_officer", nongdan, "", True),  # no address
        ("ndcu", "org_officer", nongdan, "ndcu@hoinongdan.vn", False),  # deactivated
        ("pn1", "org_officer", phunu, "pn1@hoiphunu.vn", True),
        ("doan1", "org_officer", doan, "doan1@doanthanhnien.vn", True),  # nothing due
        ("vanphong", "admin", None, "vanphong@hatam.gov.vn", True),  # not an officer of one
    ]
    for username, role, org, address, active in people:
        make_user(
            db,
            username=username,
            role=role,
            organization=org,
            email=address,
            active=active,
            full_name=f"Cán bộ {username}",
            password=PASSWORD,
        )
    db.session.commit()
    return today, tasks


def day(d):
    return d.strftime("%d/%m/%Y")


def test_each_active_officer_with_an_address_of_an_organization_with_tasks_gets_one(
    runner, smtp, world
):
    result = runner.invoke(args=["tasks", "digest"])
    assert result.exit_code == 0, result.output
    assert sorted(rcpt for rcpt, _message in smtp.messages) == [
        ("nd1@hoinongdan.vn",),
        ("nd2@hoinongdan.vn",),
        ("pn1@hoiphunu.vn",),
    ]
    letter = smtp.to("nd1@hoinongdan.vn")
    assert letter["To"] == "Cán bộ nd1 <nd1@hoinongdan.vn>"
    assert letter["From"] == "Nhắc việc – xã Hà Tam <nhacviec@hatam.gov.vn>"
    assert letter.get_content_type() == "text/plain"
    assert letter.get_content_charset() == "utf-8"
    assert "Sent the reminder to 3 of 3 officers." in result.output


def test_the_letter_lists_its_organizations_tasks_overdue_first_with_vietnamese_dates(
    runner, smtp, world
):
    today, tasks = world
    assert runner.invoke(args=["tasks", "digest"]).exit_code == 0
    letter = smtp.to("nd2@hoinongdan.vn")
    assert letter["Subject"] == (
        "Nhắc việc: 2 việc quá hạn, 1 việc đến hạn trong 7 ngày – Hội Nông dân xã"
    )
    body = text(letter)
    assert body.startswith("Kính gửi đồng chí Cán bộ nd2,\n")
    assert f"(tính đến ngày {day(today)})" in body
    titles = re.findall(r"(?m)^\d+\. (.+)$", body)
    assert titles == ["Sửa kênh mương", "Hỗ trợ hộ nghèo", "Tập huấn"]
    late = tasks["late3"]
    assert (
        "1. Sửa kênh mương\n"
        "   Chương trình: Chương trình xây dựng nông thôn mới\n"
        "   Người phụ trách: Lê Văn Ba\n"
        f"   Hạn {day(late.due_on)}, quá hạn 3 ngày\n"
        f"   http://survey.test/manage/tasks/{late.id}\n"
    ) in body
    assert f"Hạn {day(tasks['late1'].due_on)}, quá hạn 1 ngày" in body
    assert f"Hạn {day(tasks['soon'].due_on)}, còn 5 ngày" in body
    assert "Hội trại" not in body and "Đã xong" not in body and "Họp chi hội" not in body
    assert "http://survey.test/manage/" in body

    phunu = smtp.to("pn1@hoiphunu.vn")
    assert phunu["Subject"] == "Nhắc việc: 1 việc đến hạn trong 7 ngày – Hội Phụ nữ xã"
    assert f"Hạn {day(today)}, đến hạn hôm nay" in text(phunu)
    assert "Sửa kênh mương" not in text(phunu)


def test_the_run_is_audited_once_in_words(runner, smtp, world, client, login):
    assert runner.invoke(args=["tasks", "digest"]).exit_code == 0
    [entry] = audit_entries()
    assert (entry.action, entry.username) == ("reminders.digest", "(command line)")
    assert entry.details == {"sent": 3, "failed": 0}
    assert login("vanphong", PASSWORD).status_code == 302
    page = client.get("/manage/audit/").get_data(as_text=True)
    assert "Dòng lệnh trên máy chủ đã gửi thư nhắc việc cho 3 cán bộ." in page


def audit_entries():
    db.session.rollback()  # a new transaction: SQLite shows what the command committed
    return db.session.scalars(sa.select(AuditLog).order_by(AuditLog.id)).all()


def test_a_refused_recipient_is_reported_and_the_others_still_get_theirs(runner, smtp, db, world):
    db.session.scalar(sa.select(User).where(User.username == "nd1")).email = REFUSED
    db.session.commit()
    smtp.refuse.add(REFUSED)
    result = runner.invoke(args=["tasks", "digest"])
    assert result.exit_code == 1
    assert f"Not sent to {REFUSED}: 550 5.1.1 No such mailbox" in result.output
    assert sorted(rcpt for rcpt, _message in smtp.messages) == [
        ("nd2@hoinongdan.vn",),
        ("pn1@hoiphunu.vn",),
    ]
    [entry] = audit_entries()
    assert entry.details == {"sent": 2, "failed": 1}


def test_without_smtp_host_nothing_is_sent_and_nothing_fails(runner, app, smtp, world):
    app.config["SMTP_HOST"] = ""
    result = runner.invoke(args=["tasks", "digest"])
    assert result.exit_code == 0
    assert result.output == "SMTP_HOST is not set: no e-mail sent (3 officers would get one)\n"
    assert smtp.messages == [] and audit_entries() == []


def test_a_dry_run_prints_the_letters_and_sends_none(runner, smtp, world):
    result = runner.invoke(args=["tasks", "digest", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert smtp.messages == [] and audit_entries() == []
    assert "To: Cán bộ pn1 <pn1@hoiphunu.vn>" in result.output
    assert "Subject: Nhắc việc: 2 việc quá hạn, 1 việc đến hạn trong 7 ngày" in result.output
    assert "Dry run: 3 e-mails would be sent; none was." in result.output


def test_a_server_that_cannot_be_reached_fails_every_letter(runner, app, world):
    app.config |= {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": free_port(), "SMTP_TIMEOUT_SECONDS": 2}
    result = runner.invoke(args=["tasks", "digest"])
    assert result.exit_code == 1
    assert result.output.count("Not sent to ") == 3
    assert audit_entries()[0].details == {"sent": 0, "failed": 3}


def test_no_task_due_no_letter(runner, smtp, db):
    make_user(
        db,
        username="nd1",
        role="org_officer",
        email="nd1@hoinongdan.vn",
        organization=make_organization(db),
    )
    db.session.commit()
    result = runner.invoke(args=["tasks", "digest"])
    assert result.exit_code == 0 and smtp.messages == [] and audit_entries() == []


def test_the_port_follows_starttls_and_the_sender_falls_back_to_the_user():
    plain = MailSettings.from_config({"SMTP_HOST": "mail.hatam.gov.vn"})
    assert (plain.port, plain.starttls, plain.sender) == (25, False, "nhacviec@mail.hatam.gov.vn")
    submission = MailSettings.from_config(
        {"SMTP_HOST": "smtp.gmail.com", "SMTP_STARTTLS": True, "SMTP_USER": "xa@gmail.com"}
    )
    assert (submission.port, submission.sender) == (587, "xa@gmail.com")
    given = MailSettings.from_config({"SMTP_HOST": "h", "SMTP_PORT": 2525, "MAIL_FROM": "a@b.vn"})
    assert (given.port, given.sender) == (2525, "a@b.vn")
