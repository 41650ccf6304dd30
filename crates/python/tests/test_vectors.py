"""Every vector of every kind through the caveatspec Python API, one test per vector id: the
kinds with an expectation per profile (decode, caveat, verify) in both profiles, the others
once. The vectors come from the installed caveatspec_vectors package."""

import caveatspec_vectors
import pytest
from caveatspec_vectors import compare, expected_for
from caveatspec_vectors.pytest import parametrize_vectors

from answers import BY_KIND

PROFILE_FREE = sorted(set(BY_KIND) - caveatspec_vectors.PER_PROFILE_KINDS)


def check(vector, profile):
    answer = BY_KIND[vector["kind"]](vector["input"], profile)
    difference = compare(expected_for(vector, profile), answer, profile)
    assert difference is None, difference


@parametrize_vectors(kind=sorted(caveatspec_vectors.PER_PROFILE_KINDS), profile="warehouse")
def test_warehouse(vector):
    check(vector, "warehouse")


@parametrize_vectors(kind=sorted(caveatspec_vectors.PER_PROFILE_KINDS), profile="strict")
def test_strict(vector):
    check(vector, "strict")


@parametrize_vectors(kind=PROFILE_FREE, profile="strict")
def test_profile_free(vector):
    check(vector, "strict")


def test_every_kind_is_answered():
    kinds = {v["kind"] for v in caveatspec_vectors.vectors()}
    assert kinds == set(BY_KIND), kinds ^ set(BY_KIND)


@pytest.mark.parametrize("kind", sorted(BY_KIND))
def test_each_kind_has_vectors(kind):
    assert caveatspec_vectors.vectors(kind=kind)
