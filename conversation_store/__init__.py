"""Where conversations are kept, in every mode (SQLite for `make run`, PostgreSQL on the stack):
the tracker store with its bounded window and journal, and the archive the staff console and
the 猜你想问 chips read."""
