"""The province's pages (blueprint `province`): its communes compared, for the province
office and the province Front's standing board only."""

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l

from analytics import tier_label
from survey.accounts.access import PROVINCE_ROLES, roles_required
from survey.commune.settings import setting
from survey.core.i18n import select_locale
from survey.core.local_time import current_year
from survey.models.vocabulary import TIERS
from survey.province.overview import (
    satisfaction_by_commune,
    satisfaction_trend,
    tiers_by_commune,
)

bp = Blueprint("province", __name__, url_prefix="/province")
STATE_NAMES = {"finalized": _l("finalized"), "decided": _l("decided"), "computed": _l("computed")}


@bp.get("/", defaults={"year": None})
@bp.get("/<int:year>")
@roles_required(*PROVINCE_ROLES)
def index(year):
    """Each commune's tiers, satisfaction (direct and shrunk, ranked with intervals) and trend."""
    year = year or current_year() - 1
    if not 2000 <= year <= current_year() + 1:
        year = current_year() - 1
    k = setting("SUPPRESSION_K")
    org_codes, tiers = tiers_by_commune(year)
    trend_years, trend = satisfaction_trend(year, k)
    return render_template(
        "province/index.html",
        year=year,
        years=range(current_year() - 4, current_year() + 1),
        k=k,
        org_codes=org_codes,
        tiers=tiers,
        tier_names={tier: tier_label(tier, select_locale()) for tier in TIERS},
        state_names=STATE_NAMES,
        satisfaction=satisfaction_by_commune(year, k),
        trend_years=trend_years,
        trend=trend,
    )
