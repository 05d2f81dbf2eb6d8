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
from survey.province.overview import province_overview  # noqa: F401  (registers the figure)
from survey.ratings.kept_figures import Freshness, NotReady, kept

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
        tier_names={tier: tier_label(tier, select_locale()) for tier in TIERS},
        state_names=STATE_NAMES,
        satisfaction=overview.satisfaction,
        trend_years=overview.trend_years,
        trend=overview.trend,
        freshness=Freshness.of(found),
    )
