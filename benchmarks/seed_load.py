"""How fast `seed-demo` bulk-loads responses into a fresh database.

    .venv/bin/python -m benchmarks.seed_load --responses 1000000
    .venv/bin/python -m benchmarks.seed_load --responses 1000000 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

SQLite goes to a new file in a temporary folder; a PostgreSQL URL names a server on which a
new database is created for the run and dropped after it.
"""

import argparse
import os
import resource
import tempfile
import time
import uuid

import sqlalchemy as sa


def fresh_database(url, workdir):
    """A URL to an empty database, and a function that removes it."""
    if url is None:
        return "sqlite:///" + os.path.join(workdir, "bench.sqlite"), lambda: None
    server = sa.engine.make_url(url).set(drivername="postgresql+psycopg")
    name = f"survey_bench_{uuid.uuid4().hex[:10]}"
    # No pool: a connection kept open would not outlive a server restart (submit_load).
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return server.set(database=name).render_as_string(hide_password=False), drop


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="PostgreSQL server URL (default: SQLite file)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as workdir:
        os.environ["SURVEY_INSTANCE_PATH"] = workdir
        url, drop = fresh_database(args.database_url, workdir)
        try:
            from flask_migrate import upgrade

            from app import create_app
            from survey.core.extensions import db
            from survey.demo.seed import seed_demo

            app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
            with app.app_context():
                upgrade()
                started = time.perf_counter()
                result = seed_demo(seed=args.seed, responses=args.responses, password="bench")
                db.session.commit()
                elapsed = time.perf_counter() - started
                db.engine.dispose()
        finally:
            drop()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    backend = sa.engine.make_url(url).get_backend_name()
    rate = result.responses / elapsed
    print(
        f"{backend}: {result.responses} responses, {result.answers} answers in {elapsed:.1f} s "
        f"({rate:,.0f} responses/s, {result.answers / elapsed:,.0f} answers/s), "
        f"peak memory {peak_mb:,.0f} MB"
    )


if __name__ == "__main__":
    main()
