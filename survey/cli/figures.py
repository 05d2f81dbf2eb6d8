"""`flask figures worker|status`: the workers that compute the dashboards' figures kept in Redis
(survey.ratings.shared_figures), and what they computed."""

import click
from flask import current_app
from flask.cli import with_appcontext

from survey.ratings import shared_figures


@click.group("figures")
def figures_group():
    """The dashboards' figures, kept in Redis (REDIS_URL) and computed by these workers."""


def _needs_redis():
    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException(
            "REDIS_URL is not set: each web worker computes its own figures, no queue to work on."
        )


@figures_group.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@with_appcontext
def figures_worker(burst):
    """Compute the figures the dashboards queued, one after another, until stopped (SIGTERM
    lets the job under way finish). Run one per processor to spare for them."""
    _needs_redis()
    shared_figures.work(burst=burst)


@figures_group.command("status")
@with_appcontext
def figures_status():
    """The jobs waiting, and how many times each figure was computed."""
    _needs_redis()
    click.echo(f"waiting: {shared_figures.queue().count}")
    for name, count in sorted(shared_figures.computations().items()):
        click.echo(f"{name}: {count}")
