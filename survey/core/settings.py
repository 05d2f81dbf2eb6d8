"""The one configuration path: defaults, instance/config.py, FLASK_* environment, test_config."""

import os
import secrets
import time

from survey.core import chartjs, languages, private_files

# Defaults in code. Each can be overridden in instance/config.py or as FLASK_<KEY>.
DEFAULTS = {
    "PUBLIC_BASE_URL": "http://127.0.0.1:5000",
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_HEADERS_ENABLED": False,
    # With Redis as the store (several workers or hosts): if Redis stops answering, the limits
    # are counted in each worker's memory meanwhile, instead of every request failing.
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_SWALLOW_ERRORS": True,
    # Behind a reverse proxy (nginx): how many proxies' X-Forwarded-For / -Proto to believe.
    # 0 (no proxy) ignores the headers, which anyone can forge; with a proxy and 0, every
    # visitor would share the proxy's address and so one rate limit.
    "TRUSTED_PROXIES": 0,
    # Behind that proxy: a request that waited longer than this for a worker is refused at once
    # with 503 and Retry-After (survey/core/load_shedding.py); 0 never refuses.
    "QUEUE_TIMEOUT_SECONDS": 10,
    # How many worker processes serve the site. None: WEB_CONCURRENCY, the variable gunicorn
    # reads as its default worker count (else 1). With memory:// above each worker counts alone
    # and enforces its share of every limit, so that the shares add up to the configured limit.
    "WORKERS": None,
    # Per address. Generous: a whole village may share one mobile carrier's address.
    "SUBMIT_RATE_LIMIT": "30 per minute",
    # Anonymous visits, per address, to the public pages that read many rows (/feedback).
    "PUBLIC_PAGE_RATE_LIMIT": "60 per minute",
    # Recordings of a survey's texts per address: a form may hold 30 of them, fetched once
    # (then kept by the phone), and a village may share one carrier address.
    "AUDIO_RATE_LIMIT": "600 per minute",
    # Failed sign-ins: per account from one address (guessing its password) and per address
    # across accounts (trying many). Others' failures never count at the officer's address.
    "LOGIN_RATE_LIMIT_ACCOUNT": "5 per 15 minutes",
    "LOGIN_RATE_LIMIT_ADDRESS": "20 per 15 minutes",
    # How long an officer's sign-in lasts (10 hours: a working day), on the server and in the
    # browser's cookies; signing out, a password change and a deactivation end it before.
    "OFFICER_SESSION_SECONDS": 10 * 3600,
    # Where pages load the pinned Chart.js build from, checked by its Subresource Integrity
    # hash (survey/core/chartjs.py). Unset (or empty): this site's copy when the static folder
    # holds one (an installed package always does; `make run` fetches it), else the CDN.
    "CHARTJS_URL": None,
    "CHARTJS_SRI": chartjs.SRI,
    "SUPPRESSION_K": 5,
    # Integrity checks on paper entry (survey/ratings/integrity_checks.py,
    # survey/paper/entry.py). A survey's paper sheets are flagged when they are more than this
    # share of its responses: the phone is the channel, paper is for those without one (the
    # demo's villages type about a fifth), so more than half is unusual enough for the
    # inspector to look; 1 turns the check off.
    "PAPER_SHARE_FLAG": 0.5,
    # A run of sheets one person types into one survey (sheets less than ten minutes apart)
    # faster than this many seconds a sheet on average, over 5 sheets or more, is flagged:
    # reading a sheet, typing its number and answers and saving takes a person well over 5
    # seconds even for a short sheet; a script does not. 0 turns the check off. Judged when
    # the sheet is typed: a new value applies to sheets typed after it.
    "PAPER_MIN_SECONDS_PER_SHEET": 5,
    # How long a worker may serve a survey's questions and the villages before asking the
    # database whether they changed.
    "SURVEY_CACHE_SECONDS": 2,
    # Dashboards: evaluations and results are kept (per worker, or in REDIS_URL) and refreshed
    # in the background when the data change ("background", at most once per
    # AGGREGATE_REFRESH_SECONDS), or while the reader waits ("inline"); a kept value is
    # recomputed after AGGREGATE_MAX_AGE_SECONDS whatever changed (survey/ratings/kept_figures.py).
    "AGGREGATE_REFRESH": "background",
    "AGGREGATE_REFRESH_SECONDS": 60,
    "AGGREGATE_MAX_AGE_SECONDS": 600,
    # Redis for the dashboards' figures, shared by every worker and host and computed once per
    # change by `flask figures worker` (RQ; survey/ratings/shared_figures.py), e.g.
    # "redis://127.0.0.1:6379/1". None: each worker keeps its own, computed in its own thread.
    "REDIS_URL": None,
    "BABEL_DEFAULT_LOCALE": "vi",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
    "LANGUAGES": {"vi": "Tiếng Việt", "en": "English"},
    # The languages a survey's questions may be written in (and spoken, with audio): a list of
    # codes of survey.core.languages.LANGUAGES, e.g. ["vi", "en", "bdq", "jra"]; None: all.
    # Those the interface does not speak show their questions with Vietnamese buttons.
    "SURVEY_LANGUAGES": None,
    # The commune's name, district and province as pages print them ("xã Hà Tam"); the demo
    # commune's resolution names no district or province, so the header leaves them out.
    # Saved commune settings (administration pages) override these: see survey/commune/settings.py.
    "COMMUNE_NAME": "xã Hà Tam",
    "DISTRICT_NAME": "",
    "PROVINCE_NAME": "",
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    # The largest evidence file a task takes (a phone's photo, scanned minutes as PDF); the
    # upload page alone accepts a body this large (survey/programmes/evidence_views.py).
    "EVIDENCE_MAX_BYTES": 10 * 1024 * 1024,
    # Where evidence files are kept (survey/programmes/evidence_store.py): "local", the
    # instance folder's evidence/, or "s3", a bucket of an S3-compatible store (MinIO, Ceph, a
    # cloud's) through boto3 (pip install 'commune-survey[s3]'). Endpoint None: AWS itself;
    # keys None: boto3's own chain (environment, profile, instance role).
    "EVIDENCE_STORE": "local",
    "EVIDENCE_S3_BUCKET": None,
    "EVIDENCE_S3_ENDPOINT_URL": None,
    "EVIDENCE_S3_REGION": "us-east-1",
    "EVIDENCE_S3_ACCESS_KEY_ID": None,
    "EVIDENCE_S3_SECRET_ACCESS_KEY": None,
    "EVIDENCE_S3_PREFIX": "evidence/",
    # The largest audio file a survey's text takes (survey/surveys/audio.py): a minute of WAV
    # from a phone; the builder's audio page alone accepts a body this large.
    "AUDIO_MAX_BYTES": 8 * 1024 * 1024,
    # ffmpeg and ffprobe, which check an audio file and make it a small MP3 (names looked up
    # on PATH, or paths); "" or a program not found: files are checked by their first bytes
    # only and stored as given.
    "AUDIO_FFMPEG": "ffmpeg",
    "AUDIO_FFPROBE": "ffprobe",
    # The daily e-mail of tasks due soon and overdue (`flask tasks digest`, survey/core/mail.py).
    # Without SMTP_HOST no e-mail is sent. SMTP_PORT unset: 587 with SMTP_STARTTLS, else 25.
    # MAIL_FROM unset: SMTP_USER when it is an address. A server silent this many seconds fails.
    "SMTP_HOST": "",
    "SMTP_PORT": None,
    "SMTP_USER": "",
    "SMTP_PASSWORD": "",
    "SMTP_STARTTLS": False,
    "MAIL_FROM": "",
    "SMTP_TIMEOUT_SECONDS": 30,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "SQLALCHEMY_RECORD_QUERIES": False,
    # PostgreSQL: the role every transaction of the application takes (SET LOCAL ROLE), made
    # by the migrations; it owns no table, so the row-level security policies that keep each
    # commune's rows to itself apply to it (survey/models/scoping.py). None: the connecting
    # role's own (a superuser or the tables' owner bypasses the policies).
    "DATABASE_ROLE": None,
}

