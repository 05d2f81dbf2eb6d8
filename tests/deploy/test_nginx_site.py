"""The nginx site (deploy/nginx-site.conf.in, filled in by deploy/nginx_site.py): nginx accepts
it as production renders it, and it says to the app what the app believes.

The throwaway certificate is made with the `cryptography` package when it is installed, else
with the openssl program (deploy/throwaway_nginx.py); the skip reason says when neither is.
"""

import re
from pathlib import Path

import pytest

from deploy import nginx_site, throwaway_nginx
from survey.core.forms import FORM_SLACK
from survey.core.settings import DEFAULTS

NGINX = throwaway_nginx.nginx_binary()


def production_site(tmp_path, static_folder, **overrides):
    """The site as deploy/nginx_site.py writes it for production (every address, ports 80 and
    443), around a throwaway certificate and the app's static folder."""
    made = throwaway_nginx.self_signed_certificate(tmp_path)
    if made is None:
        pytest.skip("neither the cryptography package nor openssl is there to make a certificate")
    certificate, key = made
    return nginx_site.render(
        server_name="khaosat.example.vn",
        certificate=str(certificate),
        certificate_key=str(key),
        static_folder=str(static_folder),
        acme_root=str(tmp_path),
        error_log=str(tmp_path / "site-error.log"),
        **overrides,
    )


def directives(site, name):
    """The arguments of every `name` directive of the site, comments left out."""
    text = re.sub(r"#[^\n]*", "", site)
    # An argument ends at ";" or a brace, outside the quotes of a "t=${msec}".
    argument = r'((?:"[^"]*"|[^;{}"])*);'
    return [found.strip() for found in re.findall(rf"(?m)^\s*{name}\s+" + argument, text)]


def server_blocks(site):
    """The text of each server { ... } block (they hold no nested braces but locations')."""
    text = re.sub(r"#[^\n]*", "", site)
    blocks, depth, start = [], 0, None
    for match in re.finditer(r"server\s*\{|\{|\}", text):
        if match.group(0) != "}":
            if depth == 0 and match.group(0).startswith("server"):
                start = match.start()
            depth += 1
        else:
            depth -= 1
            if depth == 0 and start is not None:
                blocks.append(text[start : match.end()])
                start = None
    return blocks


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install nginx)")
def test_nginx_accepts_the_site_as_production_renders_it(tmp_path, static_folder):
    site = tmp_path / "site.conf"
    site.write_text(production_site(tmp_path, static_folder))
    configuration = tmp_path / "nginx.conf"
    configuration.write_text(throwaway_nginx.main_configuration(tmp_path, site, NGINX))
    passed, said = throwaway_nginx.check(NGINX, tmp_path, configuration)
    assert passed, said


def test_the_static_folder_is_named_in_one_place():
    template = nginx_site.TEMPLATE.read_text()
    code = re.sub(r"#[^\n]*", "", template)
    assert code.count("@STATIC_FOLDER@") == 1
    assert re.search(r"location /static/ \{\s*alias @STATIC_FOLDER@/;", code)


def test_the_app_is_told_the_address_nginx_saw_and_when_the_request_came(tmp_path, static_folder):
    site = production_site(tmp_path, static_folder)
    headers = dict(value.split(None, 1) for value in directives(site, "proxy_set_header"))
    # Set, not appended to what the client sent ($proxy_add_x_forwarded_for).
    assert headers["X-Forwarded-For"] == "$remote_addr"
    assert headers["X-Request-Start"] == '"t=${msec}"'
    assert headers["X-Forwarded-Proto"] == "$scheme"
    assert headers["Host"] == "$host"
    # Once for every page, once more for each upload (its larger body only).
    assert set(directives(site, "proxy_pass")) == {"http://commune_survey_app"}
    assert directives(site, "server") == ["127.0.0.1:8000"]  # the upstream: gunicorn's bind


def test_the_body_limit_is_the_apps():
    site_limit = directives(nginx_site.TEMPLATE.read_text(), "client_max_body_size")
    units = {"": 1, "k": 1024, "m": 1024 * 1024}
    site, upload, audio = [
        int(number) * units[unit.lower()]
        for number, unit in (
            re.fullmatch(r"(\d+)([kKmM]?)", limit).groups() for limit in site_limit
        )
    ]
    assert site == DEFAULTS["MAX_CONTENT_LENGTH"]
    # The evidence upload: the file's limit and room for the form (survey.core.forms).
    assert DEFAULTS["EVIDENCE_MAX_BYTES"] + FORM_SLACK <= upload
    assert upload <= DEFAULTS["EVIDENCE_MAX_BYTES"] + 1024 * 1024
    # The audio page's upload likewise.
    assert DEFAULTS["AUDIO_MAX_BYTES"] + FORM_SLACK <= audio
    assert audio <= DEFAULTS["AUDIO_MAX_BYTES"] + 1024 * 1024


def test_no_server_writes_an_access_log_or_request_errors(tmp_path, static_folder):
    site = production_site(tmp_path, static_folder)
    blocks = server_blocks(site)
    assert len(blocks) == 3  # HTTP redirect, HTTPS for unknown names, the site
    for block in blocks:
        assert directives(block, "access_log") == ["off"], block
        # nginx ends each message about a request with the client's address; those are at
        # "error" and below.
        assert directives(block, "error_log") == [f"{tmp_path / 'site-error.log'} crit"], block


def test_http_only_redirects_and_https_is_served_on_every_address(tmp_path, static_folder):
    site = production_site(tmp_path, static_folder)
    http, unknown, served = server_blocks(site)
    assert directives(http, "listen") == ["0.0.0.0:80 default_server", "[::]:80 default_server"]
    assert directives(http, "return") == ["301 https://khaosat.example.vn$request_uri"]
    assert directives(unknown, "ssl_reject_handshake") == ["on"]
    assert directives(served, "listen") == ["0.0.0.0:443 ssl http2", "[::]:443 ssl http2"]
    assert directives(served, "server_name") == ["khaosat.example.vn"]
    assert directives(served, "ssl_protocols") == ["TLSv1.2 TLSv1.3"]


@pytest.mark.parametrize(
    "field, value",
    [
        ("server_name", "a.vn; include /etc/passwd"),
        ("certificate", "/etc/ssl/my cert.pem"),
        ("app_address", ""),
    ],
)
def test_values_that_would_change_the_sites_directives_are_refused(tmp_path, field, value):
    values = {
        "server_name": "khaosat.example.vn",
        "certificate": "/etc/ssl/c.pem",
        "certificate_key": "/etc/ssl/k.pem",
        "static_folder": str(tmp_path),
    }
    with pytest.raises(ValueError, match="cannot be"):
        nginx_site.render(**(values | {field: value}))


def test_a_static_folder_that_is_not_there_is_refused(tmp_path):
    with pytest.raises(ValueError, match="not a folder"):
        nginx_site.render(
            server_name="khaosat.example.vn",
            certificate="/etc/ssl/c.pem",
            certificate_key="/etc/ssl/k.pem",
            static_folder=str(tmp_path / "nothing"),
        )


def test_the_printed_static_folder_is_where_the_app_serves_static_files_from(client, capsys):
    nginx_site.main(["--print-static-folder"])
    printed = Path(capsys.readouterr().out.strip())
    with client.get("/static/css/site.css") as served:
        assert served.status_code == 200
        assert (printed / "css" / "site.css").read_bytes() == served.get_data()
