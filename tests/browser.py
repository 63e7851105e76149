"""A headless Chromium driven over the DevTools protocol, for testing exported pages.

Starts Debian's chromium with a fresh profile and no network features, opens
one file, and reports console errors, uncaught exceptions, every request the
page made, the text of elements asked for, and a PNG screenshot.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = next((p for p in ("/usr/bin/chromium", shutil.which("chromium") or "", shutil.which("chromium-browser") or "")
                 if p and Path(p).exists()), None)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars"]


@dataclass
class PageReport:
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    texts: dict[str, list[str]] = field(default_factory=dict)
    screenshot: bytes = b""
    values: dict[str, object] = field(default_factory=dict)  # what each expression evaluated to
    pdfs: dict[str, bytes] = field(default_factory=dict)  # the page printed on each paper
    printed: dict[str, object] = field(default_factory=dict)  # the expression evaluated as printed on each paper


# Paper sizes in inches, as Chromium's printToPDF takes them.
PAPERS = {"A4": (8.27, 11.69), "Letter": (8.5, 11.0)}
# What `printed` evaluates, for each paper, with print media and the paper's printable width.
MARGIN_IN = 12 / 25.4  # the report's @page margin


class _Session:
    def __init__(self, url: str):
        import websocket  # noqa: PLC0415

        self.ws = websocket.create_connection(url, timeout=20, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []

    def call(self, method: str, **params) -> dict:
        self.next_id += 1
        my_id = self.next_id
        self.ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def drain(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        self.ws.settimeout(0.1)
        while time.monotonic() < end:
            try:
                self.events.append(json.loads(self.ws.recv()))
            except Exception:  # noqa: BLE001  (a timeout: nothing more yet)
                continue
        self.ws.settimeout(20)


def open_page(path: Path, selectors: dict[str, str], *, width: int = 1280, height: int = 2400,
              full_page: bool = True, expressions: dict[str, str] | None = None,
              papers: tuple[str, ...] = (), printed: str | None = None) -> PageReport:
    """Load `path` in headless Chromium; return console errors, requests, texts per selector, screenshot."""
    if CHROMIUM is None:
        raise RuntimeError("chromium is not installed")
    profile = tempfile.mkdtemp(prefix="ledger-chromium-")
    proc = subprocess.Popen(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0",
         f"--window-size={width},{height}", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        browser_ws = _devtools_url(proc)
        port = re.search(r":(\d+)/", browser_ws).group(1)
        browser = _Session(browser_ws)
        target = browser.call("Target.createTarget", url="about:blank")["targetId"]
        page = _Session(f"ws://127.0.0.1:{port}/devtools/page/{target}")
        for domain in ("Runtime", "Log", "Network", "Page"):
            page.call(f"{domain}.enable")
        page.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)
        page.call("Page.navigate", url=path.resolve().as_uri())
        _wait_loaded(page)
        report = PageReport()
        for e in page.events:
            method, params = e.get("method"), e.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                report.console_errors.append(" ".join(str(a.get("value", a.get("description", "")))
                                                      for a in params.get("args", [])))
            elif method == "Runtime.exceptionThrown":
                report.console_errors.append(params.get("exceptionDetails", {}).get("text", "exception"))
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                report.console_errors.append(params["entry"].get("text", ""))
            elif method == "Network.requestWillBeSent":
                report.requests.append(params.get("request", {}).get("url", ""))
        for name, selector in selectors.items():
            expr = f"Array.from(document.querySelectorAll({json.dumps(selector)})).map(e => e.innerText ?? e.textContent)"
            result = page.call("Runtime.evaluate", expression=expr, returnByValue=True)
            report.texts[name] = result.get("result", {}).get("value", [])
        for name, expr in (expressions or {}).items():
            report.values[name] = page.call("Runtime.evaluate", expression=expr, returnByValue=True)["result"].get("value")
        shot = page.call("Page.captureScreenshot", format="png", captureBeyondViewport=full_page)
        report.screenshot = base64.b64decode(shot["data"])
        for paper in papers:
            w_in, h_in = PAPERS[paper]
            if printed is not None:
                # The layout as printed: print media at the paper's printable width (96 px an inch).
                page.call("Emulation.setEmulatedMedia", media="print")
                page.call("Emulation.setDeviceMetricsOverride", width=round((w_in - 2 * MARGIN_IN) * 96),
                          height=round((h_in - 2 * MARGIN_IN) * 96), deviceScaleFactor=1, mobile=False)
                report.printed[paper] = page.call("Runtime.evaluate", expression=printed,
                                                  returnByValue=True)["result"].get("value")
                page.call("Emulation.setEmulatedMedia", media="")
                page.call("Emulation.clearDeviceMetricsOverride")
            pdf = page.call("Page.printToPDF", paperWidth=w_in, paperHeight=h_in, printBackground=True,
                            preferCSSPageSize=False, marginTop=MARGIN_IN, marginBottom=MARGIN_IN,
                            marginLeft=MARGIN_IN, marginRight=MARGIN_IN)
            report.pdfs[paper] = base64.b64decode(pdf["data"])
        browser.call("Browser.close")
        return report
    finally:
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        shutil.rmtree(profile, ignore_errors=True)


def _devtools_url(proc: subprocess.Popen) -> str:
    deadline = time.monotonic() + 30
    lines = []
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            if proc.poll() is not None:
                break
            continue
        lines.append(line)
        m = re.search(r"DevTools listening on (ws://\S+)", line)
        if m:
            return m.group(1)
    raise RuntimeError("chromium did not start: " + "".join(lines[-5:]))


def _wait_loaded(page: _Session) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        state = page.call("Runtime.evaluate", expression="document.readyState", returnByValue=True)
        if state.get("result", {}).get("value") == "complete":
            page.drain(0.3)
            return
        page.drain(0.1)
    raise RuntimeError("the page did not finish loading")