SECRET_KEY_FILE = "secret_key"


def load(app, test_config=None):
    """Fill app.config in order: defaults, instance/config.py, FLASK_* env, test_config."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env()
    if test_config is not None:
        app.config.from_mapping(test_config)
    app.config.setdefault(
        "SQLALCHEMY_DATABASE_URI",
        "sqlite:///" + os.path.join(app.instance_path, "survey.sqlite"),
    )
    app.config["SQLALCHEMY_DATABASE_URI"] = with_psycopg(app.config["SQLALCHEMY_DATABASE_URI"])
    if not app.config.get("CHARTJS_URL"):
        app.config["CHARTJS_URL"] = chartjs.default_url(app.static_folder, app.static_url_path)
    _secure_cookies_behind_https(app.config)
    if os.path.isdir(app.instance_path):
        # Owner-only, as everything the app keeps there (survey.core.private_files).
        private_files.tighten(app.instance_path, private_files.FOLDER_MODE)
    _check_workers(app.config.get("WORKERS"), os.environ.get("WEB_CONCURRENCY"))
    languages.check_setting(app.config.get("SURVEY_LANGUAGES"))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)


def _secure_cookies_behind_https(config):
    """Cookies are sent over HTTPS only when the site is served over HTTPS.

    SESSION_COOKIE_SECURE = True turns it on whatever the address; an https:// PUBLIC_BASE_URL
    turns it on by itself.
    """
    secure = bool(config.get("SESSION_COOKIE_SECURE")) or str(
        config.get("PUBLIC_BASE_URL", "")
    ).startswith("https://")
    config["SESSION_COOKIE_SECURE"] = secure
    config["REMEMBER_COOKIE_SECURE"] = secure or bool(config.get("REMEMBER_COOKIE_SECURE"))


def _check_workers(workers, web_concurrency):
    """Refuse at start a worker count that is not a whole number from 1 (the rate limits divide
    by it: a bad one must not switch them off at the first request).

    >>> _check_workers(None, "4"), _check_workers(2, None)
    (None, None)
    >>> _check_workers(None, "four")
    Traceback (most recent call last):
    ValueError: WEB_CONCURRENCY must be a whole number from 1, not 'four'
    """
    for name, value in (("WORKERS", workers), ("WEB_CONCURRENCY", web_concurrency)):
        if value is None:
            continue
        try:
            whole = int(value)
        except (TypeError, ValueError):
            whole = 0
        if whole < 1 or isinstance(value, bool | float):
            raise ValueError(f"{name} must be a whole number from 1, not {value!r}")


def with_psycopg(url):
    """A PostgreSQL URL without a driver gets psycopg 3, the driver this project installs.

    >>> with_psycopg("postgres://u@db/survey")
    'postgresql+psycopg://u@db/survey'
    >>> with_psycopg("sqlite:///x.sqlite")
    'sqlite:///x.sqlite'
    """
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def instance_secret_key(instance_path):
    """Return the secret key kept in instance/, creating it (mode 600) on first start."""
    private_files.private_folder(instance_path)
    path = os.path.join(instance_path, SECRET_KEY_FILE)
    try:
        # O_EXCL: when several workers start at once, exactly one writes the key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_key(path)
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_hex(32))
    return _read_key(path)


def _read_key(path):
    with open(path) as f:
        key = f.read().strip()
    if not key:
        # Another worker created the file and has not written it yet.
        for _ in range(50):
            time.sleep(0.02)
            with open(path) as f:
                key = f.read().strip()
            if key:
                break
        else:
            raise RuntimeError(f"secret key file {path} is empty; delete it and start again")
    return key
