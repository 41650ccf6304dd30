"""Bad input from Python: wrong types, None, bytes for str and str for bytes, huge strings,
lone surrogates, control characters, repeated arguments. Each gets a typed exception (or, for
a token, a refusing verdict) and never crashes the interpreter; no message or repr carries a
token, key or proof."""

import datetime
import math

import caveatspec
import pytest

KEY = bytes(range(32))
IDENTIFIER = "5f0b3a4e-8c1d-4e2f-9a6b-7c8d9e0f1a2b"
TOKEN = caveatspec.mint(KEY, IDENTIFIER, projects=["sampleproject"]).token
PRIVATE = caveatspec.PrivateKey.generate("ES256")
PROOF = PRIVATE.proof("POST", "https://upload.pypi.org/legacy/", access_token=TOKEN, now=1_700_000_000)

HUGE = "A" * (8 * 1024 * 1024)
SURROGATE = "pypi-\udcff" + TOKEN[6:]
CONTROL = "pypi-\x00\x1b[31m\r\n" + TOKEN[6:]

WRONG_VALUES = [None, 1, 1.5, b"bytes", bytearray(b"x"), ["list"], {"d": 1}, object()]


def calls():
    """Each public function with one argument to vary, the others good."""
    yield "verify.token", lambda x: caveatspec.verify(x, KEY, identifier=IDENTIFIER, now=0)
    yield "verify.key", lambda x: caveatspec.verify(TOKEN, x, identifier=IDENTIFIER, now=0)
    yield "verify.identifier", lambda x: caveatspec.verify(TOKEN, KEY, identifier=x, now=0)
    yield "verify.now", lambda x: caveatspec.verify(TOKEN, KEY, identifier=IDENTIFIER, now=x)
    yield "verify.project", lambda x: caveatspec.verify(TOKEN, KEY, identifier=IDENTIFIER, now=0, project=x)
    yield "verify.profile", lambda x: caveatspec.verify(TOKEN, KEY, identifier=IDENTIFIER, now=0, profile=x)
    yield "verify.stored", lambda x: caveatspec.verify(TOKEN, KEY, identifier=IDENTIFIER, now=0,
                                                       stored_caveats=x)
    yield "mint.key", lambda x: caveatspec.mint(x, IDENTIFIER)
    yield "mint.projects", lambda x: caveatspec.mint(KEY, IDENTIFIER, projects=x)
    yield "restrict.token", lambda x: caveatspec.restrict(x, user_id=IDENTIFIER)
    yield "restrict.not_after", lambda x: caveatspec.restrict(TOKEN, not_before=0, not_after=x)
    yield "inspect.token", lambda x: caveatspec.inspect(x, now=0)
    yield "decode.token", lambda x: caveatspec.decode(x)
    yield "parse_caveat.raw", lambda x: caveatspec.parse_caveat(x)
    yield "verify_proof.proof", lambda x: caveatspec.verify_proof(x, "POST", "https://a.example/")
    yield "verify_proof.method", lambda x: caveatspec.verify_proof(PROOF, x, "https://a.example/")
    yield "verify_proof.url", lambda x: caveatspec.verify_proof(PROOF, "POST", x)
    yield "verify_proof.nonce", lambda x: caveatspec.verify_proof(PROOF, "POST", "https://a.example/",
                                                                  nonce=x)
    yield "verify_proof.replay", lambda x: caveatspec.verify_proof(PROOF, "POST", "https://a.example/",
                                                                   replay=x)
    yield "jwk_thumbprint", lambda x: caveatspec.jwk_thumbprint(x)
    yield "verify_atr.authorization", lambda x: caveatspec.verify_atr(x, "k", "https://a/", now=0)
    yield "verify_atr.key", lambda x: caveatspec.verify_atr("Bearer x", x, "https://a/", now=0)
    yield "verify_atr_request.authorization", lambda x: caveatspec.verify_atr_request(
        x, method="GET", url="https://a/", key="k", iss_aud="https://a/",
        replay=caveatspec.ReplayCache())
    yield "verify_presented.dpop", lambda x: caveatspec.verify_presented(
        "DPoP " + TOKEN, dpop=x, method="GET", url="https://a/", key=KEY, identifier=IDENTIFIER,
        replay=caveatspec.ReplayCache())
    yield "NonceIssuer.key", lambda x: caveatspec.NonceIssuer(x)
    yield "NonceIssuer.check", lambda x: caveatspec.NonceIssuer(KEY).check(x)
    yield "PrivateKey.generate", lambda x: caveatspec.PrivateKey.generate(x)
    yield "PrivateKey.from_private_bytes", lambda x: caveatspec.PrivateKey.from_private_bytes("EdDSA", x)
    yield "PrivateKey.proof.url", lambda x: PRIVATE.proof("GET", x)
    yield "ReplayCache.check_and_insert", lambda x: caveatspec.ReplayCache().check_and_insert(x)


