"""The province's pages (blueprint `province`): its communes compared, for the province
office and the province Front's standing board only."""

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l

from analytics import tier_label
from survey.accounts.access import PROVINCE_ROLES, roles_required
from survey.commune.settings import setting
from survey.core.computing import computing_page
from survey.core.i18n import select_locale
from survey.core.local_time import current_year
from survey.core.tenancy import across_communes
from survey.models.vocabulary import TIERS
from survey.province.overview import (  # province_overview registers the figure
    province_overview,  # noqa: F401
    targets_met,
)
from survey.ratings.kept_figures import Freshness, NotReady, kept

bp = Blueprint("province", __name__, url_prefix="/province")
STATE_NAMES = {
    "finalized": _l("finalized"),
    "decided": _l("decided"),
    "computed": _l("computed"),
    "so_far": _l("so far"),
}
# The resolution's targets (analytics.targets), in a column's few words.
TARGET_NAMES = {
    "tier": _l("Rated well or better"),
    "member_development": _l("New members"),
    "attendance": _l("Attendance"),
    "meetings": _l("Regular meetings"),
    "campaigns": _l("Campaigns (50%)"),
}


@bp.get("/", defaults={"year": None})
@bp.get("/<int:year>")
@roles_required(*PROVINCE_ROLES)
def index(year):
    """Each commune's tiers, satisfaction (direct and shrunk, ranked with intervals) and trend."""
    year = year or current_year() - 1
    if not 2000 <= year <= current_year() + 1:
        year = current_year() - 1
    k = setting("SUPPRESSION_K")
    with across_communes():
        try:
            found = kept("province overview", year, k)
        except NotReady:
            return computing_page()
    overview = found.value
    return render_template(
        "province/index.html",
        year=year,
        years=range(current_year() - 4, current_year() + 1),
        k=k,
        org_codes=overview.organizations,
        tiers=overview.tiers,
        org_names=dict(overview.organizations),
        targets=overview.targets,
        # Translated once here, not once per commune and cell as lazy strings would be.
        target_names=_translated(TARGET_NAMES),
        **targets_met(overview.targets),
        tier_names={tier: tier_label(tier, select_locale()) for tier in TIERS},
        state_names=_translated(STATE_NAMES),
        satisfaction=overview.satisfaction,
        trend_years=overview.trend_years,
        trend=overview.trend,
        freshness=Freshness.of(found),
    )


def _translated(names: dict) -> dict:
    return {key: str(name) for key, name in names.items()}
