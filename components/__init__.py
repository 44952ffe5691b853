"""Custom Rasa NLU components of this assistant.

Rasa imports this package in every process that loads the model (`make run`, `rasa shell`,
`rasa test`, the stack's replicas), so the Rasa-side patches are installed here, once:
the measured speed-ups (assistant.rasa_speedups) and the conversation context and
two-question handling of understanding (assistant.understanding_patches), and the
masking of phone numbers and WeChat IDs in the logs.
"""
from assistant import rasa_speedups, understanding_patches
from channels import limits, visitor_rate
from leads.contact import install_log_masking

rasa_speedups.install()
understanding_patches.install()
# Last, so outermost: a too-long message is refused before any parsing, and a visitor
# sending faster than a person is slowed before anything else.
limits.install_on_agent()
visitor_rate.install_on_agent()
# Phone numbers and WeChat IDs never reach the Rasa server's logs in clear either.
install_log_masking()
