"""Pure computation for the survey platform: statistics, criteria, rule sets, ratings,
integrity flags and small-area estimates.

Never imports flask, flask_sqlalchemy or survey: it takes plain rows and returns frozen
dataclasses. This is its public face, as scipy.stats is scipy's: the web application imports
from `analytics` only; the modules behind it (stats, results, criteria, rules, rating, report,
integrity, targets, small_areas) are its own and its tests'.
"""

from analytics.commendations import Proposal, shortlist
from analytics.conditions import TaskCounts
from analytics.criteria import (
    FeedbackCounts,
    IndicatorRow,
    VillageCounts,
    feedback_criterion,
    indicator_criteria,
    survey_criterion,
    task_criterion,
)
from analytics.errors import AnalyticsError
from analytics.integrity import (
    DUPLICATE_MIN_GROUP,
    STRAIGHT_LINE_MIN_ITEMS,
    WINDOW_SECONDS,
    FlagSummary,
    Window,
    bursts,
    paper_share_exceeded,
    speed_limit,
    typed_too_fast,
)
from analytics.rating import Evidence, annual_rating, apply_cap
from analytics.report import (
    Comparison,
    FlaggedResponses,
    OrganizationResult,
    across_organizations,
    criterion_codes,
    criterion_label,
    csv_rows,
    evaluation_document,
    evaluation_text,
    integrity_summary,
    sensitive_criteria,
    tier_label,
    year_over_year,
)
from analytics.resolution import ResolutionTask, resolution_tasks
from analytics.results import (
    CriterionConsistency,
    QuestionCounts,
    flags_without_hidden_villages,
    question_result,
    results_document,
    suppressed_cells,
)
from analytics.rules import RuleSet, default_text, load_ruleset
from analytics.small_areas import AreaEstimate, SmallAreaFit, fay_herriot
from analytics.stats import cronbach_alpha, wilson_interval
from analytics.targets import CommuneTarget, commune_targets

__all__ = [
    # bad input
    "AnalyticsError",
    # statistics and a survey's results (per question, per criterion, small cells hidden)
    "cronbach_alpha",
    "QuestionCounts",
    "CriterionConsistency",
    "question_result",
    "results_document",
    "suppressed_cells",
    "flags_without_hidden_villages",
    # criteria from survey counts, annual figures and feedback
    "VillageCounts",
    "IndicatorRow",
    "FeedbackCounts",
    "survey_criterion",
    "indicator_criteria",
    "feedback_criterion",
    "task_criterion",
    # rule sets and the annual rating
    "RuleSet",
    "load_ruleset",
    "default_text",
    "Evidence",
    "Proposal",
    "shortlist",
    "TaskCounts",
    "annual_rating",
    "apply_cap",
    # the rating explained: Evaluation JSON, text, CSV, comparisons
    "OrganizationResult",
    "FlaggedResponses",
    "Comparison",
    "evaluation_document",
    "evaluation_text",
    "csv_rows",
    "criterion_codes",
    "criterion_label",
    "tier_label",
    "wilson_interval",
    "integrity_summary",
    "sensitive_criteria",
    "year_over_year",
    "across_organizations",
    # integrity checks
    "FlagSummary",
    "Window",
    "WINDOW_SECONDS",
    "DUPLICATE_MIN_GROUP",
    "STRAIGHT_LINE_MIN_ITEMS",
    "bursts",
    "speed_limit",
    "paper_share_exceeded",
    "typed_too_fast",
    # the commune resolution's targets
    "CommuneTarget",
    "commune_targets",
    # the resolution's tasks (III.1-III.7) for the report on carrying it out
    "ResolutionTask",
    "resolution_tasks",
    # small communes' estimates shrunk toward the province (Fay–Herriot empirical Bayes)
    "AreaEstimate",
    "SmallAreaFit",
    "fay_herriot",
]
