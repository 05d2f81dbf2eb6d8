import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app
from sqlalchemy import event as sa_event

# this is the Alembic Config object, which provides
# access to the values within the .ini file in use.
config = context.config

# Interpret the config file for Python logging.
# This line sets up loggers basically.
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")


def get_engine():
    return current_app.extensions["migrate"].db.engine


def get_engine_url():
    return get_engine().url.render_as_string(hide_password=False).replace("%", "%%")


# add your model's MetaData object here
# for 'autogenerate' support
# from myapp import mymodel
# target_metadata = mymodel.Base.metadata
config.set_main_option("sqlalchemy.url", get_engine_url())
target_db = current_app.extensions["migrate"].db

# other values from the config, defined by the needs of env.py,
# can be acquired:
# my_important_option = config.get_main_option("my_important_option")
# ... etc.


def get_metadata():
    return target_db.metadatas[None]


def render_item(type_, obj, autogen_context):
    """Render the app's UTCDateTime as sa.DateTime(timezone=True): migrations never import
    application code, which may change after the migration is written."""
    if type_ == "type" and type(obj).__name__ == "UTCDateTime":
        return "sa.DateTime(timezone=True)"
    return False


def prepare_sqlite(connection):
    """Make a SQLite migration safe: all in one transaction, foreign keys off.

    SQLite changes a table by copying it and dropping the old one; with foreign keys on, that
    drop would delete (or refuse to delete) the rows that point at it. The driver also commits
    before each DDL statement unless it is left out of transaction handling, which would leave
    a failed migration half done. Both pragmas and the mode work only outside a transaction.
    """
    raw = connection.connection.dbapi_connection
    raw.isolation_level = None
    raw.execute("PRAGMA foreign_keys=OFF")
    sa_event.listen(connection, "begin", _begin)


def _begin(connection):
    connection.exec_driver_sql("BEGIN")


def check_sqlite_keys(connection):
    """Refuse to commit a migration that left rows pointing at nothing."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"migration left rows without their parent: {broken[:5]}")


def restore_sqlite(connection):
    """Give the connection back to the pool as the app expects it."""
    sa_event.remove(connection, "begin", _begin)
    raw = connection.connection.dbapi_connection
    raw.execute("PRAGMA foreign_keys=ON")
    raw.isolation_level = ""


def run_migrations_offline():
    """Run migrations in 'offline' mode.

    This configures the context with just a URL
    and not an Engine, though an Engine is acceptable
    here as well.  By skipping the Engine creation
    we don't even need a DBAPI to be available.

    Calls to context.execute() here emit the given string to the
    script output.

    """
    url = config.get_main_option("sqlalchemy.url")
    context.configure(url=url, target_metadata=get_metadata(), literal_binds=True)

    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run migrations in 'online' mode.

    In this scenario we need to create an Engine
    and associate a connection with the context.

    """

    # this callback is used to prevent an auto-migration from being generated
    # when there are no changes to the schema
    # reference: http://alembic.zzzcomputing.com/en/latest/cookbook.html
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = current_app.extensions["migrate"].configure_args
    conf_args.setdefault("render_item", render_item)
    if conf_args.get("process_revision_directives") is None:
        conf_args["process_revision_directives"] = process_revision_directives

    connectable = get_engine()

    with connectable.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            prepare_sqlite(connection)
        context.configure(
            connection=connection,
            target_metadata=get_metadata(),
            transactional_ddl=True,
            **conf_args,
        )
        try:
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    check_sqlite_keys(connection)
        finally:
            if sqlite:
                restore_sqlite(connection)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
