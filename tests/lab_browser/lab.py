"""JupyterLab in headless Chromium, as a user runs it: the harness of the browser tests.

:class:`Lab` starts ``jupyter lab`` on 127.0.0.1 (a free port, a token, its own
config, data, runtime and settings folders), opens a notebook in Debian's
Chromium through Selenium and ChromeDriver, and talks to the notebook's own
kernel on the side (jupyter_client, the connection file of the session) to
read what the kernel holds after a click, a drag, a key or a slider move.
Nothing is downloaded: the browser is the system's (``/usr/bin/chromium``).
"""

from __future__ import annotations

import ast
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

CHROMIUM = os.environ.get("EMUNMIX_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("EMUNMIX_CHROMEDRIVER", "/usr/bin/chromedriver")
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--window-size=1500,1100",
                  "--force-device-scale-factor=1")
# JupyterLab's settings for a quiet first start: no news, no update checks
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
}


def missing_browser() -> str | None:
    """Why the browser tests cannot run here (None when they can)."""
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not Path(path).exists():
            return (f"{path} not found: install Debian's {package} "
                    "(make test-browser does it with apt-get)")
    for module, extra in (("selenium", "browser"), ("jupyterlab", "browser"),
                          ("ipympl", "jupyter")):
        try:
            __import__(module)
        except ImportError:
            return f"python package {module!r} missing: pip install -e '.[{extra}]'"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Lab:
    """A JupyterLab server, a Chromium page on it, and a side client of its kernel."""

    def __init__(self, root: Path, log: Path):
        self.root, self.port, self.token = root, _free_port(), secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        home = root.parent / "jupyter-home"
        env = dict(os.environ, JUPYTER_CONFIG_DIR=str(home / "config"),
                   JUPYTER_RUNTIME_DIR=str(home / "runtime"),
                   JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
                   JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
                   JUPYTER_PLATFORM_DIRS="1", MPLBACKEND="", PYDEVD_DISABLE_FILE_VALIDATION="1")
        env.pop("MPLBACKEND")
        for name, values in LAB_SETTINGS.items():
            path = home / "settings" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        self.runtime = home / "runtime"
        self._log = open(log, "w")
        self.server = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={self.port}",
             "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={self.token}",
             f"--ServerApp.root_dir={root}", "--ServerApp.port_retries=0",
             "--LabApp.expose_app_in_browser=True", "--allow-root",
             "--LabApp.extension_manager=readonly",
             "--LabApp.news_url=", "--ServerApp.open_browser=False"],
            env=env, stdout=self._log, stderr=subprocess.STDOUT, cwd=root,
            start_new_session=True)
        self.driver = self.kernel = None
        self._wait_for_server()

    # -- server -------------------------------------------------------------------------
    def api(self, path: str):
        with urllib.request.urlopen(f"{self.url}/api/{path}?token={self.token}",
                                    timeout=10) as reply:
            return json.loads(reply.read())

    def _wait_for_server(self, timeout: float = 90) -> None:
        end = time.time() + timeout
        while time.time() < end:
            if self.server.poll() is not None:
                raise RuntimeError(f"jupyter lab exited ({self.server.returncode}); "
                                   f"see {self._log.name}")
            try:
                self.api("status")
                return
            except OSError:
                time.sleep(0.5)
        raise TimeoutError(f"jupyter lab did not answer in {timeout} s")

    # -- browser ------------------------------------------------------------------------
    def open(self, notebook: str):
        """Open ``notebook`` in Chromium and wait for its kernel; returns the driver."""
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        profile = self.root.parent / "chromium-profile"
        shutil.rmtree(profile, ignore_errors=True)
        for flag in CHROMIUM_FLAGS + (f"--user-data-dir={profile}",):
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        self.driver.set_script_timeout(120)
        self.driver.get(f"{self.url}/lab/tree/{notebook}?token={self.token}")
        self.wait(lambda: self.js("return !!(window.jupyterapp && "
                                  "document.querySelector('.jp-Notebook .jp-Cell'))"), 120,
                  "the notebook to open")
        self.wait(self._kernel_idle, 120, "the kernel to start")
        self.kernel = self._connect_kernel()
        return self.driver

    def js(self, script: str, *args):
        return self.driver.execute_script(script, *args)

    def wait(self, condition, timeout: float, what: str, step: float = 0.2):
        end = time.time() + timeout
        while time.time() < end:
            value = condition()
            if value:
                return value
            time.sleep(step)
        raise TimeoutError(f"waited {timeout} s for {what}")

    def _kernel_idle(self) -> bool:
        return bool(self.js(
            "const p = window.jupyterapp.shell.currentWidget;"
            "const k = p && p.sessionContext && p.sessionContext.session "
            "&& p.sessionContext.session.kernel;"
            "return !!k && k.status === 'idle';"))

    # -- the notebook's kernel, on the side -----------------------------------------------
    def _connect_kernel(self):
        from jupyter_client import BlockingKernelClient

        sessions = self.api("sessions")
        kernel_id = sessions[0]["kernel"]["id"]
        client = BlockingKernelClient(connection_file=str(
            self.runtime / f"kernel-{kernel_id}.json"))
        client.load_connection_file()
        client.start_channels()
        client.wait_for_ready(timeout=60)
        return client

    def ask(self, expression: str):
        """The JSON value of ``expression`` evaluated in the notebook's namespace.

        It runs as a user expression (no history, no cell hooks, nothing shown
        in the notebook), after the cell that is running, if any.
        """
        code = f"__import__('json').dumps({expression}, default=str)"
        reply = self.kernel.execute(code="", silent=True, store_history=False,
                                    user_expressions={"v": code}, reply=True, timeout=120)
        value = reply["content"]["user_expressions"]["v"]
        if value["status"] != "ok":
            raise RuntimeError(f"{expression}: {value.get('ename')}: {value.get('evalue')}")
        return json.loads(ast.literal_eval(value["data"]["text/plain"]))

    def run_silent(self, code: str) -> None:
        """Run ``code`` in the notebook's namespace without a trace in the notebook."""
        reply = self.kernel.execute(code=code, silent=True, store_history=False, reply=True,
                                    timeout=120)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"{reply['content'].get('ename')}: "
                               f"{reply['content'].get('evalue')}")

    # -- cells ----------------------------------------------------------------------------
    def cells(self):
        return self.driver.find_elements("css selector", ".jp-Notebook .jp-Cell")

    def code_cells(self):
        return self.driver.find_elements("css selector", ".jp-Notebook .jp-CodeCell")

    def prompt(self, cell) -> str:
        return cell.find_element("css selector", ".jp-InputPrompt").text.strip()

    def run_cell(self, cell, timeout: float = 180):
        """Click into the cell and press Shift+Enter; wait until it has run."""
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.keys import Keys

        before = self.prompt(cell)
        editor = cell.find_element("css selector", ".jp-InputArea-editor")
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", editor)
        editor.click()
        ActionChains(self.driver).key_down(Keys.SHIFT).send_keys(Keys.ENTER) \
            .key_up(Keys.SHIFT).perform()
        self.wait(lambda: self.prompt(cell) not in ("[*]:", before, "[ ]:")
                  and self._kernel_idle(), timeout, f"cell {before} to run")
        self.settle()

    def settle(self, seconds: float = 1.0) -> None:
        """Let widgets render and figures draw (ipympl sends images asynchronously)."""
        time.sleep(seconds)

    def output_text(self, cell) -> str:
        return "\n".join(e.text for e in cell.find_elements(
            "css selector", ".jp-OutputArea-output"))

    def canvases(self, cell):
        """The matplotlib figures (ipympl) in a cell's output."""
        return cell.find_elements("css selector", ".jupyter-matplotlib-figure")

    def browser_errors(self) -> list[str]:
        return [e["message"] for e in self.driver.get_log("browser")
                if e["level"] == "SEVERE"]

    # -- ending -----------------------------------------------------------------------------
    def close(self) -> None:
        if self.kernel is not None:
            self.kernel.stop_channels()
        if self.driver is not None:
            self.driver.quit()
        if self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGTERM)
            try:
                self.server.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.server.pid, signal.SIGKILL)
        self._log.close()
