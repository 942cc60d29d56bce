"""What every self-contained HTML page mlkg writes needs: data inlined safely, scripts allowed by hash.

The graph view (:mod:`kg.viz`) and the chart report (:mod:`kg.charts`) are
single files with their scripts and data inlined, under a
Content-Security-Policy that names each script by its hash.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from importlib import resources


def static_text(name: str) -> str:
    """A page's template, style sheet or script (or the service description), from ``kg/static``."""
    return resources.files("kg").joinpath("static").joinpath(name).read_text(encoding="utf-8")


def render(template: str, title: str, data, library_js: str, app_js: str, slots: dict[str, str]) -> str:
    """A page: kg/static/page-head.html, *template* (its styles and body), then page-tail.html.

    The tail holds *data* as JSON (``#mlkg-data``), the drawing library and
    the page's own script; the head a Content-Security-Policy that allows
    inline styles and exactly those two scripts, by their hashes. Each
    ``@@NAME@@`` is filled once: text put in is not read again.
    """
    policy = (
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
        f"script-src {script_hash(library_js)} {script_hash(app_js)}; base-uri 'none'; form-action 'none'"
    )
    values = {
        "CSP": policy,
        "TITLE": html.escape(title),
        "DATA": json_for_script(data),
        "LIBRARY_JS": library_js,
        "APP_JS": app_js,
        **slots,
    }
    page = static_text("page-head.html") + static_text(template) + static_text("page-tail.html")
    return re.sub(r"@@([A-Z_]+)@@", lambda m: values[m.group(1)], page)


def json_for_script(data) -> str:
    """JSON that cannot end its <script> element or open markup."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text


def script_hash(script: str) -> str:
    """The CSP source (``'sha256-...'``) that allows exactly this inline script."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"
