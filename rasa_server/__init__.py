"""The Rasa server of every mode: `python -m rasa_server` (see __main__)."""
