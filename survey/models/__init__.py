"""The data model: SQLAlchemy 2.0 typed tables, singular names, one module per domain.

Every table sits in this one layer below all the domain packages, because their queries join
across domains (a response's survey and village, a feedback item's organization): each package
imports the tables it reads from here, and nothing here imports a package above. Importing
`survey.models` maps every table (Flask-Migrate compares them all with the migrations).
Public and member responses carry no IP address, user agent or account.
"""

from survey.models import scoping  # noqa: F401  (limits every query to the commune at hand)
from survey.models.accounts import SignIn, User
from survey.models.audit import AuditLog
from survey.models.columns import UTCDateTime, utcnow
from survey.models.commune import Organization, Setting, Unit
from survey.models.feedback import FeedbackItem
from survey.models.indicators import INDICATOR_COUNTS, INDICATOR_RATES, AnnualIndicator
from survey.models.paper import FastSheet, PaperEntry, PaperTyping
from survey.models.programmes import (
    DIALOGUE_KINDS,
    EVIDENCE_TYPES,
    TASK_STATUSES,
    Dialogue,
    DialogueIssue,
    Programme,
    Task,
    TaskEvidence,
    TaskNote,
    programme_party,
)
from survey.models.ratings import Commendation, Evaluation, OrganizationHead, YearAssessment
from survey.models.responses import (
    Answer,
    Invitation,
    ReceiptCode,
    ReleaseBatch,
    Response,
    ResponseCriterion,
)
from survey.models.surveys import (
    AUDIO_TYPES,
    Option,
    Question,
    Survey,
    SurveyAudio,
    survey_organization,
)
from survey.models.tenants import (
    Commune,
    CommuneOwned,
    MaybeCommuneOwned,
    Province,
    ProvinceSetting,
)
from survey.models.vocabulary import (
    AUDIENCES,
    CHANNELS,
    FEEDBACK_STATUSES,
    QUESTION_KINDS,
    RECEIPT_ALPHABET,
    RECEIPT_LENGTH,
    ROLES,
    SURVEY_STATUSES,
    TIERS,
    TOPICS,
)

__all__ = [
    "AnnualIndicator",
    "Answer",
    "AUDIENCES",
    "AUDIO_TYPES",
    "AuditLog",
    "CHANNELS",
    "Commendation",
    "Commune",
    "CommuneOwned",
    "Dialogue",
    "DIALOGUE_KINDS",
    "DialogueIssue",
    "Evaluation",
    "EVIDENCE_TYPES",
    "FastSheet",
    "FEEDBACK_STATUSES",
    "FeedbackItem",
    "INDICATOR_COUNTS",
    "INDICATOR_RATES",
    "Invitation",
    "MaybeCommuneOwned",
    "Option",
    "Organization",
    "OrganizationHead",
    "PaperEntry",
    "PaperTyping",
    "Programme",
    "programme_party",
    "Province",
    "ProvinceSetting",
    "Question",
    "QUESTION_KINDS",
    "RECEIPT_ALPHABET",
    "RECEIPT_LENGTH",
    "ReceiptCode",
    "ReleaseBatch",
    "Response",
    "ResponseCriterion",
    "ROLES",
    "Setting",
    "SignIn",
    "Survey",
    "SurveyAudio",
    "survey_organization",
    "SURVEY_STATUSES",
    "Task",
    "TASK_STATUSES",
    "TaskEvidence",
    "TaskNote",
    "TIERS",
    "TOPICS",
    "Unit",
    "User",
    "UTCDateTime",
    "utcnow",
    "YearAssessment",
]
