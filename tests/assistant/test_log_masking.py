"""Phone numbers and WeChat IDs never reach a log in clear (assistant/log_masking.py)."""

import io
import logging
import warnings

from assistant.log_masking import MaskingFilter
from assistant.log_masking import install as install_log_masking


def test_log_filter_masks_records_of_child_loggers():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger("leads-test-root")
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        install_log_masking(root)
        install_log_masking(root)  # idempotent
        assert sum(isinstance(f, MaskingFilter) for f in handler.filters) == 1
        logging.getLogger("leads-test-root.child").info("visitor %s left wechat: %s", "13800138000", "lily_2024")
    finally:
        root.removeHandler(handler)
    output = stream.getvalue()
    assert "138****8000" in output and "li***24" in output
    assert "13800138000" not in output and "lily_2024" not in output


def test_warnings_are_masked_too():
    """Python warnings bypass logging: Rasa warns with the text of a payload it cannot parse."""
    shown = io.StringIO()
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = lambda message, *rest, **kw: shown.write(str(message))
        install_log_masking(logging.getLogger("leads-test-warnings"))
        warnings.warn("payload from 13800138000 not understood", UserWarning, stacklevel=1)
    assert "138****8000" in shown.getvalue() and "13800138000" not in shown.getvalue()
