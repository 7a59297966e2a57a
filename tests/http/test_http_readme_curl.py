"""Every `curl` line of the README, run as written (with curl itself) against a real server on
loopback: only the address and the keys are this test's own. A user's key answered by one line
(`{"user_id": "alice", "api_key": …}`) is `$ALICE_KEY` for the lines after it, and an operation
one answered is `$OPERATION_ID`; an event stream must end with its final event."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from string import Template

import pytest
from http_support import ADMIN, serving

README = Path(__file__).parents[2] / "README.md"
DOCUMENTED_SERVER = re.compile(r"^(https?://)?(localhost|127\.0\.0\.1):8000(?=/)")
"""Where the README's `imagestudio serve` listens; each URL is pointed at the test's server."""


def curl_lines(text: str) -> list[str]:
    """Each command starting with `curl`, its `\\`-continued lines joined."""
    commands: list[str] = []
    current: str | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if current is None and stripped.startswith("curl "):
            current = ""
        if current is None:
            continue
        current += " " + stripped.removesuffix("\\")
        if not stripped.endswith("\\"):
            commands.append(current.strip())
            current = None
    return commands


def arguments(command: str, base_url: str, keys: dict[str, str]) -> list[str]:
    words = shlex.split(command, comments=True)
    assert words[0] == "curl", command
    resolved = []
    for word in words[1:]:
        word = Template(word).substitute(keys)  # an unknown $NAME fails here
        if DOCUMENTED_SERVER.match(word):
            word = DOCUMENTED_SERVER.sub(base_url, word)
        elif "://" in word or re.match(r"^[\w.-]+:\d+/", word):
            pytest.fail(f"{command!r} names a server this test does not run: {word}")
        resolved.append(word)
    return resolved


def test_the_readme_has_curl_lines_and_each_names_its_json() -> None:
    lines = curl_lines(README.read_text())

    assert len(lines) >= 4
    for line in lines:
        if " -d " in line or " --data" in line:
            assert "content-type: application/json" in line.lower(), line


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs the curl command")
def test_every_readme_curl_line_works_against_a_real_server(tmp_path: Path) -> None:
    keys = {"IMAGESTUDIO_ADMIN_KEY": ADMIN}
    answered = []
    with serving(tmp_path, users={"someone-else": "pro"}) as api:  # alice: the README makes her
        for line in curl_lines(README.read_text()):
            output = tmp_path / "answer"
            # -q first: no ~/.curlrc of this machine changes what is run.
            options = ["-q", "-sS", "-o", str(output), "-w", "%{http_code}"]
            done = subprocess.run(
                ["curl", *options, *arguments(line, api.base_url, keys)],
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            status = int(done.stdout or 0)
            assert done.returncode == 0 and 200 <= status < 300, (line, status, output.read_text())
            answered.append(status)
            raw = output.read_bytes()
            if raw.startswith(b"retry:"):  # an event stream (curl -N), read to its end
                assert raw.split(b"\n\n")[-2].startswith(b"event: operation.settled"), raw
                continue
            body = json.loads(raw or b"null")
            if isinstance(body, dict) and {"user_id", "api_key"} <= body.keys():
                keys[f"{body['user_id'].upper()}_KEY"] = body["api_key"]
            if isinstance(body, dict) and str(body.get("id", "")).startswith("op_"):
                keys["OPERATION_ID"] = body["id"]

    assert len(answered) == len(curl_lines(README.read_text()))
