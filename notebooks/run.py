#!/usr/bin/env python3
"""Runs the notebooks headless with the evcxr Rust kernel and reports each as passed or failed.

Usage: python notebooks/run.py [NOTEBOOK ...]

Without arguments it runs every notebooks/*.ipynb; an argument is a path, or a name in this
folder with or without `.ipynb` (`sbl`, `sbl.ipynb`). Each notebook gets a fresh kernel named
`rust` (`evcxr_jupyter --install` registers it), started in this folder (so `:dep parsimony =
{ path = ".." }` finds the crate), and its cells run in order with a per-cell timeout of
NOTEBOOK_TIMEOUT seconds (default 900: the first cell compiles the crate; 0 means none).

A notebook fails on any exception (a cell that does not compile, a timeout, a dead kernel) and
on any output of type "error" or any output on the stderr stream: evcxr reports a panic, or an
error that `?` returns from a cell, on stderr and still answers "ok", so the outputs are
inspected after every cell, and the run stops at the first offending one. The notebooks on disk
are never written.

Prints `PASS name (seconds)` or `FAIL name: <the first offending output>` per notebook, then
`N passed, M failed`; exits with 1 when a notebook failed or none was found.
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import NoSuchKernel
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

HERE = Path(__file__).resolve().parent
KERNEL = "rust"
DEFAULT_TIMEOUT = 900
MAX_MESSAGE = 600
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class OffendingOutput(Exception):
    """A cell wrote an error or to stderr."""


def shorten(text: str, limit: int = MAX_MESSAGE) -> str:
    """One line, without terminal colours, at most `limit` characters."""
    text = " | ".join(line.strip() for line in ANSI.sub("", text).splitlines() if line.strip())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def offending(cell: dict) -> str | None:
    """The first output of `cell` that fails the notebook, described, or None."""
    for output in cell.get("outputs", []):
        kind = output.get("output_type")
        if kind == "error":
            parts = [output.get("ename", ""), output.get("evalue", "")]
            parts += output.get("traceback", [])
            return "error: " + "\n".join(p for p in parts if p)
        if kind == "stream" and output.get("name") == "stderr":
            text = output.get("text", "")
            if isinstance(text, list):
                text = "".join(text)
            return "stderr: " + text
    return None


def timeout_from_env() -> int | None:
    raw = os.environ.get("NOTEBOOK_TIMEOUT", "").strip()
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        seconds = int(float(raw))
    except ValueError:
        sys.exit(f"NOTEBOOK_TIMEOUT must be a number of seconds, got {raw!r}")
    return seconds if seconds > 0 else None


def find_notebooks(args: list[str]) -> list[tuple[str, Path | None]]:
    """(name, path) per notebook to run; path None for an argument that names none."""
    if not args:
        return [(p.name, p) for p in sorted(HERE.glob("*.ipynb"))]
    found = []
    for arg in args:
        candidates = [Path(arg), HERE / arg, HERE / f"{arg}.ipynb"]
        path = next((c.resolve() for c in candidates if c.is_file()), None)
        found.append((path.name if path else arg, path))
    return found


def run_one(path: Path, timeout: int | None) -> tuple[bool, str]:
    """Executes one notebook in memory; (passed, the reason if not)."""
    nb = nbformat.read(path, as_version=4)

    def check(cell, cell_index, **_):
        bad = offending(cell)
        if bad is not None:
            raise OffendingOutput(f"cell {cell_index}: {bad}")

    client = NotebookClient(
        nb,
        kernel_name=KERNEL,
        timeout=timeout,
        startup_timeout=120,
        allow_errors=False,
        resources={"metadata": {"path": str(HERE)}},
        on_cell_executed=check,
    )
    try:
        client.execute()
    except OffendingOutput as e:
        return False, str(e)
    except (CellTimeoutError, DeadKernelError) as e:
        return False, f"{type(e).__name__}: {e}"
    except NoSuchKernel:
        return False, (
            f"no Jupyter kernel named '{KERNEL}': run `evcxr_jupyter --install` "
            "(or `bash notebooks/setup.sh`, which also runs the notebooks)"
        )
    except Exception as e:  # a compile error, a timeout, a dead kernel, …
        # report an earlier offending output if there is one, else the exception
        for index, cell in enumerate(nb.cells):
            bad = offending(cell)
            if bad is not None:
                return False, f"cell {index}: {bad}"
        return False, f"{type(e).__name__}: {e}"
    for index, cell in enumerate(nb.cells):
        bad = offending(cell)
        if bad is not None:
            return False, f"cell {index}: {bad}"
    return True, ""


def main(argv: list[str]) -> int:
    timeout = timeout_from_env()
    notebooks = find_notebooks(argv)
    if not notebooks:
        print(f"no notebooks found in {HERE}", flush=True)
        print("0 passed, 0 failed", flush=True)
        return 1
    passed = failed = 0
    for name, path in notebooks:
        if path is None:
            failed += 1
            print(f"FAIL {name}: no such notebook", flush=True)
            continue
        limit = f"{timeout} s" if timeout else "none"
        print(f"RUN  {name} (kernel '{KERNEL}', cell timeout {limit})", flush=True)
        start = time.monotonic()
        ok, reason = run_one(path, timeout)
        seconds = time.monotonic() - start
        if ok:
            passed += 1
            print(f"PASS {name} ({seconds:.1f} s)", flush=True)
        else:
            failed += 1
            print(f"FAIL {name}: {shorten(reason)}", flush=True)
    print(f"{passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
