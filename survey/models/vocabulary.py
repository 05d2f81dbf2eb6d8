"""The platform's fixed vocabularies: the codes stored in the database, held by CHECK constraints
(no PostgreSQL ENUM types to migrate)."""

ROLES = ("admin", "committee", "inspector", "org_officer", "unit_officer")


AUDIENCES = ("public", "member")


TOPICS = ("satisfaction", "participation", "supervision", "other")


SURVEY_STATUSES = ("draft", "open", "closed")


QUESTION_KINDS = ("likert5", "single", "multi", "yesno", "number", "nps", "text")


CHANNELS = ("web", "paper", "import")


FEEDBACK_STATUSES = ("new", "in_progress", "forwarded", "answered", "closed")


TIERS = ("xuat_sac", "tot", "hoan_thanh", "khong_hoan_thanh")


RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


RECEIPT_LENGTH = 8
