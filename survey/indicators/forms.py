"""The annual figures form (Flask-WTF): one text box per figure, the note, the veto flags.

Figures are text boxes, not number inputs, so "72,5" keeps its comma and what was typed comes
back as typed when the form is refused; survey.indicators parses and checks them.
"""

from flask import request
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField, TextAreaField

from survey.core.forms import OfficerForm
from survey.indicators.figures import (
    FIGURE_NAMES,
    FIGURES,
    VETO_LABELS,
    VETOES,
    check_note,
    check_relations,
    label_of,
    parse_figures,
)


class IndicatorForm(OfficerForm):
    """One organization's figures for one year."""

    note = TextAreaField(
        _l("Notes"),
        description=_l("Anything the committee should know when reading these figures."),
        render_kw={"rows": 3},
    )
    veto_discipline = BooleanField(VETO_LABELS["veto_discipline"])
    veto_disunity = BooleanField(VETO_LABELS["veto_disunity"])

    def show_stored(self, texts, editable):
        """Fill the fields this user may not change with the stored values in `texts`."""
        for name, value in texts.items():
            if name not in editable:
                self[name].data = value

    def changes(self, editable, current):
        """The stored values of the `editable` fields, or None with the errors on the fields.

        `current` holds the values stored now: a part is compared with its whole as saved.

        Only boxes the request carries are changed, so a partial POST clears nothing; the veto
        boxes, which a browser leaves out when unticked, count when the form says it showed them.
        """
        if not self.validate():
            return None
        sent = set(request.form)
        editable = [name for name in editable if name in sent or name in VETOES]
        if "vetoes_shown" not in sent:
            editable = [name for name in editable if name not in VETOES]
        texts = {name: self[name].data or "" for name in FIGURE_NAMES if name in editable}
        values, errors = parse_figures(texts)
        if texts:
            merged = current | values | dict.fromkeys(errors)
            errors |= check_relations(merged, name_of=label_of)
        if "note" in editable:
            try:
                values["note"] = check_note(self.note.data)
            except ValueError as error:
                errors["note"] = str(error)
        for name in VETOES:
            if name in editable:
                values[name] = bool(self[name].data)
        for name, message in errors.items():
            self[name].errors = [*self[name].errors, message]
        return None if errors else values


for _figure in FIGURES:
    setattr(
        IndicatorForm,
        _figure.name,
        StringField(
            _figure.label,
            description=_figure.hint,
            render_kw={
                # Whole numbers get the digit pad; rates need the comma or dot key too.
                "inputmode": "numeric" if _figure.kind == "count" else "decimal",
                "autocomplete": "off",
                "maxlength": 12,
            },
        ),
    )
