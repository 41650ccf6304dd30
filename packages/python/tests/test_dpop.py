"""caveatspec_vectors.dpop and .atr: the URL normalization against the one the DPoP vectors
were generated with (tools/caveatgen/dpop_check.py), and the glue's decisions (D2, D3, replay, codes)
over a JOSE library that parses proofs without verifying signatures."""

import ast
import base64
import json
import random
import re
from pathlib import Path

import pytest

import caveatspec_vectors as cv
from caveatspec_vectors import adapter, atr, dpop

CHECK_PY = Path(__file__).resolve().parents[3] / "tools" / "caveatgen" / "dpop_check.py"


def reference_normalize_url():
    """tools/caveatgen/dpop_check.py's `normalize_url`, with the names it uses and nothing else of the
    file (whose imports need `cryptography`)."""
    tree = ast.parse(CHECK_PY.read_text(encoding="utf-8"))
    wanted = {"MAX_URL_LEN", "UNRESERVED", "_percent", "_remove_dots", "normalize_url"}
    picked = [node for node in tree.body
              if (isinstance(node, ast.FunctionDef) and node.name in wanted)
              or (isinstance(node, ast.Assign) and {getattr(t, "id", None) for t in node.targets} & wanted)]
    assert len(picked) == len(wanted)
    namespace = {"re": re}
    exec(compile(ast.Module(body=picked, type_ignores=[]), str(CHECK_PY), "exec"), namespace)
    return namespace["normalize_url"]


def outcome(normalize, url):
    try:
        return normalize(url)
    except ValueError:
        return "refused"


def claims_of(proof):
    payload = proof.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def htu_vectors():
    return [v for v in cv.vectors(kind="dpop_proof") if "htu-normalisation" in v["flags"]]


def generated_urls(count):
    """URLs built from the pieces normalization treats specially, seeded so that every run
    tries the same ones."""
    rng = random.Random(9449)
    schemes = ["https", "HTTP", "ftp", "http", "", "h:ttp"]
    hosts = ["server.example.com", "Server.Example.COM", "[::1]", "[::1", "[::1]x", "", "a%41",
             "user@host", "h"]
    ports = ["", ":", ":443", ":80", ":0443", ":8443", ":65536", ":x", ":1:2", ":" + "0" * 5000 + "80"]
    segments = ["a", ".", "..", "", "%41", "%7e", "%2F", "%2e%2E", "%zz", "%4", "b~c", "...", "%"]
    tails = ["", "?q=1", "#f", "?", "/?x#y", " ", "\x7f", "\u00e9"]
    urls = []
    for _ in range(count):
        path = "".join("/" + rng.choice(segments) for _ in range(rng.randrange(0, 5)))
        urls.append(rng.choice(schemes) + rng.choice(["://", ":/", "//"])[:3] + rng.choice(hosts)
                    + rng.choice(ports) + path + rng.choice(tails))
    return urls + ["https://h/" + "a" * 8200, "https://h/" + "a" * 8182]


def test_normalize_url_agrees_with_the_generator_on_every_htu_vector_and_generated_urls():
    reference = reference_normalize_url()
    urls = []
    for v in htu_vectors():
        urls += [v["input"]["url"], claims_of(v["input"]["proof"]).get("htu")]
    urls = [u for u in urls if isinstance(u, str)] + generated_urls(4000)
    differ = [u for u in urls if outcome(dpop.normalize_url, u) != outcome(reference, u)]
    assert differ == []
    assert {outcome(dpop.normalize_url, u) == "refused" for u in urls} == {True, False}


# A JOSE "library" for the glue: it parses the proof and checks nothing, so that each test sees
# the glue's own checks; `refuse` names proofs it refuses as a library would.
def parse_header(proof):
    segment = proof.split(".")[0]
    header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    if not isinstance(header, dict):
        raise ValueError("header is not an object")
    return header


def handler(refuse=(), **options):
    def verify(proof, header, now, access_token):
        if proof in refuse:
            raise LookupError("bad signature")
        claims = claims_of(proof)
        return claims, claims.get("iat")
    return dpop.proof_handler(parse_header, verify, **options)


def by_id(vector_id):
    return next(v for v in cv.vectors() if v["id"] == vector_id)


def test_every_htu_vector_gets_its_verdict_from_the_glue():
    handle = handler(thumbprint=dpop.jwk_thumbprint)
    wrong = []
    for v in htu_vectors():
        got = adapter.answer(handle, v["input"])
        want = v["expected"]
        if (got.outcome == "valid") is not want["valid"] or (got.codes or []) != want.get("codes", []):
            wrong.append((v["id"], got.outcome, got.codes))
        elif got.outcome == "valid" and got.value != {"jkt": want["jkt"], "jti": want["jti"]}:
            wrong.append((v["id"], got.value))
    assert wrong == []


