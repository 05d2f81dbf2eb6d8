"""The rule set of the annual rating, as a form (and its TOML under "Nâng cao"), in two layers:
the province's default (blueprint `province_rules`, for the province office), which every
commune starts from, and each commune's own changes to it (`admin.rules`, for the commune's
Party Committee Office). Each layer holds only what it changes from the one below."""

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from analytics import AnalyticsError, RuleSet, criterion_label, load_ruleset
from survey.accounts.access import roles_required
from survey.admin.forms import CRITERION_COLUMNS, GROUP_NAMES, RuleSetForm, RulesForm
from survey.core.extensions import db
from survey.core.local_time import current_year
from survey.ratings import rulesets

bp = Blueprint("province_rules", __name__, url_prefix="/province/rules")


@dataclass(frozen=True)
class Layer:
    """One layer of the rule set: where its page is, what it keeps, what it changes."""

    endpoint: str
    title: str
    intro: str
    saved: Callable[[], str | None]  # the layer's own TOML
    below: Callable[[int], RuleSet]  # the rules it changes
    in_force: Callable[[int], RuleSet]  # the rules with its changes
    save: Callable[[str, int], bool]
    commune_nav: bool


COMMUNE = Layer(
    endpoint="admin.rules",
    title=_l("Rule set of the annual rating"),
    intro=_l(
        "The default rule set follows Regulation 366-QĐ/TW and the commune resolution, with "
        "what the province decides for all its communes. Change here what the commune decides "
        "otherwise; every change is checked, kept in the audit log, and used for the ratings "
        "not yet finalized."
    ),
    saved=rulesets.saved_override,
    below=rulesets.base_rules,
    in_force=rulesets.commune_rules,
    save=rulesets.save_override,
    commune_nav=True,
)
PROVINCE = Layer(
    endpoint="province_rules.index",
    title=_l("The province's default rule set"),
    intro=_l(
        "The default rule set follows Regulation 366-QĐ/TW. What the province changes here "
        "applies to every commune's ratings not yet finalized; each commune may change it "
        "further for itself. Every change is checked against each commune's own changes and "
        "kept in the audit log."
    ),
    saved=rulesets.province_override,
    below=lambda year: load_ruleset(year, None),
    in_force=rulesets.base_rules,
    save=rulesets.save_province_override,
    commune_nav=False,
)


@bp.route("/", methods=["GET", "POST"])
@roles_required("province_admin")
def index():
    """The province's default rule set."""
    return rules_page(PROVINCE)


def rules_page(layer: Layer):
    """A layer's rule set as a form; its TOML under "Nâng cao" (the form that posts `rules`),
    for importing or copying a whole rule set."""
    year = current_year()
    saved = layer.saved() or ""
    try:
        in_force = layer.in_force(year)
    except AnalyticsError:
        in_force = None
    below = layer.below(year)
    posted_toml = request.method == "POST" and "rules" in request.form
    posted_form = request.method == "POST" and not posted_toml
    toml_form = RulesForm() if posted_toml else RulesForm(formdata=None, data={"rules": saved})
    if posted_form:
        form = RuleSetForm()
    else:
        form = RuleSetForm(formdata=None)
        form.fill_from(in_force or below)
    done = None
    if posted_toml and toml_form.validate_on_submit():
        done = _save(layer, toml_form.rules.data or "", year, toml_form.rules)
    elif posted_form and form.validate_on_submit():
        text = rulesets.override_from(form.tables(), saved, year, below)
        done = _save(layer, text, year, form.title)
    if done is not None:
        return done
    return render_template(
        "admin/rules.html",
        layer=layer,
        form=form,
        toml_form=toml_form,
        year=year,
        in_force=in_force,
        below=below.source,
        criterion_label=criterion_label,
        group_names=GROUP_NAMES,
        columns=CRITERION_COLUMNS,
    ), (422 if request.method == "POST" else 200)


def _save(layer, text, year, field):
    """Check and save `text` as the layer's changes; a refusal is said beside `field`."""
    try:
        changed = layer.save(text, year)
    except rulesets.CommuneRulesBroken as broken:
        db.session.rollback()
        reason = _(
            "it would break the changes %(commune)s made for itself (%(reason)s); ask the "
            "commune to change them first",
            commune=broken.commune,
            reason=broken.reason,
        )
        field.errors = [*field.errors, _("The rule set was not saved: %(reason)s", reason=reason)]
        return None
    except AnalyticsError as error:
        db.session.rollback()
        field.errors = [
            *field.errors,
            _("The rule set was not saved: %(reason)s", reason=str(error)),
        ]
        return None
    db.session.commit()
    flash(_("Rule set saved.") if changed else _("Nothing changed."))
    return redirect(url_for(layer.endpoint))
