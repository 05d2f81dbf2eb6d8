"""Write the nginx site for this deployment from deploy/nginx-site.conf.in.

    .venv/bin/python deploy/nginx_site.py --server-name khaosat.example.vn \\
        --certificate /etc/letsencrypt/live/khaosat.example.vn/fullchain.pem \\
        --certificate-key /etc/letsencrypt/live/khaosat.example.vn/privkey.pem \\
        > /etc/nginx/sites-available/commune-survey
    .venv/bin/python deploy/nginx_site.py --print-static-folder

The static folder is the one the installed app serves /static/ from, asked of the app itself
(`<checkout>/static` in a source checkout); --static-folder names another. Run it with the
app's Python (.venv/bin/python), so that it finds the app as the server will.
"""

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

TEMPLATE = Path(__file__).with_name("nginx-site.conf.in")
LISTEN_ADDRESS = "@LISTEN_ADDRESS@"
PLACEHOLDER = re.compile(r"@[A-Z_]+@")
# All IPv4 and all IPv6 addresses: many phones reach the site over IPv6.
EVERY_ADDRESS = ("0.0.0.0", "[::]")
DEFAULTS = {
    "app_address": "127.0.0.1:8000",
    "acme_root": "/var/www/acme",
    "error_log": "/var/log/nginx/commune-survey.error.log",
    "http_port": 80,
    "https_port": 443,
}


def app_static_folder():
    """The folder the installed app serves /static/ from, as the app itself says."""
    from app import create_app

    # A throwaway instance folder and an in-memory database: asking writes nothing anywhere.
    kept = os.environ.get("SURVEY_INSTANCE_PATH")
    with tempfile.TemporaryDirectory() as instance:
        os.environ["SURVEY_INSTANCE_PATH"] = instance
        try:
            app = create_app({"SECRET_KEY": "unused", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
        finally:
            if kept is None:
                del os.environ["SURVEY_INSTANCE_PATH"]
            else:
                os.environ["SURVEY_INSTANCE_PATH"] = kept
    return app.static_folder


def https_origin(server_name, https_port):
    """Where the HTTP site sends visitors: the site's name, with its port when not 443."""
    port = "" if int(https_port) == 443 else f":{https_port}"
    return f"https://{server_name}{port}"


def render(
    *,
    server_name,
    certificate,
    certificate_key,
    static_folder,
    listen_addresses=EVERY_ADDRESS,
    **settings,
):
    """The site's text with every @NAME@ filled in; refuses a value the site cannot use."""
    settings = DEFAULTS | settings
    folder = Path(static_folder)
    if not folder.is_dir():
        raise ValueError(f"the static folder {folder} is not a folder")
    values = {
        "SERVER_NAME": server_name,
        "CERTIFICATE": certificate,
        "CERTIFICATE_KEY": certificate_key,
        "STATIC_FOLDER": str(folder.resolve()),
        "APP_ADDRESS": settings["app_address"],
        "ACME_ROOT": settings["acme_root"],
        "ERROR_LOG": settings["error_log"],
        "HTTP_PORT": str(settings["http_port"]),
        "HTTPS_PORT": str(settings["https_port"]),
        "HTTPS_ORIGIN": https_origin(server_name, settings["https_port"]),
    }
    for name, value in values.items():
        # nginx ends a directive at ";" or "{" and a word at white space; a value holding one
        # would write other directives than the template's.
        if not value or re.search(r"[\s;{}#'\"$]", value):
            raise ValueError(f"{name} cannot be {value!r} in an nginx site")
    lines = []
    for line in TEMPLATE.read_text().splitlines():
        if line.lstrip().startswith("#"):
            lines.append(line)  # comments name the placeholders: they stay as written
            continue
        copies = listen_addresses if LISTEN_ADDRESS in line else [None]
        for address in copies:
            filled = line if address is None else line.replace(LISTEN_ADDRESS, address)
            lines.append(PLACEHOLDER.sub(lambda m: values[m.group(0).strip("@")], filled))
    return "\n".join(lines) + "\n"


def main(argv=None):
    """Print the site (or the static folder) for the options given."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--print-static-folder", action="store_true", help="print it and stop")
    parser.add_argument("--server-name", help="the site's name, as PUBLIC_BASE_URL has it")
    parser.add_argument("--certificate", help="the certificate chain (PEM), e.g. fullchain.pem")
    parser.add_argument("--certificate-key", help="its private key (PEM), e.g. privkey.pem")
    parser.add_argument("--static-folder", help="default: the one the app serves")
    parser.add_argument("--app-address", default=DEFAULTS["app_address"], help="gunicorn's bind")
    parser.add_argument("--acme-root", default=DEFAULTS["acme_root"], help="certbot's webroot")
    parser.add_argument("--error-log", default=DEFAULTS["error_log"])
    args = parser.parse_args(argv)
    if args.print_static_folder:
        print(args.static_folder or app_static_folder())
        return
    missing = [
        option
        for option in ("server_name", "certificate", "certificate_key")
        if not getattr(args, option)
    ]
    if missing:
        parser.error("needs " + ", ".join("--" + name.replace("_", "-") for name in missing))
    try:
        site = render(
            server_name=args.server_name,
            certificate=args.certificate,
            certificate_key=args.certificate_key,
            static_folder=args.static_folder or app_static_folder(),
            app_address=args.app_address,
            acme_root=args.acme_root,
            error_log=args.error_log,
        )
    except ValueError as error:
        parser.error(str(error))
    sys.stdout.write(site)


if __name__ == "__main__":
    main()
