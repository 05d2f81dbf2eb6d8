"""Sending e-mail over SMTP with the standard library: the settings, one message per person.

The settings are the app's (survey/core/settings.py: SMTP_HOST, SMTP_PORT, SMTP_USER,
SMTP_PASSWORD, SMTP_STARTTLS, MAIL_FROM, SMTP_TIMEOUT_SECONDS). Without SMTP_HOST nothing is
sent. Each message goes on its own: a recipient the server refuses is reported, and the others
still go.
"""

from __future__ import annotations

import json
import smtplib
import ssl
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

SUBMISSION_PORT = 587  # with STARTTLS
RELAY_PORT = 25
# How a message goes on the wire: CRLF, and headers folded only past SMTP's line limit. Python
# 3.11 folding a long Vietnamese subject at 78 characters can drop the space between two
# encoded words ("trong 7 ngày" read "trong7 ngày"); one longer encoded word every mail
# reader decodes.
WIRE = policy.SMTP.clone(max_line_length=998)


@dataclass(frozen=True)
class MailSettings:
    """How to reach the mail server and who the messages come from."""

    host: str
    port: int
    user: str
    password: str
    starttls: bool
    sender: str
    timeout: float

    @classmethod
    def from_config(cls, config) -> MailSettings:
        """The settings from the app's configuration; the port follows STARTTLS when unset
        (587 with it, 25 without), the sender is MAIL_FROM, else SMTP_USER, else
        nhacviec@SMTP_HOST."""
        host = str(config.get("SMTP_HOST") or "").strip()
        user = str(config.get("SMTP_USER") or "")
        starttls = bool(config.get("SMTP_STARTTLS"))
        port = config.get("SMTP_PORT") or (SUBMISSION_PORT if starttls else RELAY_PORT)
        sender = str(config.get("MAIL_FROM") or "") or (user if "@" in user else "")
        return cls(
            host=host,
            port=int(port),
            user=user,
            password=_as_typed(config.get("SMTP_PASSWORD")),
            starttls=starttls,
            sender=sender or f"nhacviec@{host or 'localhost'}",
            timeout=float(config.get("SMTP_TIMEOUT_SECONDS") or 30),
        )


@dataclass(frozen=True)
class Letter:
    """A plain-text message to one person."""

    name: str
    address: str
    subject: str
    body: str


@dataclass(frozen=True)
class NotSent:
    """A letter the server did not take, and why (the server's words)."""

    letter: Letter
    reason: str


def message(letter: Letter, settings: MailSettings, sender_name: str = "") -> EmailMessage:
    """The letter as an e-mail message in UTF-8."""
    msg = EmailMessage()
    msg["From"] = formataddr((_one_line(sender_name), settings.sender))
    msg["To"] = formataddr((_one_line(letter.name), letter.address))
    msg["Subject"] = _one_line(letter.subject)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or "localhost")
    # Quoted-printable: 7-bit clean, which every relay takes, and still legible.
    msg.set_content(letter.body, charset="utf-8", cte="quoted-printable")
    return msg


def send_all(letters, settings: MailSettings, sender_name: str = "") -> list[NotSent]:
    """Send each letter on its own over one connection; the letters not sent, with why.

    A refused recipient leaves the connection usable for the next; a lost connection is opened
    again for the next letter; a server that cannot be reached at all fails every letter.
    """
    failed: list[NotSent] = []
    connection = None
    try:
        for at, letter in enumerate(letters):
            if connection is None:
                try:
                    connection = _connect(settings)
                except (OSError, smtplib.SMTPException) as error:
                    failed.extend(NotSent(left, _reason(error)) for left in letters[at:])
                    return failed
            try:
                data = message(letter, settings, sender_name).as_bytes(policy=WIRE)
                connection.sendmail(settings.sender, [letter.address], data)
            except smtplib.SMTPRecipientsRefused as error:
                failed.append(NotSent(letter, _refusal(error)))
            except (OSError, smtplib.SMTPException) as error:
                failed.append(NotSent(letter, _reason(error)))
                if isinstance(error, OSError | smtplib.SMTPServerDisconnected):
                    _close(connection)
                    connection = None
    finally:
        if connection is not None:
            _close(connection)
    return failed


def _as_typed(value) -> str:
    """A password as typed: FLASK_SMTP_PASSWORD=123456 reaches the config as the number.

    >>> _as_typed(123456), _as_typed(True), _as_typed("mật-khẩu"), _as_typed(None)
    ('123456', 'true', 'mật-khẩu', '')
    """
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)


def _one_line(text: str) -> str:
    """A header's words on one line: a line break in a name must not start a header."""
    return " ".join(text.split())


def _connect(settings: MailSettings) -> smtplib.SMTP:
    connection = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        if settings.starttls:
            connection.starttls(context=ssl.create_default_context())
        if settings.user:
            connection.login(settings.user, settings.password)
    except BaseException:
        _close(connection)
        raise
    return connection


def _close(connection):
    try:
        connection.quit()
    except (OSError, smtplib.SMTPException):
        connection.close()


def _refusal(error: smtplib.SMTPRecipientsRefused) -> str:
    return "; ".join(
        f"{code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text}"
        for code, text in error.recipients.values()
    )


def _reason(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error
        text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
        return f"{error.smtp_code} {text}"
    return str(error) or type(error).__name__
