"""pymacaroons as PyPI runs it, via caveatspec_vectors.satisfier, on every kind it answers."""
import pymacaroons as pm
import pytest
from caveatspec_vectors import compare, expected_for, satisfier as s
from caveatspec_vectors.pytest import parametrize_vectors
def produce(m, r, restrict):
    if "bind_jkt" in r:
        pytest.skip("no key-binding caveat (bind_jkt) in PyPI's caveats")
    try:
        caveats = s.restriction_caveats(r, restrict)
    except s.Refused as refused:
        return {"valid": False, "codes": [refused.code]}
    for c in caveats:
        m.add_first_party_caveat(c)
    return {"valid": True, "caveats": caveats, "token": "pypi-" + m.serialize()}
def answer(kind, i):
    if kind == "caveat":
        return {"valid": True, "kind": s.caveat_kind(i)}
    if kind == "mint":
        m = pm.Macaroon(i["location"], i["identifier"], bytes.fromhex(i["key_hex"]), version=pm.MACAROON_V2)
        return produce(m, i["restrictions"], False)
    m = pm.Macaroon.deserialize(s.token_body(i["token"]))
    if kind == "restrict":
        return produce(m, i["restrictions"], True)
    if kind == "decode":
        cavs = [{"id_hex": c.caveat_id_bytes.hex(), "location": c.location or None, "vid_hex": None if c.verification_key_id is None else c.verification_key_id.hex()} for c in m.caveats]
        return {"valid": True, "macaroon": {"version": m.version, "location": m.location, "identifier_hex": m.identifier_bytes.hex(), "signature_hex": m.signature_bytes.decode(), "caveats": cavs}}
    if not s.row_matches(m.identifier_bytes, i["row"]):
        return {"valid": False}
    for c in s.stored_caveats(i["row"]): m.add_first_party_caveat(c)  # noqa: E701
    v = pm.Verifier()
    v.satisfy_general(s.Request(i).satisfies)
    return {"valid": v.verify(m, bytes.fromhex(i["key_hex"]))}
@parametrize_vectors(kind=("decode", "caveat", "verify", "mint", "restrict"), expected_failures="pymacaroons-xfail.txt")
def test_vector(vector):
    try:
        got = answer(vector["kind"], vector["input"])
    except Exception:  # noqa: BLE001 — every refusal is an answer (restrict's: a malformed token)
        got = {"valid": False, **({"codes": ["macaroon.malformed"]} if vector["kind"] == "restrict" else {})}
    assert compare(expected_for(vector, "warehouse"), got, "warehouse", only_sent=True) is None
