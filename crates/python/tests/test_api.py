"""The module as a server and a client use it: DPoP proofs made by the client API and
checked by the server API, the replay cache shared by threads, server nonces, refusals as
results or typed exceptions, and the stubs shipped with the wheel."""

import importlib.util
import os
import threading

import caveatspec
import pytest

KEY = bytes(range(32))
IDENTIFIER = "5f0b3a4e-8c1d-4e2f-9a6b-7c8d9e0f1a2b"
USER = "3e2f1a0b-9c8d-4e7f-8a6b-5c4d3e2f1a0b"
PROJECT = ("Sample.Project", "0d6b6a8e-2f0c-4f8e-8a3b-5b7e1c9d2a41")
URL = "https://upload.pypi.org/legacy/"
NOW = 1_700_000_000


@pytest.mark.parametrize("alg", ["EdDSA", "ES256"])
def test_client_proof_is_accepted_once(alg):
    key = caveatspec.PrivateKey.generate(alg)
    assert caveatspec.jwk_thumbprint(key.public_jwk) == key.jkt
    proof = key.proof("POST", URL + "?a=1#f", access_token="tok", now=NOW)
    cache = caveatspec.ReplayCache()
    accepted = caveatspec.verify_proof(proof, "POST", URL, now=NOW + 5, access_token="tok",
                                       jkt=key.jkt, replay=cache)
    assert (accepted.jkt, accepted.iat, accepted.htu, accepted.alg) == (key.jkt, NOW, URL, alg)
    assert accepted.jwk == key.public_jwk and accepted.claims["ath"] and accepted.nonce is None
    assert len(cache) == 1
    with pytest.raises(caveatspec.DpopError) as e:
        caveatspec.verify_proof(proof, "POST", URL, now=NOW + 6, access_token="tok", replay=cache)
    assert e.value.code == "dpop.replay"


def test_private_bytes_round_trip():
    for alg in ("EdDSA", "ES256"):
        key = caveatspec.PrivateKey.generate(alg)
        again = caveatspec.PrivateKey.from_private_bytes(alg, key.private_bytes())
        assert again.jkt == key.jkt and again.public_jwk == key.public_jwk
    with pytest.raises(caveatspec.InputError):
        caveatspec.PrivateKey.from_private_bytes("ES256", b"\x00" * 32)


def test_each_refusal_carries_its_code():
    key = caveatspec.PrivateKey.generate()
    proof = key.proof("GET", URL, now=NOW)
    for kwargs, code in [({"now": NOW + 301}, "dpop.iat_too_old"),
                         ({"now": NOW - 61}, "dpop.iat_in_future"),
                         ({"access_token": "t"}, "dpop.missing_claim"),
                         ({"jkt": "x" * 43}, "dpop.jkt"),
                         ({"nonce": "n"}, "dpop.nonce")]:
        with pytest.raises(caveatspec.DpopError) as e:
            caveatspec.verify_proof(proof, "GET", URL, **{"now": NOW, **kwargs})
        assert e.value.code == code and e.value.codes == (code,)
    with pytest.raises(caveatspec.DpopError) as e:
        caveatspec.verify_proof("a.b", "GET", URL)
    assert (e.value.code, e.value.detail) == ("dpop.malformed", "jose.segments")


def test_replay_cache_is_shared_by_threads():
    key = caveatspec.PrivateKey.generate()
    cache = caveatspec.ReplayCache(capacity=10_000)
    proofs = [key.proof("GET", URL, now=NOW, jti=f"j{i}") for i in range(200)]
    accepted, refused = [], []

    def work():
        for p in proofs:
            try:
                accepted.append(caveatspec.verify_proof(p, "GET", URL, now=NOW, replay=cache).jti)
            except caveatspec.DpopError as e:
                refused.append(e.code)
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(accepted) == sorted(f"j{i}" for i in range(200))
    assert refused == ["dpop.replay"] * 600 and len(cache) == 200


def test_full_replay_cache_refuses_new_proofs():
    key = caveatspec.PrivateKey.generate()
    cache = caveatspec.ReplayCache(capacity=2)
    for jti in ("a", "b"):
        caveatspec.verify_proof(key.proof("GET", URL, now=NOW, jti=jti), "GET", URL, now=NOW, replay=cache)
    with pytest.raises(caveatspec.DpopError) as e:
        caveatspec.verify_proof(key.proof("GET", URL, now=NOW, jti="c"), "GET", URL, now=NOW, replay=cache)
    assert e.value.code == "dpop.replay_cache_full"
    cache.purge(NOW + 301)
    assert len(cache) == 0


def test_nonce_issuer_rotates_and_challenges():
    issuer = caveatspec.NonceIssuer(os.urandom(32), lifetime=60)
    nonce = issuer.issue(NOW)
    assert issuer.check(nonce, now=NOW) and issuer.check(nonce, now=NOW + 60)
    assert not issuer.check(nonce, now=NOW + 180)
    assert not issuer.check(nonce, now=NOW - 60)
    assert not caveatspec.NonceIssuer(os.urandom(32), lifetime=60).check(nonce, now=NOW)
    assert not issuer.check(nonce[:-1] + ("A" if nonce[-1] != "A" else "B"), now=NOW)
    headers = dict(issuer.challenge(NOW))
    assert headers["DPoP-Nonce"] == nonce
    assert 'error="use_dpop_nonce"' in headers["WWW-Authenticate"]
    with pytest.raises(caveatspec.InputError):
        caveatspec.NonceIssuer(b"short")