def test_an_allowed_alg_the_library_lacks_is_unsupported_before_the_library_is_called():
    calls = []

    def header(proof):
        calls.append(proof)
        return parse_header(proof)

    handle = dpop.proof_handler(header, lambda *a: pytest.fail("library called"), algorithms=["ES256", "EdDSA"])
    for vid in ("dpop/alg/ed25519-name", "dpop/replay/same-jti-other-alg-name"):
        got = adapter.answer(handle, by_id(vid)["input"])
        assert got.outcome == "unsupported" and "Ed25519" in got.message
    assert calls == []


def test_an_alg_spec_refuses_is_invalid_whatever_the_library_implements():
    handle = handler(algorithms=["ES256"])
    for vid in ("dpop/alg/none", "dpop/alg/hs256", "dpop/alg/es384", "dpop/alg/missing"):
        assert adapter.answer(handle, by_id(vid)["input"]).codes == ["dpop.alg"]


def test_a_refused_earlier_proof_is_the_reserved_answer_not_the_vectors_verdict():
    v = by_id("dpop/replay/after-two")
    second = v["input"]["replay"][1]["proof"]
    got = adapter.answer(handler(refuse={second}), v["input"])
    assert got.outcome == "invalid" and got.codes == ["adapter.earlier_proof_refused"]
    assert got.message == "earlier proof 1 refused: LookupError: bad signature"
    assert adapter.answer(handler(), v["input"]).codes == ["dpop.replay"]


def test_a_library_refusal_has_the_code_its_exception_names_or_none():
    v = by_id("dpop/replay/other-jti")
    proof = v["input"]["proof"]
    named = adapter.answer(handler(refuse={proof}, codes=lambda e: "dpop.signature"), v["input"])
    assert named.codes == ["dpop.signature"] and named.message == "LookupError: bad signature"
    assert adapter.answer(handler(refuse={proof}), v["input"]).codes is None


def test_an_accepted_proof_carries_jkt_only_with_the_librarys_thumbprint():
    v = by_id("dpop/replay/other-jti")
    assert set(adapter.answer(handler(), v["input"]).value) == {"jti"}
    assert adapter.answer(handler(thumbprint=dpop.jwk_thumbprint), v["input"]).value["jkt"] == v["expected"]["jkt"]


def test_thumbprint_handler_unsupported_key_types_and_refusals():
    def p256_only(jwk):
        if jwk.get("crv") != "P-256":
            raise ValueError("not P-256")
        return dpop.jwk_thumbprint(jwk)

    rsa = by_id("dpop/thumbprint/rfc7638-rsa")["input"]
    handle = dpop.thumbprint_handler(p256_only, key_types=[("EC", "P-256")])
    assert adapter.answer(handle, rsa).outcome == "unsupported"
    # P-384 is no key type SPEC allows: the library's refusal is the check under test.
    p384 = adapter.answer(handle, by_id("dpop/thumbprint/crv-p384")["input"])
    assert p384.outcome == "invalid" and p384.message == "ValueError: not P-256"
    everything = dpop.thumbprint_handler(dpop.jwk_thumbprint, codes=lambda e: "jose.missing_member")
    assert adapter.answer(everything, rsa).value == {"thumbprint": by_id("dpop/thumbprint/rfc7638-rsa")["expected"]["thumbprint"]}
    assert adapter.answer(everything, by_id("dpop/thumbprint/kty-missing")["input"]).codes == ["jose.missing_member"]


@pytest.mark.parametrize("authorization, token", [
    ("Bearer abc", "abc"), ("bEARER a b", "a b"), ("Bearer ", ""),
    ("Bearer", None), ("DPoP abc", None), ("", None), ("Bearer\tabc", None), ("\x00 abc", None)])
def test_atr_bearer_rule(authorization, token):
    if token is None:
        with pytest.raises(adapter.Invalid) as e:
            atr.bearer_token(authorization)
        assert e.value.answer.codes == ["atr.bearer"]
    else:
        assert atr.bearer_token(authorization) == token


def test_atr_claims_must_be_strings():
    assert atr.value({"sub": "s", "jti": "j", "iat": 1}) == {"sub": "s", "jti": "j"}
    for claims in ({"sub": 1, "jti": "j"}, {"sub": "s", "jti": None}):
        with pytest.raises(adapter.Invalid) as e:
            atr.value(claims)
        assert e.value.answer.codes == ["atr.claim_type"]
