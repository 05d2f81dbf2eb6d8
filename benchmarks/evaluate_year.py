"""How long the annual evaluation takes, and how much memory, on a large database.

    .venv/bin/python -m benchmarks.evaluate_year --responses 1000000
    .venv/bin/python -m benchmarks.evaluate_year --responses 1000000 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

Seeds the demo commune with N responses into a fresh database (SQLite file, or a new
PostgreSQL database dropped afterwards), its questionnaires lengthened to 20 questions with
more likert items (`--questions`), so that a response holds about 20 answers; then, in a
fresh process each time so that memory is the evaluation's own: the median time of
`evaluate_year` for the latest year (every organization: criteria, integrity flags, the rerun
without flagged responses, the cap), its peak memory, and the floor: one hand-written GROUP
BY over the same answers (the likert answers of the year per criterion, organization and
village). Prints the ratio of the two.
"""

import argparse
import multiprocessing
import os
import resource
import statistics
import tempfile
import time

import sqlalchemy as sa

from benchmarks.seed_load import fresh_database

FLOOR = """
SELECT q.criterion, COALESCE(q.organization_id, so.organization_id) AS org, r.unit_id,
       COUNT(*), SUM(CASE WHEN a.number >= 4 THEN 1 ELSE 0 END)
FROM answer a
JOIN question q ON q.id = a.question_id
JOIN survey s ON s.id = q.survey_id
JOIN response r ON r.id = a.response_id
LEFT JOIN survey_organization so ON so.survey_id = s.id AND q.organization_id IS NULL
WHERE s.year = :year AND q.kind = 'likert5' AND q.criterion IS NOT NULL
GROUP BY q.criterion, COALESCE(q.organization_id, so.organization_id), r.unit_id
"""


def _app(url, workdir):
    os.environ["SURVEY_INSTANCE_PATH"] = workdir
    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})


def _seed(url, workdir, responses, questions, queue):
    from flask_migrate import upgrade

    from survey.core.extensions import db
    from survey.demo.seed import seed_demo

    app = _app(url, workdir)
    with app.app_context():
        upgrade()
        result = seed_demo(seed=1, responses=responses, password="bench", min_questions=questions)
        db.session.commit()
        year = max(y for (y,) in db.session.execute(sa.text("SELECT DISTINCT year FROM survey")))
    queue.put((result.responses, result.answers, year))


def _evaluate(url, workdir, year, queue):
    from survey.ratings.evaluation import evaluate_year

    app = _app(url, workdir)
    with app.app_context():
        started = time.perf_counter()
        evaluation = evaluate_year(year)
        elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((elapsed, peak_mb, len(evaluation.results)))


def _floor(url, workdir, year, queue):
    from survey.core.extensions import db

    app = _app(url, workdir)
    with app.app_context():
        started = time.perf_counter()
        rows = db.session.execute(sa.text(FLOOR), {"year": year}).all()
        elapsed = time.perf_counter() - started
    queue.put((elapsed, len(rows)))


def _in_fresh_process(target, *args):
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=target, args=(*args, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument(
        "--questions",
        type=int,
        default=20,
        help="lengthen every demo questionnaire to this many questions (default 20)",
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", help="PostgreSQL server URL (default: SQLite file)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as workdir:
        url, drop = fresh_database(args.database_url, workdir)
        try:
            responses, answers, year = _in_fresh_process(
                _seed, url, workdir, args.responses, args.questions
            )
            runs = [_in_fresh_process(_evaluate, url, workdir, year) for _ in range(args.repeat)]
            floors = [_in_fresh_process(_floor, url, workdir, year) for _ in range(args.repeat)]
        finally:
            drop()
    backend = sa.engine.make_url(url).get_backend_name()
    seconds = statistics.median(r[0] for r in runs)
    floor = statistics.median(f[0] for f in floors)
    peak = max(r[1] for r in runs)
    print(
        f"{backend}: {responses:,} responses, {answers:,} answers "
        f"({answers / responses:.1f} per response); evaluate {year} "
        f"({runs[0][2]} organizations): median {seconds:.2f} s over {args.repeat} runs, "
        f"peak memory {peak:,.0f} MB; floor (one GROUP BY, {floors[0][1]} rows): median "
        f"{floor:.2f} s; ratio {seconds / floor:.2f}x"
    )


if __name__ == "__main__":
    main()
