"""pymacaroons under the strict profile, via caveatspec_vectors.satisfier, on decode, caveat and
verify vectors: pymacaroons reads the bytes and checks the HMAC chain, the satisfier does the
rest (SPEC §2.3, §3.5, §3.7, §4.5, §5.4), and every answer carries the strict codes."""
import binascii

import pymacaroons as pm
from caveatspec_vectors import compare, expected_for, satisfier as s
from caveatspec_vectors.pytest import parametrize_vectors

PROFILE = "strict"


def refused(code=None):
    return {"valid": False, **({"codes": [code]} if code else {})}


def load(token):
    """pymacaroons' macaroon of a strict token, after the satisfier's text and format rules."""
    body = s.token_body(token, PROFILE)
    try:
        m = pm.Macaroon.deserialize(body)
    except Exception as e:  # noqa: BLE001 — whatever pymacaroons cannot read is malformed
        raise s.Unmet(str(e), "macaroon.malformed") from None
    raw = s.body_bytes(body)
    caveats = [(c.location, c.verification_key_id) for c in m.caveats]
    signature = binascii.unhexlify(m.signature_bytes)
    s.strict_macaroon(m.version, m.identifier_bytes, caveats, signature, raw,
                      s.body_bytes(m.serialize()) if m.version == 2 else b"")
    return m


def signature_matches(m, key):
    """pymacaroons' HMAC chain over the presented caveats, every caveat taken as met."""
    verifier = pm.Verifier()
    verifier.satisfy_general(lambda _: True)
    try:
        return verifier.verify(m, key)
    except pm.exceptions.MacaroonInvalidSignatureException:
        return False


def answer(kind, i):
    if kind == "caveat":
        return {"valid": True, "kind": s.caveat_kind(i, PROFILE), "canonical": s.canonical(i)}
    m = load(i["token"])
    if kind == "decode":
        cavs = [{"id_hex": c.caveat_id_bytes.hex(), "location": c.location or None, "vid_hex": None} for c in m.caveats]
        return {"valid": True, "macaroon": {"version": m.version, "location": m.location, "identifier_hex": m.identifier_bytes.hex(),
                                            "signature_hex": m.signature_bytes.decode(), "caveats": cavs}}
    if not s.row_matches(m.identifier_bytes, i["row"], PROFILE):
        return refused("macaroon.not_found")
    caveats = [c.caveat_id_bytes for c in m.caveats] + s.stored_caveats(i["row"], PROFILE)
    request = s.Request(i, PROFILE)
    codes = s.strict_failures(request, caveats, lambda: signature_matches(m, bytes.fromhex(i["key_hex"])))
    return {"valid": not codes, "codes": codes}


@parametrize_vectors(kind=("decode", "caveat", "verify"), profile=PROFILE, expected_failures="pymacaroons-strict-xfail.txt")
def test_vector(vector):
    try:
        got = answer(vector["kind"], vector["input"])
    except s.Unmet as unmet:
        got = refused(unmet.code)
    assert compare(expected_for(vector, PROFILE), got, PROFILE) is None
