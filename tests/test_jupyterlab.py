"""JupyterLab for researchers (issue 15): the pinned JupyterLab starts on a loopback port, answers,
and offers the ``workbench`` kernel (installed by ``make venv``, used by ``make lab``).

Oracle: JupyterLab's own REST API (``/api/status``, ``/api/kernelspecs``) on 127.0.0.1 with a
token; the server is stopped at the end (bounded: 90 s to start).
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
        return response.status, response.read()


def test_jupyterlab_serves_the_workbench_kernel(tmp_path: Path) -> None:
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "JUPYTER_CONFIG_DIR": str(tmp_path / "config")}
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
         "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={ROOT}",
         *(["--allow-root"] if os.geteuid() == 0 else [])],  # CI runs as root
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline, status = time.monotonic() + 90, None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status, _ = _get(f"{base}/api/status?token={token}")
                break
            except OSError:
                time.sleep(0.5)
        assert status == 200, "JupyterLab did not answer on 127.0.0.1 within 90 s"
        _, body = _get(f"{base}/api/kernelspecs?token={token}")
        specs = json.loads(body)["kernelspecs"]
        assert "workbench" in specs, sorted(specs)
        assert specs["workbench"]["spec"]["display_name"] == "Python (workbench)"
        lab_status, page = _get(f"{base}/lab?token={token}")
        assert lab_status == 200 and b"JupyterLab" in page
        try:  # without the token the API refuses
            _get(f"{base}/api/kernelspecs")
            raise AssertionError("the API answered without a token")
        except urllib.error.HTTPError as err:
            assert err.code == 403
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
