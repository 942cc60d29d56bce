"""What every self-contained HTML page mlkg writes needs: data inlined safely, scripts allowed by hash.

The graph view (:mod:`kg.viz`) and the chart report (:mod:`kg.charts`) are
single files with their scripts and data inlined, under a
Content-Security-Policy that names each script by its hash.
"""

from __future__ import annotations

import base64
import hashlib
import json
from importlib import resources


def static_text(name: str) -> str:
    """A page's template, style sheet or script (or the service description), from ``kg/static``."""
    return resources.files("kg").joinpath("static").joinpath(name).read_text(encoding="utf-8")


def json_for_script(data) -> str:
    """JSON that cannot end its <script> element or open markup."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def script_hash(script: str) -> str:
    """The CSP source (``'sha256-...'``) that allows exactly this inline script."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"
