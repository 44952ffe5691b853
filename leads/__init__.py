"""Callback requests ("leads") from the assistant's customer-service handoff.

The form actions use leads.contact (validation), leads.intake (store + notify)
and leads.office_hours; staff use `python -m leads` (see docs/leads.md).
"""
