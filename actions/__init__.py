"""Custom actions: every answer is rendered from kb/ (see assistant.kb)."""
from leads.contact import install_log_masking

# Phone numbers and WeChat IDs visitors leave must never reach the logs in clear.
install_log_masking()
