"""The pinned Chart.js build: its version and Subresource Integrity hash, defined here only and
read by the app, by the wheel's build (setup.py) and by the Makefile (`make vendor`); where the
app serves its own copy from; and how a copy is fetched from the npm registry and checked.

Standard library only: setup.py loads this file by its path, before anything is installed, and
`python3 -m survey.core.chartjs` runs it with no virtual environment.
"""

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

VERSION = "4.5.1"
SRI = "sha384-jb8JQMbMoBUzgWatfe6COACi2ljcDdZQ2OxczGA3bGNeWe+6DChMTBJemed7ZnvJ"
CDN_URL = f"https://cdn.jsdelivr.net/npm/chart.js@{VERSION}/dist/chart.umd.min.js"
# The copy's place inside the static folder (static/ in a checkout, survey/static/ installed).
STATIC_NAME = "vendor/chart.umd.min.js"
# The file inside the npm package's tarball.
PACKAGE_MEMBER = "package/dist/chart.umd.min.js"
NPM_SECONDS = 300


class NoVerifiedCopy(Exception):
    """No copy of the pinned build that matches its SRI hash could be had (one-line reason)."""


def sri_of(data: bytes) -> str:
    """The Subresource Integrity hash (sha384) of `data`, as a browser checks it.

    >>> sri_of(b"")
    'sha384-OLBgp1GsljhM2TJ+sbHjaiH9txEUvgdDTAzHv2P24donTt6/529l+9Ua0vFImLlb'
    """
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")


def is_verified(path) -> bool:
    """Whether `path` is a file holding exactly the pinned build."""
    try:
        with open(path, "rb") as f:
            return sri_of(f.read()) == SRI
    except OSError:
        return False


def default_url(static_folder: str, static_url_path: str) -> str:
    """Where pages load Chart.js from when CHARTJS_URL is not configured: this site's copy when
    the static folder holds one, else the pinned file on the CDN (with the same SRI hash).

    >>> default_url("/nowhere", "/static") == CDN_URL
    True
    """
    if os.path.isfile(os.path.join(static_folder, STATIC_NAME)):
        return f"{static_url_path}/{STATIC_NAME}"
    return CDN_URL


def fetch(destination) -> None:
    """Fetch the pinned build from the npm registry with npm, check it against SRI and write it
    to `destination` (whole or not at all); NoVerifiedCopy says why when it cannot."""
    npm = shutil.which("npm")
    if npm is None:
        raise NoVerifiedCopy(f"Chart.js {VERSION}: npm is not installed to fetch it")
    with tempfile.TemporaryDirectory(prefix="chartjs-") as work:
        try:
            packed = subprocess.run(
                [npm, "pack", "--silent", "--ignore-scripts", f"chart.js@{VERSION}"],
                cwd=work,
                capture_output=True,
                text=True,
                timeout=NPM_SECONDS,
            )
        except subprocess.TimeoutExpired:
            said = f"Chart.js {VERSION}: npm pack took over {NPM_SECONDS} s"
            raise NoVerifiedCopy(said) from None
        if packed.returncode != 0:
            said = (packed.stderr.strip().splitlines() or ["no message"])[-1]
            raise NoVerifiedCopy(f"Chart.js {VERSION}: npm pack failed ({said})")
        tarball = os.path.join(work, packed.stdout.strip().splitlines()[-1])
        data = _member(tarball)
    if sri_of(data) != SRI:
        raise NoVerifiedCopy(f"Chart.js {VERSION} from the npm registry does not match {SRI}")
    _write_whole(destination, data)


def _member(tarball) -> bytes:
    """The build's bytes out of the npm tarball."""
    try:
        with tarfile.open(tarball) as archive:
            member = archive.extractfile(PACKAGE_MEMBER)
            if member is None:
                raise KeyError(PACKAGE_MEMBER)
            return member.read()
    except (OSError, KeyError, tarfile.TarError) as error:
        raise NoVerifiedCopy(f"Chart.js {VERSION}: no {PACKAGE_MEMBER} in npm's tarball") from error


def _write_whole(destination, data: bytes) -> None:
    """Write through a temporary file beside `destination`, so a failure leaves no half file."""
    folder = os.path.dirname(os.path.abspath(destination))
    os.makedirs(folder, exist_ok=True)
    fd, partial = tempfile.mkstemp(dir=folder, prefix=".chartjs-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(partial, 0o644)
        os.replace(partial, destination)
    except BaseException:
        os.unlink(partial)
        raise


def main(argv=None) -> int:
    """`python3 -m survey.core.chartjs PATH`: make PATH the verified build (kept when it is)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python3 -m survey.core.chartjs PATH", file=sys.stderr)
        return 2
    if is_verified(args[0]):
        return 0
    try:
        fetch(args[0])
    except NoVerifiedCopy as error:
        print(error, file=sys.stderr)
        return 1
    print(f"Chart.js {VERSION} fetched from the npm registry and checked: {args[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
