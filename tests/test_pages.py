"""Data inlined into a page's <script> can't end the element or open markup, and reads back unchanged."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

from kg.pages import json_for_script, script_hash


@pytest.mark.parametrize(
    "value",
    [
        "</script><script>alert(1)</script>",
        "<!-- x",
        "a & b",
        "line\u2028separator\u2029",
        "\"quoted\" 'single'",
        "]]>",
    ],
)
def test_json_for_script_keeps_markup_out_and_the_value_in(value):
    text = json_for_script({"label": value, "list": [value]})
    assert not any(char in text for char in "<>&\u2028\u2029")
    assert json.loads(text) == {"label": value, "list": [value]}


def test_script_hash_is_the_csp_source_of_that_script():
    digest = base64.b64encode(hashlib.sha256("let a = 1;".encode()).digest()).decode()
    assert script_hash("let a = 1;") == f"'sha256-{digest}'"
    assert script_hash("let a = 2;") != script_hash("let a = 1;")
