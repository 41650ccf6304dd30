"""Each vector kind's input through the caveatspec Python API, answered in the vector's shape
(`valid`, `codes`, `message`, then the produced fields), for `caveatspec_vectors.compare`.

The glue is the Rust conformance crate's (crates/conformance/src/lib.rs), written against the
Python API: a vector's hex key that does not decode is the answer `input.key_hex`; the earlier
proofs of a replay vector go through the same replay cache first, each at its own clock, and
one the API refuses is the answer `input.replay`.
"""

import caveatspec


def refused(err, message=None):
    answer = {"valid": False, "codes": list(err.codes)}
    if message is not None:
        answer["message"] = message
    return answer


def key_or_none(key_hex):
    try:
        return bytes.fromhex(key_hex)
    except ValueError:
        return None


def row_arguments(inp):
    """`verify`'s keyword arguments for a vector's `row`, `now` and `project`."""
    row = inp["row"]
    owner = row["owner"]
    args = {"identifier": row["identifier"], "now": inp["now"],
            "stored_caveats": row["stored_caveats"]}
    if "user_id" in owner:
        args["user_id"] = owner["user_id"]
    else:
        args["publisher"] = (owner["publisher_id"], owner["publisher_project_ids"])
    if inp.get("project") is not None:
        args["project"] = (inp["project"]["name"], inp["project"]["id"])
    return args


def decode(inp, profile):
    warehouse = profile == "warehouse"
    try:
        mac = caveatspec.decode(inp["token"], profile=profile)
    except caveatspec.TokenError as e:
        return refused(e, e.message)
    lossy = lambda b: b.decode("utf-8", "replace")  # noqa: E731
    return {"valid": True, "macaroon": {
        "version": mac.version,
        "location": lossy(mac.location or b""),
        "identifier_hex": mac.identifier.hex(),
        "caveats": [{"id_hex": cid.hex(), "vid_hex": None if vid is None else vid.hex(),
                     "location": lossy(loc) if loc else None}
                    for cid, vid, loc in mac.caveats],
        "signature_hex": mac.signature.hex(),
    }}


def caveat(inp, profile):
    raw = inp["caveat"] if "caveat" in inp else bytes.fromhex(inp["caveat_hex"])
    try:
        c = caveatspec.parse_caveat(raw, request_user=inp.get("request_user"), profile=profile)
    except caveatspec.CaveatError as e:
        return refused(e, e.message)
    return {"valid": True, "kind": c.kind, "canonical": c.canonical}


def verify(inp, profile):
    key = key_or_none(inp["key_hex"])
    if key is None:
        return {"valid": False, "codes": ["input.key_hex"]}
    v = caveatspec.verify(inp["token"], key, proof_jkt=inp.get("proof_jkt"), profile=profile,
                          **row_arguments(inp))
    answer = {"valid": v.valid, "codes": v.codes}
    if v.message is not None:
        answer["message"] = v.message
    return answer


def restrictions(r):
    return {"projects": r.get("project_names"), "project_ids": r.get("project_ids"),
            "user_id": r.get("user_id"), "not_before": r.get("not_before"),
            "not_after": r.get("not_after"), "bind_jkt": r.get("bind_jkt")}


def produced(call):
    try:
        out = call()
    except caveatspec.RestrictError as e:
        return refused(e)
    return {"valid": True, "caveats": out.caveats, "token": out.token}


def mint(inp, profile):
    key = key_or_none(inp["key_hex"])
    if key is None:
        return {"valid": False, "codes": ["input.key_hex"]}
    return produced(lambda: caveatspec.mint(key, inp["identifier"], location=inp["location"],
                                            **restrictions(inp["restrictions"])))


def restrict(inp, profile):
    return produced(lambda: caveatspec.restrict(inp["token"], **restrictions(inp["restrictions"])))


def after_history(inp, check):
    """`check(proof_or_None, now)` on each earlier proof, then on the input under test."""
    for earlier in inp.get("replay", []):
        try:
            check(earlier["proof"], earlier["now"])
        except caveatspec.CaveatspecError:
            return {"valid": False, "codes": ["input.replay"]}
    return check(None, inp["now"])


def dpop_proof(inp, profile):
    cache = caveatspec.ReplayCache(1024)

    def check(earlier, now):
        return caveatspec.verify_proof(earlier or inp["proof"], inp["method"], inp["url"], now=now,
                                       access_token=inp.get("access_token"),
                                       jkt=inp.get("expected_jkt"), nonce=inp.get("nonce"),
                                       replay=cache)
    try:
        p = after_history(inp, check)
    except caveatspec.DpopError as e:
        return refused(e)
    return p if isinstance(p, dict) else {"valid": True, "jkt": p.jkt, "jti": p.jti}


def jwk_thumbprint(inp, profile):
    try:
        return {"valid": True, "thumbprint": caveatspec.jwk_thumbprint(inp["jwk"])}
    except caveatspec.JoseError as e:
        return refused(e)


def atr_jwt(inp, profile):
    try:
        identity = caveatspec.verify_atr(inp["authorization"], inp["key"], inp["iss_aud"],
                                         now=inp["now"])
    except caveatspec.AtrError as e:
        return refused(e)
    return {"valid": True, "sub": identity.sub, "jti": identity.jti}


def request(inp, call):
    cache = caveatspec.ReplayCache(1024)

    def check(earlier, now):
        dpop = [earlier] if earlier is not None else inp["dpop"]
        return call(dpop=dpop, method=inp["method"], url=inp["url"], now=now,
                    nonce=inp.get("nonce"), replay=cache)
    try:
        return True, after_history(inp, check)
    except caveatspec.RequestError as e:
        return False, refused(e)


def atr_dpop_request(inp, profile):
    ok, out = request(inp, lambda **kw: caveatspec.verify_atr_request(
        inp["authorization"], key=inp["key"], iss_aud=inp["iss_aud"], **kw))
    if not ok or isinstance(out, dict):
        return out
    return {"valid": True, "sub": out.sub, "jti": out.jti, "jkt": out.jkt}


def macaroon_dpop_request(inp, profile):
    key = key_or_none(inp["key_hex"])
    if key is None:
        return {"valid": False, "codes": ["input.key_hex"]}
    row = row_arguments(inp)
    del row["now"]
    ok, out = request(inp, lambda **kw: caveatspec.verify_presented(
        inp["authorization"], key=key, **row, **kw))
    if not ok or isinstance(out, dict):
        return out
    return {"valid": True, "jkt": out}


#: The answer function of each vector kind.
BY_KIND = {f.__name__: f for f in (decode, caveat, verify, mint, restrict, dpop_proof,
                                   jwk_thumbprint, atr_jwt, atr_dpop_request,
                                   macaroon_dpop_request)}
