"""The installed package's files are the repository's vectors, all of them, at its version."""

import json
import pathlib
import re
from importlib import metadata, resources

import caveatspec_vectors as cv

REPO = pathlib.Path(__file__).resolve().parents[3]


def test_every_vector_is_loaded_as_the_rust_crate_counts_them():
    files = cv.load()
    # results/matrix.json is written by the Rust crate from the vectors it ships.
    matrix = json.loads((REPO / "results" / "matrix.json").read_text())
    assert sum(len(f["vectors"]) for f in files) == matrix["vectors"] == 1360
    assert [f["category"] for f in files] == matrix["categories"]
    assert all(len(f["vectors"]) == f["number_of_vectors"] for f in files)
    assert len(cv.vectors()) == 1360


def test_the_wheel_carries_the_repository_files_byte_for_byte():
    data = resources.files("caveatspec_vectors").joinpath("data")
    names = sorted(p.name for p in (REPO / "vectors").glob("*.json")) + ["ids.txt"]
    for name in names:
        assert data.joinpath(name).read_bytes() == (REPO / "vectors" / name).read_bytes(), name
    schema = (REPO / "vectors" / "schema" / "vectors.schema.json").read_text()
    assert cv.schema() == json.loads(schema)
    live = {v["id"] for v in cv.vectors()}
    assert live <= set(cv.ids())


def test_version_is_the_workspace_version():
    cargo = (REPO / "Cargo.toml").read_text()
    workspace = re.search(r'^\[workspace\.package\][^\[]*?^version = "([^"]+)"', cargo, re.M | re.S)
    assert metadata.version("caveatspec-vectors") == workspace.group(1)


def test_selection_by_kind_category_and_flags():
    verify = cv.vectors(kind="verify")
    assert verify and all(v["kind"] == "verify" for v in verify)
    both = cv.vectors(kind=("mint", "restrict"))
    assert len(both) == len(cv.vectors(kind="mint")) + len(cv.vectors(kind="restrict"))
    minting = cv.vectors(category="minting")
    assert len(minting) == 23 and all(v["category"] == "minting" for v in minting)
    boundary = cv.vectors(category="minting", flags=["boundary"])
    assert boundary and all("boundary" in v["flags"] for v in boundary) and len(boundary) < 23
    assert cv.vectors(kind="no-such-kind") == []


def test_expected_for_follows_the_kind():
    per_profile = cv.vectors(kind="verify")[0]
    assert cv.expected_for(per_profile, "strict") is per_profile["expected"]["strict"]
    single = cv.vectors(kind="mint")[0]
    assert cv.expected_for(single, "warehouse") is cv.expected_for(single, "strict") is single["expected"]
    missing = dict(per_profile, expected={"warehouse": {"valid": True}})
    assert cv.expected_for(missing, "strict") is None
    try:
        cv.expected_for(single, "lenient")
    except ValueError as e:
        assert "lenient" in str(e)
    else:
        raise AssertionError("an unknown profile is refused")


def test_every_vector_has_a_basis_per_profile_it_is_held_to():
    counts = {}
    for v in cv.vectors():
        for profile in cv.PROFILES:
            b = cv.basis_for(v, profile)
            counts[cv.basis_class(b)] = counts.get(cv.basis_class(b), 0) + 1
            assert ("ref" in b) != ("reason" in b), v["id"]
    assert set(counts) == set(cv.BASIS_CLASSES)
    verify = cv.vectors(kind="verify")[0]
    assert cv.basis_for(verify, "warehouse")["source"] == "pypi"
    assert cv.basis_for(verify, "strict")["source"] == "policy"
    oct_key = next(v for v in cv.vectors(category="dpop") if v["id"] == "dpop/thumbprint/oct")
    assert cv.basis_class(cv.basis_for(oct_key, "strict")) == "open"
    assert "RFC 7638" in oct_key["basis"]["open"]
    try:
        cv.basis_class({"source": "ietf", "ref": "x"})
    except ValueError as e:
        assert "ietf" in str(e)
    else:
        raise AssertionError("an unknown source is refused")