def test_verify_proof_with_a_nonce_issuer():
    issuer = caveatspec.NonceIssuer(os.urandom(32))
    key = caveatspec.PrivateKey.generate()
    with pytest.raises(caveatspec.DpopError) as e:
        caveatspec.verify_proof(key.proof("GET", URL, now=NOW), "GET", URL, now=NOW, nonce=issuer)
    assert e.value.code == "dpop.nonce"
    good = key.proof("GET", URL, now=NOW, nonce=issuer.issue(NOW))
    assert caveatspec.verify_proof(good, "GET", URL, now=NOW + 10, nonce=issuer).nonce == issuer.issue(NOW)
    stale = key.proof("GET", URL, now=NOW + 900, nonce=issuer.issue(NOW))
    with pytest.raises(caveatspec.DpopError) as e:
        caveatspec.verify_proof(stale, "GET", URL, now=NOW + 900, nonce=issuer)
    assert e.value.code == "dpop.nonce"


def test_bound_pypi_token_through_a_request():
    key = caveatspec.PrivateKey.generate()
    token = caveatspec.mint(KEY, IDENTIFIER, projects=["sample-project"], bind_jkt=key.jkt).token
    row = {"key": KEY, "identifier": IDENTIFIER, "user_id": USER, "project": PROJECT,
           "method": "POST", "url": URL, "now": NOW}
    cache = caveatspec.ReplayCache()
    proof = key.proof("POST", URL, access_token=token, now=NOW)
    assert caveatspec.verify_presented("DPoP " + token, dpop=proof, replay=cache, **row) == key.jkt
    with pytest.raises(caveatspec.RequestError) as e:
        caveatspec.verify_presented("DPoP " + token, dpop=proof, replay=cache, **row)
    assert e.value.codes == ("dpop.replay",)
    with pytest.raises(caveatspec.RequestError) as e:
        caveatspec.verify_presented("Bearer " + token, replay=cache, **row)
    assert "key_binding.no_proof" in e.value.codes
    unbound = caveatspec.mint(KEY, IDENTIFIER).token
    assert caveatspec.verify_presented("Bearer " + unbound, replay=cache, **row) is None


def test_verdict_is_a_result():
    token = caveatspec.mint(KEY, IDENTIFIER, projects=["sample-project"]).token
    ok = caveatspec.verify(token, KEY, identifier=IDENTIFIER, user_id=USER, project=PROJECT, now=NOW)
    assert ok and ok.valid and ok.message == "signature and caveats OK"
    other = caveatspec.verify(token, KEY, identifier=IDENTIFIER, user_id=USER,
                              project=("other", PROJECT[1]), now=NOW, profile="strict")
    assert not other and other.codes == ["project_name.mismatch"] and other.message is None


def test_exceptions_form_one_hierarchy():
    for name in ("InputError", "TokenError", "CaveatError", "RestrictError", "JoseError",
                 "DpopError", "AtrError", "RequestError"):
        cls = getattr(caveatspec, name)
        assert issubclass(cls, caveatspec.CaveatspecError) and issubclass(cls, ValueError)


def test_stubs_and_marker_ship_with_the_module():
    origin = os.path.dirname(importlib.util.find_spec("caveatspec").origin)
    assert os.path.exists(os.path.join(origin, "py.typed"))
    with open(os.path.join(origin, "__init__.pyi"), encoding="utf-8") as f:
        stub = f.read()
    public = [n for n in dir(caveatspec) if not n.startswith("_") and n != "caveatspec"]
    missing = [n for n in public if f"def {n}(" not in stub and f"class {n}(" not in stub
               and f"class {n}:" not in stub]
    assert not missing, missing
    assert all(getattr(caveatspec, n).__doc__ for n in public)


def test_reprs_read_as_python():
    key = caveatspec.PrivateKey.generate()
    cache = caveatspec.ReplayCache()
    proof = key.proof("GET", URL, now=NOW)
    assert repr(caveatspec.verify_proof(proof, "GET", URL, now=NOW, replay=cache)).startswith("Proof(jkt=")
    token = caveatspec.mint(KEY, IDENTIFIER).token
    verdict = caveatspec.verify(token, KEY, identifier=IDENTIFIER, now=NOW)
    assert repr(verdict) == "Verdict(valid=True, codes=[])"
    assert "Some(" not in repr(verdict) and repr(cache) == "ReplayCache(capacity=65536, retention=300, len=1)"



def test_atr_identity_repr_reads_as_python():
    import base64
    import hashlib
    import hmac
    import json
    b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()  # noqa: E731
    claims = {"sub": "alice", "iss": "https://a/", "aud": "https://a/", "iat": NOW, "nbf": NOW,
              "exp": NOW + 60, "jti": "j"}
    signing_input = b64(b'{"alg":"HS256","typ":"JWT"}') + "." + b64(json.dumps(claims).encode())
    jwt = signing_input + "." + b64(hmac.new(b"k", signing_input.encode(), hashlib.sha256).digest())
    identity = caveatspec.verify_atr("Bearer " + jwt, "k", "https://a/", now=NOW)
    assert repr(identity) == 'AtrIdentity(sub="alice", jti="j", jkt=None)'
    assert identity.claims == claims
