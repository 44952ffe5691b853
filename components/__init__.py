"""Custom Rasa NLU components of this assistant (components.jieba_tokenizer, components.normalizer,
components.intent_classifier) and the build of the NLP assets they load (`python -m components.nlp_assets`).

Rasa imports this package in every process that loads the model, so the log masking and the
Rasa patches are installed here, once (rasa_patches).
"""

import rasa_patches
from assistant import log_masking

log_masking.install()
rasa_patches.install()
