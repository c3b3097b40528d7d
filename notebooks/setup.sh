#!/usr/bin/env bash
# Runs the notebooks headless, from a clone or in CI:  bash notebooks/setup.sh [NOTEBOOK ...]
# (arguments go to notebooks/run.py; none = every notebooks/*.ipynb). Steps, each done only
# when needed, so running it again is cheap:
#   1. notebooks/.venv (git-ignored) with the pinned notebooks/requirements.txt (Python ≥ 3.11);
#   2. evcxr_jupyter 0.22.0, built by `cargo install --locked` unless it is already on PATH or
#      in ~/.cargo/bin (the build takes a while; evcxr 0.22.0 needs Rust ≥ 1.95);
#   3. the `rust` kernel registered inside the venv, where the runner's jupyter_client looks;
#   4. one evcxr build directory and compilation cache for all notebooks and runs (below);
#   5. notebooks/run.py, whose exit status this script returns.
#
# Sharing compiled dependencies between notebooks (evcxr 0.22.0; sources: evcxr's COMMON.md,
# CONTRIBUTING.md, RELEASE_NOTES.md and its code: evcxr/src/toml_parse.rs, eval_context.rs,
# module/cache.rs, lib.rs, evcxr_jupyter/src/install.rs):
#   * By default each kernel compiles in a fresh temporary directory, so every notebook would
#     build parsimony and all its dependencies again. EVCXR_TMPDIR fixes that directory (the
#     generated crate and its target/): with one directory for all notebooks, the first one
#     builds and the others reuse the build, parsimony's own crates included, and so do later
#     runs. Only one kernel may use it at a time (CONTRIBUTING.md: simultaneous evaluation
#     contexts do not work); run.py runs the notebooks one after another. It must lie outside
#     this repository: cargo would take the generated crate for a stray member of the
#     workspace in the repository's Cargo.toml.
#   * The generated crate resolves its dependencies afresh (the repository's Cargo.lock belongs
#     to another root); a copy of that Cargo.lock put beside it makes cargo keep the versions
#     the repository is tested with.
#   * `:cache <MiB>` (COMMON.md, "Caching"; since 0.16.0) keeps rustc's outputs in
#     ~/.cache/evcxr (dirs::cache_dir()/evcxr, so $XDG_CACHE_HOME/evcxr when that is set),
#     shared by all kernels and build directories; it covers only crates compiled without
#     incremental compilation, i.e. registry crates (nalgebra, faer, plotters, …), not path
#     dependencies such as parsimony. It helps when the build directory is gone (a fresh CI
#     machine that keeps ~/.cache). It is set in init.evcxr, which every kernel runs at start
#     (evcxr_jupyter runs :load_config), in the config directory EVCXR_CONFIG_DIR (default
#     ~/.config/evcxr, which also holds prelude.rs); this script uses a directory of its own,
#     so a personal init.evcxr or prelude.rs does not change the runs, unless EVCXR_CONFIG_DIR
#     is set already. (An evcxr.toml in the kernel's working directory can also set the build
#     directory, but it would apply to interactive sessions in notebooks/ as well.)
#   * evcxr compiles at opt-level 2 by default (`:opt` changes it), so the notebooks need no
#     setting for speed.
# Override: PYTHON (the interpreter for the venv), EVCXR_TMPDIR, EVCXR_CONFIG_DIR,
# PARSIMONY_NOTEBOOK_CACHE (the parent of both defaults, ~/.cache/parsimony-notebooks),
# NOTEBOOK_TIMEOUT (seconds per cell, default 900; see run.py).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
root="$(dirname "$here")"
venv="$here/.venv"
evcxr_version="0.22.0"

say() { printf '[notebooks] %s\n' "$*"; }

