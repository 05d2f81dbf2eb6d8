"""How long a survey's files take: the labelled SPSS and Stata files and the XLSForm beside the
CSV and the workbook every officer already downloads.

    .venv/bin/python -m benchmarks.exports --responses 20000
    .venv/bin/python -m benchmarks.exports --responses 20000 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

Seeds the demo commune with N responses into a fresh database (SQLite file, or a new
PostgreSQL database dropped afterwards), then, for the survey with the most responses, the
median time and the size of each file, built whole as the download builds it: CSV, XLSX, SAV,
DTA, and the XLSForm of its questions. Prints each one's ratio to the CSV.
"""

import argparse
import statistics
import tempfile
import time

import sqlalchemy as sa

from benchmarks.evaluate_year import _app, _in_fresh_process
from benchmarks.seed_load import fresh_database

FORMATS = ("csv", "xlsx", "sav", "dta", "xlsform")


def _seed(url, workdir, responses, queue):
    from flask_migrate import upgrade

    from survey.core.extensions import db
    from survey.demo.seed import seed_demo

    app = _app(url, workdir)
    with app.app_context():
        upgrade()
        seed_demo(seed=1, responses=responses, password="bench")
        db.session.commit()
        code, count = db.session.execute(
            sa.text(
                "SELECT s.code, COUNT(r.id) FROM survey s JOIN response r ON r.survey_id = s.id "
                "GROUP BY s.code ORDER BY COUNT(r.id) DESC, s.code LIMIT 1"
            )
        ).one()
    queue.put((code, count))


def _build(url, workdir, code, fmt, repeat, queue):
    from survey.core.extensions import db
    from survey.models import Survey
    from survey.reports.exports import survey_export
    from survey.surveys.definitions import dump_definition
    from survey.surveys.xlsform_export import xlsform_bytes

    app = _app(url, workdir)
    times, size = [], 0
    with app.test_request_context("/"):
        survey = db.session.scalar(sa.select(Survey).where(Survey.code == code))
        for _ in range(repeat):
            started = time.perf_counter()
            if fmt == "xlsform":
                size = len(xlsform_bytes(dump_definition(survey)))
            else:
                size = sum(map(len, survey_export(survey, fmt)))
            times.append(time.perf_counter() - started)
    queue.put((statistics.median(times), size))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", help="PostgreSQL server URL (default: SQLite file)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as workdir:
        url, drop = fresh_database(args.database_url, workdir)
        try:
            code, count = _in_fresh_process(_seed, url, workdir, args.responses)
            results = {
                fmt: _in_fresh_process(_build, url, workdir, code, fmt, args.repeat)
                for fmt in FORMATS
            }
        finally:
            drop()
    backend = sa.engine.make_url(url).get_backend_name()
    csv_seconds = results["csv"][0]
    print(f"{backend}: survey {code}, {count:,} responses; median of {args.repeat} builds:")
    for fmt, (seconds, size) in results.items():
        print(
            f"  {fmt:8} {seconds:7.3f} s  {size:>12,} bytes  {seconds / csv_seconds:5.2f}x the CSV"
        )


if __name__ == "__main__":
    main()
