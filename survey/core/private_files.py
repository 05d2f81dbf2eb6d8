"""Owner-only files: what the application writes is readable by the account it runs as only.

The instance folder is 0700. The SQLite database with its -wal, -shm and -journal, the secret
key, backups, the demo sign-ins and every file a command writes are 0600: slips hold codes
that open a member survey, an export every answer, a backup the accounts' password hashes.

Each writer asks for its mode here rather than the process setting a umask: a umask is
process-wide (it would change the files of gunicorn, of the libraries and of a test runner
too, and is not the application's to set when it is imported by a server) and it can only
narrow files yet to be made, never the ones an older version left readable, which these
functions tighten when they meet them.
"""

import logging
import os
import stat
import tempfile

FILE_MODE = 0o600
FOLDER_MODE = 0o700
# What SQLite keeps beside a database; it makes them with the database file's own mode.
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")

log = logging.getLogger(__name__)


def tighten(path, mode):
    """Take from `path`, if it exists, every permission `mode` does not give."""
    try:
        current = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return
    if current & ~mode:
        try:
            os.chmod(path, current & mode)
        except OSError as error:  # another account's file: say so, do not stop the app
            log.warning("%s stays readable by others: %s", path, error.strerror)


def private_folder(path):
    """Make the folder `path` if it is missing; owner-only in either case."""
    os.makedirs(path, mode=FOLDER_MODE, exist_ok=True)
    tighten(path, FOLDER_MODE)


def open_private(path, mode="w", **kwargs):
    """Open `path` for writing, emptied, owner-only (an older file's mode is narrowed too)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        return os.fdopen(fd, mode, **kwargs)
    except BaseException:
        os.close(fd)
        raise


def write_private_file(path, chunks):
    """Write `chunks` (bytes) to `path`, owner-only, and return how many bytes were written.

    Through a temporary file beside it (mkstemp makes it 0600) renamed into place only when
    complete: a failure (OSError) leaves no file and no half-written one, and a file already
    at `path` is replaced whole, its mode with it.
    """
    directory = os.path.dirname(os.path.abspath(path))
    fd, partial = tempfile.mkstemp(dir=directory, prefix=".export-", suffix=".part")
    written = 0
    try:
        with os.fdopen(fd, "wb") as f:
            for chunk in chunks:
                f.write(chunk)
                written += len(chunk)
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    return written


def private_sqlite(path):
    """Before SQLite opens the database file `path`: make it owner-only when it is missing
    (SQLite gives its -wal, -shm and -journal the database's mode), and narrow the files an
    older version left readable."""
    if not path or path == ":memory:" or path.startswith("file:"):
        return  # in memory, or a URI filename: SQLite's own business
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        pass
    except OSError:
        return  # a missing folder, say: SQLite's own message will tell
    for name in (path, *(path + suffix for suffix in SQLITE_SIDE_FILES)):
        tighten(name, FILE_MODE)
