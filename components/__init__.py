"""Custom Rasa NLU components of this assistant.

Rasa imports this package in every server process that loads the model, so the
measured speed-up of assistant.rasa_speedups is installed here.
"""
from assistant import rasa_speedups

rasa_speedups.install()
