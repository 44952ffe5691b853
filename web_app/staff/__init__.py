"""The staff console: leads, the conversation behind each, and a report of what visitors ask."""
