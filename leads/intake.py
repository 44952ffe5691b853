"""What the form actions call once the visitor confirmed: store, then notify in the background."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging

from sqlalchemy.exc import SQLAlchemyError

from assistant import metrics
from leads import notify, screening, spool, store

logger = logging.getLogger(__name__)


def _store_and_notify(lead_fields: dict) -> store.SaveResult:
    result = store.save_lead(**lead_fields)
    if result.refused:
        logger.warning(
            "lead of %s refused: %s (leads.screening)",
            lead_fields.get("conversation_id"),
            screening.describe(result.refused),
        )
    notifier = notify.default_notifier()
    # A lead that looks automated is shown flagged in the console, not pushed to the staff's group.
    if result.created and not result.lead.flag and notifier is not None:
        notifier.submit(result.lead)
    return result


def deliver_kept_leads() -> int:
    """Leads kept on disk during an outage, into the database (raises while it is away)."""
    return spool.deliver(_store_and_notify)


def record_lead(**lead_fields) -> store.SaveResult:
    """store.save_lead(...), then queue the WeCom notification of a new lead.

    Returns as soon as the lead is committed; the notification never delays it.
    Raises ValueError for unusable contact data (see store.save_lead). When the database is
    away the lead is kept on disk (leads.spool) and stored as soon as the database is back.
    """
    try:
        deliver_kept_leads()
        result = _store_and_notify(lead_fields)
    except SQLAlchemyError as error:
        # The same request kept twice is one file (and one row once delivered).
        key = hashlib.sha256(json.dumps(lead_fields, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        spool.keep(lead_fields, key)
        logger.error(
            "leads database unavailable (%s): lead of %s kept on disk",
            type(error).__name__,
            lead_fields.get("conversation_id"),
        )
        spool.retry_in_background(_store_and_notify)
        metrics.record_lead_stored(kept_on_disk=True)
        return store.SaveResult(lead=None, created=True, kept=True)
    except Exception:
        metrics.record_lead_failed()
        raise
    if result.created:
        metrics.record_lead_stored()
    return result


async def arecord_lead(**lead_fields) -> store.SaveResult:
    """record_lead for async code (the action server): the database work runs in
    a worker thread so the event loop keeps serving other visitors."""
    return await asyncio.to_thread(record_lead, **lead_fields)
