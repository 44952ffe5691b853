"""Dependencies' deprecation warnings (pkg_resources, distutils, pyparsing, SQLAlchemy 2.0,
TensorFlow) are theirs, not the operator's concern: hidden in every server process, while the
project's own modules keep theirs. Imported first by each entry point (rasa_server/__main__.py,
action_server/__main__.py, web_app/__main__.py)."""

import warnings

OWN = r"(action_server|actions|assistant|channels|components|leads|process_supervisor|production|web_app)(\.|$)"


def _apply() -> None:
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=PendingDeprecationWarning)
    warnings.filterwarnings("default", category=DeprecationWarning, module=OWN)


_apply()
import sanic  # noqa: E402,F401 - on import it shows every DeprecationWarning "once": ours go in front again

_apply()


def keep_after_rasa() -> None:
    """Rasa's CLI puts a "once" filter for every UserWarning in front when it starts; pyparsing's
    deprecations are UserWarnings too. Re-applied after Rasa's own (rasa_server/__main__.py)."""
    from rasa.utils import common

    original = common._filter_warnings

    def filter_warnings(*args, **kwargs):
        original(*args, **kwargs)
        _apply()
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"(?!" + OWN + ")")

    common._filter_warnings = filter_warnings
