"""Torg's settings plus the bare 204 view of the HTTP benchmark (bench/http_logging.py)."""

from torg.settings import *  # noqa: F403

ROOT_URLCONF = "bench.http_urls"
