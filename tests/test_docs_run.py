"""Every command shown in README.md and docs/*.md runs, as written, against the demo workspace.

The convention (also for whoever writes the docs):

* A **command** is a line starting with ``supportops `` or ``$ supportops `` (or ``make ``)
  inside a fenced block tagged ``bash``, ``sh`` or ``console``; a line ending in ``\\`` goes on
  on the next one. Other lines of those blocks (``source …``, output under a ``$`` line) are
  not run.
* A fence **without a tag** holds synopses (``supportops sla [--as-of T]``) and diagrams, which
  are not run; a ``supportops`` line there must show a placeholder (``[``, ``|``, ``…`` or an
  upper-case word such as ``FILE``), else :func:`test_untagged_commands_are_synopses` asks for
  the block to be tagged ``bash``.
* Each command is run by ``bash`` (so ``> file``, ``#`` comments and continuations work as in a
  reader's shell), with this checkout's ``supportops`` first on ``PATH``, in a folder holding
  ``demo-workspace`` — as a reader runs the tour from the repository's root after ``make demo``.
  The demo is built once per test session by ``supportops demo`` itself, smaller than the
  default (:data:`DEMO_TICKETS`), which every command still makes sense on.
* A doc is one shell session: a command runs after the commands above it in the same file
  (``supportops init my-team`` before ``supportops import … --workspace my-team``); each file has
  its own folder. Files a doc assumes the reader has are in :data:`READER_FILES`.
* README.md's ``python`` fences run too, each as one case, with this checkout's Python in the
  same folder and order (the ``python`` examples of docs/*.md are run by their own tests,
  ``tests/test_calendar.py``, ``tests/sla/test_docs.py`` and
  ``tests/workforce/test_workforce_docs.py``).
* A command fails its case on a non-zero exit status or a Python traceback in its output. The
  commands that cannot run in a test are in :data:`NOT_RUN`, each with its reason; their cases
  are reported as skipped, never left out.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import REPO, SHARED_DATA

DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
RUN_TAGS = ("bash", "sh", "console")
COMMAND = re.compile(r"^\s*(?:\$ )?((?:supportops|make) .*)$")
PLACEHOLDER = re.compile(r"[\[|…]|\b[A-Z][A-Z_]{2,}\b")
DEMO_TICKETS = 3_000
TIMEOUT = 600  # seconds: a hung command fails instead of hanging the suite

# Commands that cannot run in a test, by their first words: why not.
NOT_RUN = {
    "make demo": "installs into .venv and, in a terminal, serves until stopped",
    "make test": "runs this very suite",
    "make bench": "runs every benchmark: minutes of CPU",
    "supportops serve": "serves until stopped (the web tests drive the app instead)",
    "supportops connect": "needs a helpdesk account (tests/connectors runs it against fakes)",
    "supportops sync": "needs a helpdesk account (tests/connectors runs it against fakes)",
    "supportops sources": "needs a connected source (tests/connectors runs it against fakes)",
}

# Files the docs assume the reader has, by the name a command gives them: where the test finds
# one (beside the checkout, never copied into the repository).
READER_FILES = {
    "incident_log.csv": SHARED_DATA
    / "tickets/servicenow_incident_log/incident_event_log_head5998.csv",
    "zendesk_triggers.jsonl": SHARED_DATA / "api/zendesk/expected_records_subset.jsonl",
    "routing.yaml": REPO / "docs/examples/routing.yaml",
}


@dataclass(frozen=True)
class Command:
    """One command of a doc: its file (relative to the repository), first line and text."""

    doc: str
    line: int
    text: str
    python: bool = False

    @property
    def id(self) -> str:
        return f"{self.doc}:{self.line}"

    @property
    def not_run(self) -> str | None:
        """Why this command is not run, or None."""
        if self.python:
            return None
        words = " ".join(shlex.split(self.text, comments=True)[:2])
        return NOT_RUN.get(words)

    @property
    def argv(self) -> list[str]:
        if self.python:
            return [sys.executable, "-c", self.text]
        return ["bash", "-o", "pipefail", "-c", self.text]


def fenced_lines(text: str) -> Iterator[tuple[int, str | None, str]]:
    """(line number, the fence's tag or "" when untagged, line) of every line inside a fence."""
    tag: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        fence = re.match(r"^\s*```(\S*)", line)
        if fence:
            tag = fence.group(1) if tag is None else None
        elif tag is not None:
            yield number, tag, line


def commands(text: str, doc: str, tags: tuple[str, ...] = RUN_TAGS) -> list[Command]:
    """The commands of ``text`` in fences tagged with one of ``tags``, continuations joined."""
    found: list[Command] = []
    pending: tuple[int, str] | None = None
    for number, tag, line in fenced_lines(text):
        if tag not in tags:
            continue
        if pending is not None:
            start, head = pending
            joined = f"{head[:-1].rstrip()} {line.strip()}"
            pending = (start, joined) if joined.endswith("\\") else None
            if pending is None:
                found.append(Command(doc, start, joined))
            continue
        match = COMMAND.match(line)
        if match:
            body = match.group(1).rstrip()
            if body.endswith("\\"):
                pending = (number, body)
            else:
                found.append(Command(doc, number, body))
    return found


def python_blocks(text: str, doc: str) -> list[Command]:
    """Each ``python`` fence of ``text`` as one command, at the line of its first statement."""
    out: list[Command] = []
    block: list[str] | None = None
    start = 0
    for number, line in enumerate(text.splitlines(), 1):
        fence = re.match(r"^\s*```(\S*)", line)
        if fence and block is None and fence.group(1) == "python":
            block, start = [], number + 1
        elif fence and block is not None:
            out.append(Command(doc, start, "\n".join(block), python=True))
            block = None
        elif block is not None:
            block.append(line)
    return out


def _all_commands() -> list[Command]:
    out: list[Command] = []
    for path in DOCS:
        doc = str(path.relative_to(REPO))
        found = commands(path.read_text(encoding="utf-8"), doc)
        if doc == "README.md":
            found += python_blocks(path.read_text(encoding="utf-8"), doc)
        out += sorted(found, key=lambda c: c.line)
    return out


ALL = _all_commands()


def _case(command: Command) -> object:
    reason = command.not_run
    marks = [pytest.mark.skip(reason=f"not run: {reason}")] if reason else []
    return pytest.param(command, id=command.id, marks=marks)


@dataclass
class Session:
    """A doc's shell session: its folder and the outcome of each command run in it."""

    folder: Path
    env: dict[str, str]
    done: dict[str, subprocess.CompletedProcess[str]] = field(default_factory=dict)

    def run(self, command: Command) -> subprocess.CompletedProcess[str]:
        if command.id not in self.done:
            self.done[command.id] = subprocess.run(
                command.argv,
                cwd=self.folder,
                env=self.env,
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
                check=False,
            )
        return self.done[command.id]


@pytest.fixture(scope="session")
def shell_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of every command: this checkout's ``supportops`` first on PATH."""
    bin_dir = tmp_path_factory.mktemp("bin")
    shim = bin_dir / "supportops"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m supportops "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPPORTOPS_")}
    path = os.pathsep.join(p for p in (str(REPO / "src"), env.get("PYTHONPATH")) if p)
    env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", PYTHONPATH=path)
    env.update(COLUMNS="120", NO_COLOR="1")
    return env


