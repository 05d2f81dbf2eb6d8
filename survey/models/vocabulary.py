"""The platform's fixed vocabularies: the codes stored in the database, held by CHECK constraints
(no PostgreSQL ENUM types to migrate), each beside the names its codes are shown by.

The names are lazy (flask_babel.lazy_gettext): each is translated when it is shown, in the
reader's language.
"""

from flask_babel import lazy_gettext as _l

from survey.core import languages as _languages

# The province's roles belong to no commune: the province office (communes, their
# administrators, the default rule set) and the province Front's standing board (reads every
# commune's ratings and aggregates, never a response or a free text).
PROVINCE_ROLES = ("province_admin", "province_viewer")
COMMUNE_ROLES = ("admin", "committee", "inspector", "org_officer", "unit_officer")
ROLES = (*COMMUNE_ROLES, *PROVINCE_ROLES)
ROLE_NAMES = {
    "province_admin": _l("Province office"),
    "province_viewer": _l("Province Front standing board"),
    "admin": _l("Party Committee Office"),
    "committee": _l("Standing Committee"),
    "inspector": _l("Inspection Committee"),
    "org_officer": _l("Organization officer"),
    "unit_officer": _l("Village officer"),
}


AUDIENCES = ("public", "member")
AUDIENCE_NAMES = {"public": _l("Citizens (public)"), "member": _l("Members (with slips)")}


TOPICS = ("satisfaction", "participation", "supervision", "other")
TOPIC_NAMES = {
    "satisfaction": _l("Satisfaction"),
    "participation": _l("Taking part in activities"),
    "supervision": _l("Social supervision and criticism"),
    "other": _l("Other"),
}


SURVEY_STATUSES = ("draft", "open", "closed")
STATUS_NAMES = {"draft": _l("Draft"), "open": _l("Open"), "closed": _l("Closed")}


QUESTION_KINDS = ("likert5", "single", "multi", "yesno", "number", "nps", "text")
KIND_NAMES = {
    "likert5": _l("Satisfaction scale (5 faces)"),
    "single": _l("Choose one"),
    "multi": _l("Choose several"),
    "yesno": _l("Yes / no"),
    "number": _l("Number"),
    "nps": _l("0 to 10 (would recommend)"),
    "text": _l("Free text"),
}


# The languages a survey may be written in (survey.core.languages, which the settings check too).
LANGUAGES = _languages.LANGUAGES
LANGUAGE_NAMES = _languages.NAMES
OWN_LANGUAGE_NAMES = _languages.OWN_NAMES


CHANNELS = ("web", "paper", "import")
CHANNEL_NAMES = {
    "web": _l("Online"),
    "paper": _l("Paper form"),
    "import": _l("Imported from a file"),
}


FEEDBACK_STATUSES = ("new", "in_progress", "forwarded", "answered", "closed")


# The names of a task's states (the codes are survey.models.programmes.TASK_STATUSES).
TASK_STATUS_NAMES = {
    "planned": _l("Not started"),
    "in_progress": _l("Under way"),
    "done": _l("Done"),
    "cancelled": _l("Cancelled"),
}


TIERS = ("xuat_sac", "tot", "hoan_thanh", "khong_hoan_thanh")
# Why a commendation is proposed: analytics.commendations' grounds, or the proposers' own.
COMMENDATION_GROUNDS = ("excellent", "good_and_rising", "head_excellent", "other")
COMMENDATION_GROUND_NAMES = {
    "excellent": _l("Excellently completed its tasks this year"),
    "good_and_rising": _l("Completed its tasks well two years running, satisfaction rising"),
    "head_excellent": _l("A head rated as excellently completing the tasks"),
    "other": _l("Another achievement in carrying out the resolution"),
}


RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


RECEIPT_LENGTH = 8
