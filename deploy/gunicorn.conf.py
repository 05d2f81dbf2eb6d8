"""gunicorn's settings in production, behind nginx (deploy/nginx-site.conf.in):

    gunicorn -c deploy/gunicorn.conf.py 'app:create_app()'

`gunicorn --print-config -c deploy/gunicorn.conf.py 'app:create_app()'` shows what it resolves to.
"""

import os

# Loopback only: nginx on this host is the one client. The app believes the last
# X-Forwarded-For entry (FLASK_TRUSTED_PROXIES=1), so whoever could reach gunicorn directly
# could choose the address its rate limits count.
bind = ["127.0.0.1:8000"]

# The same variable, with the same default, as the app's WORKERS (survey/core/rate_limits.py):
# with memory:// limits each worker enforces its share, so both must count the same workers.
workers = int(os.environ.get("WEB_CONCURRENCY", "1"))

# Sync workers: nginx reads each request whole and buffers each response, so a slow phone never
# holds a worker (proxy_request_buffering and proxy_buffering stay on in the site).
worker_class = "sync"

# A large survey's workbook or report takes tens of seconds to build.
timeout = 120
# A restart lets a download that is being built finish, as long as the worker timeout would.
graceful_timeout = 120

# No access log: it would pair each request with its time, and nginx sees the visitor's
# address; the app keeps no visitor address anywhere (docs/anonymity.md). Errors go to
# standard error, which systemd's journal keeps.
accesslog = None
errorlog = "-"
loglevel = "info"

# Only nginx on this host may say a request came over HTTPS, and only by X-Forwarded-Proto,
# the one header the site sets (a client's X-Forwarded-Ssl: off would otherwise contradict it).
forwarded_allow_ips = "127.0.0.1,::1"
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}

# No preload_app: each worker opens its own database pool after the fork.
proc_name = "commune-survey"