# 1. The venv.
python=""
for candidate in "${PYTHON:-}" python3 python3.13 python3.12 python3.11; do
  if [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1 &&
    "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    python="$candidate"
    break
  fi
done
if [ -z "$python" ]; then
  echo "error: the pinned requirements need Python 3.11 or newer (set PYTHON=...)" >&2
  exit 1
fi
if [ ! -x "$venv/bin/python" ]; then
  say "creating $venv with $("$python" --version 2>&1)"
  "$python" -m venv "$venv"
fi
digest() { "$venv/bin/python" -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$1"; }
stamp="$venv/.requirements.sha256"
want="$(digest "$here/requirements.txt")"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  say "installing notebooks/requirements.txt into the venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
  echo "$want" >"$stamp"
fi

# 2. evcxr_jupyter.
cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
case ":$PATH:" in *":$cargo_bin:"*) ;; *) export PATH="$PATH:$cargo_bin" ;; esac
if ! command -v evcxr_jupyter >/dev/null 2>&1; then
  if ! command -v cargo >/dev/null 2>&1; then
    echo "error: no cargo on PATH: install a Rust toolchain (https://rustup.rs)" >&2
    exit 1
  fi
  say "building evcxr_jupyter $evcxr_version with cargo (once; this takes a while)"
  cargo install --locked evcxr_jupyter --version "$evcxr_version"
fi
say "evcxr_jupyter: $(command -v evcxr_jupyter)"
# evcxr reads the standard library's sources (rust-src) to infer the types of variables kept
# between cells; the notebooks give those types explicitly, so this is best effort.
if command -v rustup >/dev/null 2>&1 && ! rustup component list --installed 2>/dev/null | grep -q '^rust-src'; then
  rustup component add rust-src >/dev/null 2>&1 ||
    say "note: could not add the rust-src component (evcxr infers fewer variable types without it)"
fi

# 3. The kernel. `evcxr_jupyter --install` writes kernels/rust/kernel.json (the path of this
# evcxr_jupyter binary) under $JUPYTER_PATH when that is set, else under the user's data
# directory (~/.local/share/jupyter). Installing into the venv, as evcxr's README suggests for
# virtualenvs, leaves the user's directory alone, and the venv's jupyter_client finds it there
# (sys.prefix/share/jupyter), and first since JUPYTER_PATH is exported for the runner.
jupyter_dir="$venv/share/jupyter"
JUPYTER_PATH="$jupyter_dir" evcxr_jupyter --install >/dev/null
export JUPYTER_PATH="$jupyter_dir"

# 4. The shared build directory and cache (see the top of this file).
cache="${PARSIMONY_NOTEBOOK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/parsimony-notebooks}"
EVCXR_TMPDIR="${EVCXR_TMPDIR:-$cache/evcxr-build}"
EVCXR_TMPDIR="$("$venv/bin/python" -c 'import os, sys; print(os.path.realpath(sys.argv[1]))' "$EVCXR_TMPDIR")"
export EVCXR_TMPDIR
case "$EVCXR_TMPDIR/" in
  "$root"/*)
    echo "error: EVCXR_TMPDIR ($EVCXR_TMPDIR) must lie outside the repository: cargo would" \
      "take evcxr's crate there for a member of the workspace" >&2
    exit 1
    ;;
esac
mkdir -p "$EVCXR_TMPDIR"
if [ -f "$root/Cargo.lock" ]; then
  cp "$root/Cargo.lock" "$EVCXR_TMPDIR/Cargo.lock"
fi
if [ -z "${EVCXR_CONFIG_DIR:-}" ]; then
  export EVCXR_CONFIG_DIR="$cache/evcxr-config"
  mkdir -p "$EVCXR_CONFIG_DIR"
  printf '%s\n' ':cache 2048' >"$EVCXR_CONFIG_DIR/init.evcxr"
fi
# evcxr loads each cell as a shared library linked to the toolchain's libstd-*.so through a
# relative RUNPATH that rustc computes from the build directory; seen here it misses by one
# level under /root (libstd not found, "dlopen failed", the kernel dies at start). The
# toolchain's library directory on LD_LIBRARY_PATH makes the lookup independent of the path.
libdir="$(rustc --print target-libdir)"
export LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
say "evcxr build directory: $EVCXR_TMPDIR; evcxr config: $EVCXR_CONFIG_DIR"

# 5. Run.
exec "$venv/bin/python" "$here/run.py" "$@"
