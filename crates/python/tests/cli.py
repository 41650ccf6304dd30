"""The `caveatspec` command, run as a user runs it, for comparing its answers with the
module's. Its path is `CAVEATSPEC_CLI` (the CI builds it); secrets go through stdin and the
environment, never argv."""

import json
import os
import shutil
import subprocess

import pytest


def path():
    cli = os.environ.get("CAVEATSPEC_CLI") or shutil.which("caveatspec")
    if not cli or not os.access(cli, os.X_OK):
        pytest.fail("set CAVEATSPEC_CLI to the caveatspec binary (cargo build -p caveatspec-cli)")
    return cli


def run(args, stdin="", env=None):
    """(exit status, stdout parsed as JSON or None, stderr) of `caveatspec ARGS`."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("CAVEATSPEC_")}
    full_env.update(env or {})
    done = subprocess.run([path(), *args], input=stdin.encode("utf-8", "surrogatepass"),
                          capture_output=True, env=full_env, timeout=60)
    out = done.stdout.decode("utf-8")
    try:
        parsed = json.loads(out) if out.strip() else None
    except ValueError:
        parsed = None
    return done.returncode, parsed, out, done.stderr.decode("utf-8", "replace")


def flag(name, value):
    """`--name=value`: a value starting with `-` stays a value."""
    return f"--{name}={value}"
