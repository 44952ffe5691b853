"""Keeps `make run`'s servers running: a server that dies is restarted with backoff; only
Ctrl-C (or SIGTERM) stops everything."""
