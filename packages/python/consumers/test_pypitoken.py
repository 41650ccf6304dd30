"""pypitoken 7.1.1 on every kind it answers, through the handlers of its adapter in this
repository (adapters/pypitoken/adapter.py) on the installed caveatspec_vectors."""
import importlib.util
from pathlib import Path

import caveatspec_vectors  # the installed package: imported before the adapter file puts the tree on sys.path
import pytest
from caveatspec_vectors import adapter, compare, expected_for
from caveatspec_vectors.pytest import parametrize_vectors

ROOT = Path(__file__).resolve().parents[3]
spec = importlib.util.spec_from_file_location("pypitoken_adapter", ROOT / "adapters" / "pypitoken" / "adapter.py")
pypitoken_adapter = importlib.util.module_from_spec(spec)
spec.loader.exec_module(pypitoken_adapter)


def test_the_package_is_the_installed_one():
    assert ROOT not in Path(caveatspec_vectors.__file__).resolve().parents
    assert pypitoken_adapter.adapter is adapter


@parametrize_vectors(kind=tuple(pypitoken_adapter.HANDLERS), expected_failures="pypitoken-xfail.txt")
def test_vector(vector):
    got = adapter.answer(pypitoken_adapter.HANDLERS[vector["kind"]], vector["input"])
    if got.outcome == "unsupported":
        pytest.skip(got.message)
    assert compare(expected_for(vector, "warehouse"), got.as_expected(), "warehouse", only_sent=True) is None
