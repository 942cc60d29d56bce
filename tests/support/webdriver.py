"""Headless Chromium for the browser tests, through chromedriver's W3C WebDriver HTTP API.

No Selenium: a handful of WebDriver calls over urllib is all the tests need.
Every request goes to a dead proxy, so a page that reached for the network
would fail to load its parts; with ``loopback=True``, servers on this
machine (the tests' own) are reached directly.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

from support import require_tool


class Browser:
    """One Chromium session; `open` a URL, run `js` in the page, read its console `logs`."""

    def __init__(self, *, loopback: bool = False, window: str = "1400,900"):
        chromium, chromedriver = require_tool("chromium"), require_tool("chromedriver")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.base = f"http://127.0.0.1:{port}"
        self.profile = tempfile.mkdtemp(prefix="mlkg-chromium-")
        self.driver = subprocess.Popen(
            [chromedriver, f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                self._call("GET", "/status")
                break
            except OSError:
                assert time.monotonic() < deadline, "chromedriver did not start"
                time.sleep(0.1)
        args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={self.profile}",
            "--proxy-server=127.0.0.1:9",
            f"--window-size={window}",
        ]
        if not loopback:  # Chromium sends loopback past any proxy unless told not to
            args.append("--proxy-bypass-list=<-loopback>")
        capabilities = {
            "browserName": "chrome",
            "goog:loggingPrefs": {"browser": "ALL"},
            "goog:chromeOptions": {"binary": chromium, "args": args},
        }
        self.session = self._call("POST", "/session", {"capabilities": {"alwaysMatch": capabilities}})["sessionId"]

    def _call(self, method: str, path: str, body: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.base + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return json.load(response)["value"]
        except urllib.error.HTTPError as err:
            raise AssertionError(f"WebDriver {method} {path}: {err.read()[:500]!r}") from err

    def _session(self, method: str, path: str, body: dict | None = None):
        return self._call(method, f"/session/{self.session}{path}", body)

    def open(self, url: str) -> None:
        self._session("POST", "/url", {"url": url})

    def js(self, script: str, *args):
        return self._session("POST", "/execute/sync", {"script": script, "args": list(args)})

    def screenshot(self, path) -> None:
        """Save what the window shows as a PNG."""
        import base64

        with open(path, "wb") as out:
            out.write(base64.b64decode(self._session("GET", "/screenshot")))

    def logs(self) -> list[dict]:
        """What the page wrote to its console since the last call."""
        return self._session("POST", "/se/log", {"type": "browser"})

    def close(self) -> None:
        try:
            self._session("DELETE", "")
        finally:
            self.driver.terminate()
            self.driver.wait(10)
            shutil.rmtree(self.profile, ignore_errors=True)
