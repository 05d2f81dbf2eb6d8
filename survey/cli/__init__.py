"""The project's `flask` commands, one module per command group. Thin: parse, call, echo.

Each command is a boundary: it calls the services, then commits once (or rolls back and
says why in one line, with a non-zero exit).
"""

from survey.cli.communes import commune_group, for_one_commune
from survey.cli.database import backup_command, restore_command
from survey.cli.demo import seed_demo_command
from survey.cli.figures import figures_group
from survey.cli.indicators import indicators_group
from survey.cli.ratings import evaluate_command
from survey.cli.reports import report_command
from survey.cli.responses import responses_group
from survey.cli.surveys import survey_group
from survey.cli.tasks import tasks_group
from survey.cli.users import user_group


def register(app):
    """Attach the commands to the app's CLI."""
    app.cli.add_command(commune_group)
    for command in (
        seed_demo_command,
        user_group,
        survey_group,
        responses_group,
        evaluate_command,
        indicators_group,
        tasks_group,
        report_command,
    ):
        app.cli.add_command(for_one_commune(command))
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(figures_group)
