"""Pages name static files by addresses that change with their content: the nginx site lets
browsers keep a static file a year when its address carries a version (?v=)."""

import hashlib
import re
import shutil
from pathlib import Path

from flask import url_for

from tests.factories import make_defined_survey

STATIC_LINK = re.compile(r'(?:href|src)="/static/([^"?]+)(?:\?v=([0-9a-f]+))?"')


def static_links(html):
    """{file: version or ""} for every static file the page names."""
    return dict(STATIC_LINK.findall(html))


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def test_every_static_file_a_page_names_carries_its_contents_version(app, client, db):
    survey = make_defined_survey(db)
    static = app.static_folder
    pages = ["/", f"/s/{survey.code}"]
    named = {}
    for page in pages:
        named |= static_links(client.get(page).get_data(as_text=True))
    assert {"css/site.css", "js/offline-queue.js", "js/survey-form.js"} <= set(named)
    for filename, version in named.items():
        assert version == digest(Path(static) / filename), filename


def test_a_changed_file_gets_a_new_address(make_app, tmp_path):
    app = make_app()
    copy = tmp_path / "static"
    shutil.copytree(app.static_folder, copy)
    app.static_folder = str(copy)
    with app.test_request_context():
        before = url_for("static", filename="css/site.css")
        (copy / "css" / "site.css").write_text("body { color: black; }\n")
        after = url_for("static", filename="css/site.css")
        missing = url_for("static", filename="css/no-such-file.css")
    assert before != after and after.startswith("/static/css/site.css?v=")
    assert missing == "/static/css/no-such-file.css"
