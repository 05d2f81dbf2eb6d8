"""Where the app's templates, static files and migrations are.

A wheel carries them inside the survey package (survey/templates/, survey/static/,
survey/migrations/: setup.py puts them there); a source checkout, and an editable install of
one, keeps them at the top of the repository, beside survey/.
"""

import os

PACKAGE_FOLDER = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHECKOUT_FOLDER = os.path.dirname(PACKAGE_FOLDER)


def app_folder(name: str) -> str:
    """The folder `name` ("templates", "static" or "migrations") of this installation: the
    package's own when it has one (installed from a wheel), else the checkout's."""
    packaged = os.path.join(PACKAGE_FOLDER, name)
    if os.path.isdir(packaged):
        return packaged
    return os.path.join(CHECKOUT_FOLDER, name)