CALLS = dict(calls())
HOSTILE_TEXT = {"huge": HUGE, "surrogate": SURROGATE, "control": CONTROL, "empty": "",
                "repeated": TOKEN * 1000, "nul": "\x00" * 64}
ANSWERS = (caveatspec.Verdict, caveatspec.Attenuated, caveatspec.Macaroon, caveatspec.ParsedCaveat,
           caveatspec.Proof, caveatspec.AtrIdentity, caveatspec.PrivateKey, caveatspec.NonceIssuer,
           str, bool, dict, type(None))


def outcome(call, value):
    """The call's answer, or its exception, which must be a TypeError or a CaveatspecError."""
    try:
        return call(value)
    except (TypeError, caveatspec.CaveatspecError) as e:
        assert not isinstance(e, caveatspec.CaveatspecError) or e.code, e
        return e


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("value", WRONG_VALUES, ids=lambda v: type(v).__name__)
def test_wrong_types_are_typed_exceptions(name, value):
    result = outcome(CALLS[name], value)
    assert isinstance(result, (BaseException,) + ANSWERS), result


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("kind", sorted(HOSTILE_TEXT))
def test_hostile_text_is_refused_or_answered(name, kind):
    result = outcome(CALLS[name], HOSTILE_TEXT[kind])
    assert isinstance(result, (BaseException,) + ANSWERS), result
    if isinstance(result, caveatspec.Verdict):
        assert not result.valid


def test_str_where_bytes_belong_and_bytes_where_str_belong():
    with pytest.raises(TypeError, match="expected bytes, got str"):
        caveatspec.verify(TOKEN, KEY.hex(), identifier=IDENTIFIER)
    with pytest.raises(TypeError, match="expected str, got bytes"):
        caveatspec.verify(TOKEN.encode(), KEY, identifier=IDENTIFIER)
    with pytest.raises(TypeError, match="expected a list of str, got str"):
        caveatspec.mint(KEY, IDENTIFIER, projects="sampleproject")


def test_lone_surrogate_is_an_input_error_without_the_text():
    with pytest.raises(caveatspec.InputError) as e:
        caveatspec.verify(SURROGATE, KEY, identifier=IDENTIFIER)
    assert e.value.code == "input.text"
    assert TOKEN[6:20] not in str(e.value) and e.value.__cause__ is None


def test_times_are_int_or_aware_datetime():
    aware = datetime.datetime(2023, 11, 14, 22, 13, 20, 999_999, tzinfo=datetime.timezone.utc)
    assert caveatspec.verify(TOKEN, KEY, identifier=IDENTIFIER, now=aware).codes == \
        caveatspec.verify(TOKEN, KEY, identifier=IDENTIFIER, now=1_700_000_000).codes
    late = datetime.datetime(2023, 12, 31, 23, 59, 59, 500_000, tzinfo=datetime.timezone.utc)
    token = caveatspec.restrict(TOKEN, not_before=late, not_after=1_800_000_000)
    assert token.caveats == [f"[0,1800000000,{math.floor(late.timestamp())}]"]
    # Floored, not truncated: half a second before the epoch is second -1.
    issuer = caveatspec.NonceIssuer(KEY, lifetime=1)
    before_epoch = late.replace(year=1969)
    assert issuer.issue(before_epoch) == issuer.issue(-1)
    other_zone = late.astimezone(datetime.timezone(datetime.timedelta(hours=-5)))
    assert issuer.issue(other_zone) == issuer.issue(late)
    with pytest.raises(caveatspec.InputError, match="naive datetime"):
        caveatspec.verify(TOKEN, KEY, identifier=IDENTIFIER, now=datetime.datetime(2023, 1, 1))
    with pytest.raises(TypeError, match="got bool"):
        caveatspec.verify(TOKEN, KEY, identifier=IDENTIFIER, now=True)
    with pytest.raises(TypeError, match="got float"):
        caveatspec.verify(TOKEN, KEY, identifier=IDENTIFIER, now=1.7e9)
    with pytest.raises(caveatspec.InputError, match="64-bit"):
        caveatspec.verify(TOKEN, KEY, identifier=IDENTIFIER, now=2**70)
    with pytest.raises(caveatspec.RestrictError) as e:
        caveatspec.restrict(TOKEN, not_before=-5, not_after=10)
    assert e.value.code == "restrict.window_negative"


def test_owner_is_a_user_or_a_publisher_not_both():
    with pytest.raises(caveatspec.InputError) as e:
        caveatspec.verify(TOKEN, KEY, identifier=IDENTIFIER, user_id="u", publisher=("p", []))
    assert e.value.code == "input.owner"


