"""Printable A4 sheets of invitation slips for a member survey."""

from pathlib import Path

from flask import current_app, render_template
from markupsafe import Markup

from survey.responses import qr
from survey.responses.invitations import create_invitations, format_code


def slips_html(survey, unit, count, back_url=None):
    """Create `count` invitations and return the HTML page that prints them, 10 per A4 sheet.

    The codes exist in clear only in this page: print it, then delete the file. Shown in the
    browser (`back_url` given), the page also has its way back and a print button.
    """
    codes = create_invitations(survey, unit, count)
    unit_code = unit.code if unit else None
    slips = [
        {
            "code": format_code(code),
            "qr": qr.qr_data_uri(qr.survey_url(survey.code, unit_code, code)),
        }
        for code in codes
    ]
    css_path = Path(current_app.static_folder) / "css" / "print.css"
    # Our own stylesheet, inlined so the saved file prints anywhere; never user text.
    stylesheet = css_path.read_text(encoding="utf-8")
    css = Markup(stylesheet)  # nosec B704 # the project's own CSS, not user text
    return render_template(
        "print/slips.html",
        survey=survey,
        unit=unit,
        slips=slips,
        css=css,
        base_url=qr.survey_url(survey.code),
        back_url=back_url,
    )