@pytest.fixture(scope="session")
def demo_workspace(tmp_path_factory: pytest.TempPathFactory, shell_env: dict[str, str]) -> Path:
    """``supportops demo`` run once: the workspace every doc's tour reads."""
    folder = tmp_path_factory.mktemp("demo") / "demo-workspace"
    built = subprocess.run(
        ["supportops", "demo", str(folder), "--tickets", str(DEMO_TICKETS)],
        env=shell_env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    return folder


@pytest.fixture(scope="session")
def sessions(
    tmp_path_factory: pytest.TempPathFactory, demo_workspace: Path, shell_env: dict[str, str]
) -> dict[str, Session]:
    """One session per doc, each in a folder where ``demo-workspace`` is the demo."""
    out = {}
    for path in DOCS:
        doc = str(path.relative_to(REPO))
        folder = tmp_path_factory.mktemp(re.sub(r"\W", "-", doc))
        (folder / "demo-workspace").symlink_to(demo_workspace, target_is_directory=True)
        out[doc] = Session(folder, shell_env)
    return out


def _failure(done: subprocess.CompletedProcess[str]) -> str | None:
    output = done.stdout + done.stderr
    if done.returncode != 0:
        return f"exit status {done.returncode}"
    if "Traceback (most recent call last)" in output:
        return "a traceback"
    return None


def _reader_files(command: Command, folder: Path) -> None:
    for name, source in READER_FILES.items():
        if name in shlex.split(command.text, comments=True) and not (folder / name).exists():
            if not source.exists():
                pytest.skip(f"{name} stands for {source}, which is not beside the checkout")
            (folder / name).symlink_to(source)


@pytest.mark.parametrize("command", [_case(c) for c in ALL])
def test_the_command_runs_as_written(command: Command, sessions: dict[str, Session]) -> None:
    session = sessions[command.doc]
    for earlier in ALL:
        if earlier.doc == command.doc and earlier.line < command.line and not earlier.not_run:
            _reader_files(earlier, session.folder)
            session.run(earlier)
    _reader_files(command, session.folder)
    done = session.run(command)
    failure = _failure(done)
    assert failure is None, (
        f"{command.id}: `{command.text}` failed with {failure}\n"
        f"--- stderr ---\n{done.stderr[-3000:]}\n--- stdout ---\n{done.stdout[-2000:]}"
    )


def test_untagged_commands_are_synopses() -> None:
    """A ``supportops`` line in an untagged fence shows a placeholder; else tag it ``bash``."""
    plain = []
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        for c in commands(text, str(path.relative_to(REPO)), tags=("",)):
            if not PLACEHOLDER.search(c.text.partition("#")[0]):
                plain.append(c.id)
    assert not plain, f"runnable commands in untagged fences (tag them ```bash): {plain}"


def test_the_convention_finds_commands_continuations_and_nothing_else() -> None:
    text = "\n".join(
        [
            "supportops status          # outside a fence: prose",
            "```bash",
            "source .venv/bin/activate",
            "supportops metrics a b \\",
            "    --by channel -w ws     # two lines",
            "```",
            "```console",
            "$ supportops staff erlang --volume 1",
            '{"agents": 1}',
            "```",
            "```",
            "supportops sla [--as-of T]",
            "```",
            "```yaml",
            "supportops: not a command",
            "```",
        ]
    )
    found = [(c.line, c.text) for c in commands(text, "x.md")]
    assert found == [
        (4, "supportops metrics a b --by channel -w ws     # two lines"),
        (8, "supportops staff erlang --volume 1"),
    ]
    assert [c.text for c in commands(text, "x.md", tags=("",))] == ["supportops sla [--as-of T]"]
    assert python_blocks(text + "\n```python\nimport supportops\nprint(1)\n```", "x.md") == [
        Command("x.md", 18, "import supportops\nprint(1)", python=True)
    ]


def test_the_readme_tour_is_covered_and_only_named_commands_are_skipped() -> None:
    readme = [c for c in ALL if c.doc == "README.md"]
    assert len(readme) >= 20, [c.id for c in readme]
    shell = [c for c in readme if not c.python]
    assert {c.text.split()[1] for c in shell} >= {"demo", "test", "status", "plan", "alerts"}
    assert any(c.python for c in readme)
    skipped = {" ".join(c.text.split()[:2]) for c in ALL if c.not_run}
    assert skipped <= set(NOT_RUN), skipped


def test_a_failing_command_or_a_traceback_fails_its_case(sessions: dict[str, Session]) -> None:
    session = sessions["README.md"]
    refused = Command("x.md", 1, "supportops plan --what-if calls=+5% -w demo-workspace")
    assert _failure(session.run(refused)) == "exit status 2"
    hidden = Command("x.md", 2, "echo 'Traceback (most recent call last):' >&2")
    assert _failure(session.run(hidden)) == "a traceback"
    assert _failure(session.run(Command("x.md", 3, "supportops --help"))) is None
