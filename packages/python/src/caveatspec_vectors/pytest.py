"""The pytest side: each vector one test, named by its id.

Registered as a pytest plugin (entry point `pytest11`), it only adds the fixture
`caveatspec_vectors` (every vector file); nothing runs unless a test asks. The helper:

    from caveatspec_vectors import compare, expected_for
    from caveatspec_vectors.pytest import parametrize_vectors

    @parametrize_vectors(kind="verify", profile="warehouse", expected_failures="xfail.txt")
    def test_verify(vector):
        assert compare(expected_for(vector, "warehouse"), my_verify(vector["input"]), "warehouse") is None
"""

import inspect
import os

import pytest

from . import PROFILES, expected_for, load, vectors
from .failures import ExpectedFailures, test_name


@pytest.fixture(scope="session")
def caveatspec_vectors():
    """Every vector file, parsed (shared; treat as read-only)."""
    return load()


def _read_list(path, caller_file):
    """The list at `path`, its names checked against every vector; an error names the file."""
    if not os.path.isabs(path) and caller_file:
        path = os.path.join(os.path.dirname(os.path.abspath(caller_file)), path)
    with open(path, "rb") as f:
        data = f.read()
    try:
        return ExpectedFailures.parse(data).check_names([v for f in load() for v in f["vectors"]])
    except ValueError as e:
        raise ValueError(f"{path}: {e}") from None


def parametrize_vectors(kind=None, profile="warehouse", category=None, expected_failures=None,
                        skip_flags=None, argname="vector"):
    """`pytest.mark.parametrize` over the vectors of `kind` (a name or several) and `category`,
    one test per vector named by its id.

    `expected_failures` is a list file (the Rust crate's format, `id  # reason` or
    `id [profile]  # reason`; a relative path is read beside the calling test file): a listed
    vector is `xfail(strict=True)`, so it fails the run once it passes. An entry naming no
    vector, repeated, or without a reason is an error at collection. `skip_flags` maps a flag
    to the reason for skipping every vector carrying it. A vector with no expectation for
    `profile` is skipped.
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r} (expected \"warehouse\" or \"strict\")")
    caller = inspect.currentframe().f_back.f_code.co_filename
    listed = ExpectedFailures([])
    if expected_failures is not None:
        listed = _read_list(os.fspath(expected_failures), caller)
    skip_flags = dict(skip_flags or {})
    params = []
    for v in vectors(kind=kind, category=category):
        marks = []
        flagged = next((f for f in v["flags"] if f in skip_flags), None)
        if flagged is not None:
            marks.append(pytest.mark.skip(reason=f"skipped by flag {flagged}: {skip_flags[flagged]}"))
        elif expected_for(v, profile) is None:
            marks.append(pytest.mark.skip(reason=f"no expectation for profile {profile}"))
        else:
            reason = listed.reason_for(v["id"], v["kind"], profile)
            if reason is not None:
                marks.append(pytest.mark.xfail(reason=reason, strict=True))
        params.append(pytest.param(v, id=v["id"], marks=marks))
    return pytest.mark.parametrize(argname, params)


__all__ = ["parametrize_vectors", "test_name"]
