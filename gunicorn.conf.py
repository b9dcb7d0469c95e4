"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py "portal:create_app()"`."""

import gc
import multiprocessing
import os

bind = os.environ.get("PORTAL_BIND", "127.0.0.1:8000")
# Threads let a worker wait on Amazon (or on the built-in sandbox, which it calls itself).
worker_class = "gthread"
workers = int(os.environ.get("PORTAL_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("PORTAL_THREADS", 4))
timeout = 30
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then, so a slow leak can never grow without bound...
max_requests = 20000
max_requests_jitter = 2000
# ...at no cost: the app is loaded once in the master and each worker starts as a fork of it
# (otherwise a worker's start, about a second, shows as a latency spike under load).
preload_app = True
control_socket_disable = True  # several instances on one host would share the socket
accesslog = "-"
# The path without its query string: Amazon's redirect carries a one-time code there.
access_log_format = (
    '{"remote": "%(h)s", "method": "%(m)s", "path": "%(U)s", "status": %(s)s, '
    '"bytes": "%(B)s", "ms": %(M)s, "request_id": "%({x-request-id}o)s"}'
)
errorlog = "-"
raw_env = ["PORTAL_LOG_JSON=true"]


def pre_fork(server, worker):
    """The app's objects, loaded in the master, are left out of the workers' garbage
    collections (Python's gc.freeze): a full collection walked all of them, a pause of about
    100 ms now and then, and wrote to each, which unshared the memory pages they sit on."""
    gc.freeze()
