"""Every response says what the browser may do: the content security policy (this site and
the one pinned Chart.js file), no sniffing, no framing, a same-origin referrer, HSTS under
HTTPS."""

from survey.core.security_headers import content_security_policy
from tests.factories import make_indicator, make_organization, make_survey, make_user


def directives(response):
    policy = response.headers["Content-Security-Policy"]
    return dict((part.split(" ", 1) + [""])[:2] for part in (p.strip() for p in policy.split(";")))


CHARTJS = "https://cdn.jsdelivr.net/npm/chart.js@4.5.1/dist/chart.umd.min.js"


def test_pages_forbid_inline_script_and_framing_and_allow_only_the_chart_file(client, db):
    make_survey(db, [{"code": "hl", "kind": "likert5"}], code="ks", status="open")
    db.session.commit()
    for path in ("/", "/s/ks", "/login", "/feedback", "/no-such-page"):
        response = client.get(path)
        policy = directives(response)
        # The one pinned file, not every package the CDN host serves.
        assert policy["script-src"] == f"'self' {CHARTJS}", path
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
        assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert "camera=()" in response.headers["Permissions-Policy"]
        assert "Strict-Transport-Security" not in response.headers  # served over plain HTTP


def test_with_chart_js_served_locally_no_outside_host_is_allowed(make_app):
    app = make_app(CHARTJS_URL="/static/vendor/chart.umd.min.js")
    response = app.test_client().get("/login")
    assert directives(response)["script-src"] == "'self'"
    assert "http" not in response.headers["Content-Security-Policy"]


def test_the_policy_names_the_file_without_its_query_and_cannot_be_extended():
    """A query or fragment is not part of a CSP source; a ';' or ',' or a space in the
    configured address cannot add a directive or a source of its own."""
    policy = content_security_policy(CHARTJS + "?v=1#x", None)
    assert f"script-src 'self' {CHARTJS};" in policy
    policy = content_security_policy("https://cdn.example/a.js; script-src *,x y", None)
    script_src = [d for d in policy.split("; ") if d.startswith("script-src")]
    assert script_src == ["script-src 'self' https://cdn.example/a.js%3B%20script-src%20*%2Cx%20y"]


def test_hsts_when_the_site_is_served_over_https(make_app):
    app = make_app(PUBLIC_BASE_URL="https://khaosat.hatam.gov.vn")
    response = app.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_printed_documents_style_themselves_with_this_responses_nonce(client, db, login):
    make_user(db, username="thuongtruc", role="committee")
    make_indicator(db, make_organization(db, code="nongdan"), year=2025)
    db.session.commit()
    login("thuongtruc", "a-long-password")
    response = client.get("/dashboard/report/2025.html")
    assert response.status_code == 200
    nonce = directives(response)["style-src"].split("'nonce-")[1].rstrip("'")
    assert f'<style nonce="{nonce}">' in response.get_data(as_text=True)
