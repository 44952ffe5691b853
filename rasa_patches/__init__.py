"""Every change this assistant makes to Rasa 3.6, installed by one call in every Rasa process.

`install()` runs when Rasa imports the `components` package, which every process that loads
the model does (`rasa train`, `rasa test`, `rasa shell`, `make run`, the stack's replicas), and
again, harmlessly, from `python -m rasa_server` before the server starts. Each patch says why
it exists in its own module.
"""

from __future__ import annotations


def install() -> None:
    # Each patch checks that it is not in place already. Imported here, not at the top: a test
    # of one patch module (the visitor's bucket, say) does not need Rasa imported.
    from assistant import log_masking
    from rasa_patches import action_secret, degradation, message_limits, speedups, understanding, visitor_rate

    log_masking.install()
    speedups.install()
    action_secret.install()
    # Agent.handle_message is wrapped by several patches; the last installed runs first:
    # a too-long or too-fast message is refused before any parsing, and a failed store
    # (degradation, innermost) still ends the turn with an apology.
    degradation.install()
    understanding.install()
    message_limits.install()
    visitor_rate.install()
