"""The `generator` stamp of a vector file: the generator's module and every file it reads, each
with the sha256 of its text (CRLF read as LF, so `sha256sum` on a checkout gives the same). The
files read are the package modules the generator imports, followed transitively (found by
reading the `from caveatgen...` imports, never by running them), and the files it names besides
(its setup script, the lock files of its environments, its peers).
crates/conformance/tests/repository.rs recomputes every digest, and fails when a vector file is
older than a file its generator reads.
"""

import ast
import hashlib
import os

PACKAGE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(PACKAGE))


def file_sha256(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read().replace(b"\r\n", b"\n")).hexdigest()


def imported_modules(module: str) -> set:
    """The package modules `module` imports directly."""
    with open(os.path.join(PACKAGE, f"{module}.py"), encoding="utf-8") as f:
        tree = ast.parse(f.read())
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "caveatgen":
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("caveatgen."):
            out.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            out.update(a.name.split(".")[1] for a in node.names if a.name.startswith("caveatgen."))
    return out


def closure(module: str) -> set:
    """`module` and every package module it imports, directly or not."""
    seen, todo = set(), [module]
    while todo:
        m = todo.pop()
        if m not in seen:
            seen.add(m)
            todo.extend(imported_modules(m))
    return seen


def _entry(name: str) -> dict:
    path = os.path.join(PACKAGE, name)
    return {"path": os.path.relpath(path, ROOT).replace(os.sep, "/"), "source_sha256": file_sha256(path)}


def stamp(module: str, also) -> dict:
    """The stamp of the generator `module`, which also reads the package files `also` (paths
    from this directory: its setup script, its environment's lock file, its peers)."""
    uses = sorted({f"{m}.py" for m in closure(module) - {module}} | set(also))
    return {**_entry(f"{module}.py"), "uses": [_entry(name) for name in uses]}
