"""The deployment tests take the static folder from the app, as deploy/nginx_site.py does,
wherever the app keeps it (static/ in a source checkout)."""

from pathlib import Path

import pytest

from deploy import nginx_site


@pytest.fixture(scope="session")
def static_folder():
    """The folder the app serves /static/ from."""
    return Path(nginx_site.app_static_folder())
