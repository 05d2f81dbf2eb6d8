"""The year-end report as one print-ready HTML page: A4, no JavaScript, styles inlined."""

from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale
from markupsafe import Markup

from survey.core.text_safety import without_control
from survey.reports.report_text import YearReport


def report_html(report: YearReport) -> str:
    """The report as a self-contained HTML page (it prints the same from a saved file)."""
    css_path = Path(current_app.static_folder) / "css" / "report.css"
    # Our own stylesheet, inlined so the saved file prints anywhere; never user text.
    stylesheet = css_path.read_text(encoding="utf-8")
    css = Markup(stylesheet)  # nosec B704 # the project's own CSS, not user text
    with force_locale(report.lang):
        return render_template("print/year_report.html", report=without_control(report), css=css)
