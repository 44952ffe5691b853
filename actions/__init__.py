"""Custom actions: every answer is rendered from kb/ (see assistant.kb)."""
