"""What the form actions call once the visitor confirmed: store, then notify in the background."""
from __future__ import annotations

import asyncio

from leads import notify, store


def record_lead(**lead_fields) -> store.SaveResult:
    """store.save_lead(...), then queue the WeCom notification of a new lead.

    Returns as soon as the lead is committed; the notification never delays it.
    Raises ValueError for unusable contact data (see store.save_lead).
    """
    result = store.save_lead(**lead_fields)
    notifier = notify.default_notifier()
    if result.created and notifier is not None:
        notifier.submit(result.lead)
    return result


async def arecord_lead(**lead_fields) -> store.SaveResult:
    """record_lead for async code (the action server): the database work runs in
    a worker thread so the event loop keeps serving other visitors."""
    return await asyncio.to_thread(record_lead, **lead_fields)
