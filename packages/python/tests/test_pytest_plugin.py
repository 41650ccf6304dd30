"""parametrize_vectors as a user's test file meets it: one test per vector, named by its id;
listed failures strict xfails; skips by flag; a bad list stops collection."""

from caveatspec_vectors import vectors

pytest_plugins = ["pytester"]

MINT = vectors(kind="mint")
FIRST, SECOND = MINT[0]["id"], MINT[1]["id"]
FLAGGED = next(v for v in MINT if "boundary" in v["flags"])

TEST_FILE = f'''
from caveatspec_vectors import compare, expected_for
from caveatspec_vectors.pytest import parametrize_vectors

@parametrize_vectors(kind="mint", expected_failures="xfail.txt", skip_flags={{"boundary": "not yet"}})
def test_mint(vector):
    expected = expected_for(vector, "warehouse")
    # Echoes the expectation except for the first vector: one real failure, listed.
    got = dict(expected, valid=not expected["valid"]) if vector["id"] == "{FIRST}" else expected
    assert compare(expected, got, "warehouse") is None
'''


def test_each_vector_is_one_test_and_a_listed_failure_is_a_strict_xfail(pytester):
    pytester.makepyfile(TEST_FILE)
    pytester.path.joinpath("xfail.txt").write_text(f"{FIRST}  # answers the opposite\n")
    result = pytester.runpytest("-v", "-p", "no:cacheprovider")
    flagged = sum("boundary" in v["flags"] for v in MINT)
    outcome = dict(passed=len(MINT) - flagged - 1, xfailed=1, skipped=flagged)
    if "boundary" in next(v for v in MINT if v["id"] == FIRST)["flags"]:
        outcome = dict(passed=len(MINT) - flagged, skipped=flagged)
    result.assert_outcomes(**outcome)
    result.stdout.fnmatch_lines([f"*test_mint?{SECOND}?*", f"*{FLAGGED['id']}*SKIPPED*"])


def test_a_listed_vector_that_passes_fails_the_run(pytester):
    pytester.makepyfile(TEST_FILE)
    pytester.path.joinpath("xfail.txt").write_text(f"{SECOND}  # thought to fail\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*XPASS(strict)*thought to fail*"])


def test_a_bad_list_stops_collection_with_its_line(pytester):
    pytester.makepyfile(TEST_FILE)
    pytester.path.joinpath("xfail.txt").write_text(f"{FIRST}  # a\nno/such/id # b\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*xfail.txt: line 2: no vector has the id 'no/such/id'*"])


def test_the_fixture_holds_every_file(pytester):
    pytester.makepyfile("def test_all(caveatspec_vectors):\n    assert len(caveatspec_vectors) == 11\n")
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
