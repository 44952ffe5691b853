"""The privacy settings, each read from the environment in one place."""

from __future__ import annotations

import os
from typing import Mapping

from assistant import settings


def retention_days(environ: Mapping[str, str] = os.environ) -> int:
    """RETENTION_DAYS: conversations and leads older than this are deleted by the retention job
    (`python -m privacy purge`); 0 keeps them forever."""
    try:
        return max(0, settings.RETENTION_DAYS.integer(environ))
    except ValueError:
        return 180


def privacy_url(environ: Mapping[str, str] = os.environ) -> str:
    """PRIVACY_URL: where the callback form's notice links to (the web app serves /privacy)."""
    return settings.PRIVACY_URL.value(environ)