def test_empty_lists_are_refused():
    with pytest.raises(caveatspec.RestrictError) as e:
        caveatspec.restrict(TOKEN, projects=[])
    assert e.value.code == "restrict.empty_list"


def test_unknown_profile_and_alg_are_input_errors():
    with pytest.raises(caveatspec.InputError) as e:
        caveatspec.decode(TOKEN, profile="Warehouse")
    assert e.value.code == "input.profile"
    with pytest.raises(caveatspec.InputError) as e:
        caveatspec.PrivateKey.generate("RS256")
    assert e.value.code == "input.alg"


def test_non_json_dict_is_an_input_error():
    with pytest.raises(caveatspec.InputError):
        caveatspec.jwk_thumbprint({"kty": float("nan")})
    with pytest.raises(caveatspec.InputError):
        caveatspec.jwk_thumbprint({"kty": object()})
    with pytest.raises(caveatspec.InputError):
        caveatspec.jwk_thumbprint("[1, 2]")
    deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(caveatspec.InputError):
        caveatspec.jwk_thumbprint(deep)


def secret_free(text):
    secrets = [TOKEN, TOKEN[5:40], KEY.hex(), PROOF, PROOF[:40], PRIVATE.private_bytes().hex()]
    return not any(s in text for s in secrets)


def test_no_secret_in_reprs():
    minted = caveatspec.mint(KEY, IDENTIFIER)
    assert "hidden" in repr(minted) and secret_free(repr(minted))
    assert secret_free(repr(caveatspec.decode(TOKEN)))
    assert secret_free(repr(PRIVATE)) and PRIVATE.jkt in repr(PRIVATE)
    issuer = caveatspec.NonceIssuer(KEY)
    assert secret_free(repr(issuer)) and KEY.hex() not in repr(issuer)
    proof = caveatspec.verify_proof(PROOF, "POST", "https://upload.pypi.org/legacy/",
                                    now=1_700_000_000, access_token=TOKEN)
    assert secret_free(repr(proof))
    assert secret_free(repr(caveatspec.verify(TOKEN, KEY, identifier=IDENTIFIER, now=0)))


@pytest.mark.parametrize("name", sorted(CALLS))
def test_no_secret_in_messages(name):
    for value in [TOKEN + "\x00", "DPoP " + TOKEN + "!", PROOF + "x", KEY.hex(), TOKEN[:-3]]:
        result = outcome(CALLS[name], value)
        if isinstance(result, BaseException):
            assert secret_free(str(result)) and secret_free(repr(result)), (name, str(result))
            assert secret_free(repr(getattr(result, "args", ())))


# Random values of every shape into every argument position above: an answer or a typed
# exception, never a crash and never another exception type.
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

anything = st.one_of(st.text(), st.binary(), st.integers(), st.none(), st.floats(),
                     st.lists(st.text(max_size=8), max_size=3), st.tuples(st.text(), st.text()),
                     st.dictionaries(st.text(max_size=4), st.text(max_size=8), max_size=3),
                     st.text(alphabet="pypi-AgEI0123456789_abc.", max_size=200))


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(sorted(CALLS)), value=anything)
def test_random_values_are_refused_or_answered(name, value):
    result = outcome(CALLS[name], value)
    assert isinstance(result, (BaseException,) + ANSWERS), result


@pytest.mark.parametrize("call", [
    lambda: caveatspec.ReplayCache(-1), lambda: caveatspec.ReplayCache(2**70),
    lambda: caveatspec.NonceIssuer(KEY, lifetime=-1), lambda: caveatspec.NonceIssuer(KEY, lifetime=0),
    lambda: caveatspec.verify_proof(PROOF, "POST", "https://a/", max_age=-1),
    lambda: caveatspec.verify_proof(PROOF, "POST", "https://a/", leeway=2**40),
], ids=["cache-negative", "cache-huge", "lifetime-negative", "lifetime-zero", "max-age-negative",
        "leeway-huge"])
def test_out_of_range_numbers_are_typed_exceptions(call):
    with pytest.raises((OverflowError, caveatspec.InputError)):
        call()


@pytest.mark.parametrize("now", [-2**63, 2**63 - 1, 0])
def test_extreme_clocks_are_answered(now):
    issuer = caveatspec.NonceIssuer(KEY, lifetime=1)
    assert issuer.check(issuer.issue(now), now=now)
    assert not caveatspec.verify(TOKEN, KEY, identifier=IDENTIFIER, now=now, project=("x", "y"))
    with pytest.raises(caveatspec.DpopError):
        caveatspec.verify_proof(PROOF, "POST", "https://upload.pypi.org/legacy/", now=now)
