"""Property tests: on random inputs the module and the `caveatspec` command give the same
answer (same verdict, codes and message; same tokens; same reports; same refusals)."""

import string

import caveatspec
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

import cli

#: Examples per property (the CI prints hypothesis' statistics).
EXAMPLES = 200
agreement = settings(max_examples=EXAMPLES, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow])

IDENTIFIER = "5f0b3a4e-8c1d-4e2f-9a6b-7c8d9e0f1a2b"
KNOWN_IDS = ["0d6b6a8e-2f0c-4f8e-8a3b-5b7e1c9d2a41", "3e2f1a0b-9c8d-4e7f-8a6b-5c4d3e2f1a0b"]

# Text the command line can carry (no NUL) and that stdin's trimming leaves alone.
argv_text = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
                    max_size=40)
untrimmed = argv_text.filter(lambda t: not t[:1].isspace() and not t[-1:].isspace())
valid_names = st.sampled_from(["sampleproject", "Sample.Project", "foo", "foo_bar", "Foo-Bar"])
names = st.one_of(valid_names, argv_text)
valid_ids = st.one_of(st.sampled_from(KNOWN_IDS), st.uuids().map(str))
ids = st.one_of(valid_ids, argv_text)
times = st.integers(0, 2**36)
# Not empty: the command reads an empty CAVEATSPEC_KEY_HEX as no key at all.
keys = st.binary(min_size=1, max_size=40)


@st.composite
def restrictions(draw, names=names, ids=ids):
    """Random restrictions, as keyword arguments; lists are not empty, since the command line
    cannot say "an empty list" (the module's refusal of one is a hostile-input test)."""
    r = {}
    if draw(st.booleans()):
        r["not_before"], r["not_after"] = draw(times), draw(times)
    elif draw(st.integers(0, 9)) == 0:
        r["not_before"] = draw(times)
    if draw(st.booleans()):
        r["projects"] = draw(st.lists(names, min_size=1, max_size=3))
    if draw(st.booleans()):
        r["project_ids"] = draw(st.lists(ids, min_size=1, max_size=2))
    if draw(st.booleans()):
        r["user_id"] = draw(ids)
    return r


def restriction_flags(r):
    flags = []
    for key, name in (("not_before", "not-before"), ("not_after", "not-after"),
                      ("user_id", "user-id")):
        if key in r:
            flags.append(cli.flag(name, r[key]))
    flags += [cli.flag("project", n) for n in r.get("projects", [])]
    flags += [cli.flag("project-id", i) for i in r.get("project_ids", [])]
    return flags


def mint_both(key, r):
    """The token minted by the module, after checking the command mints the same (or that
    both refuse); None when both refuse."""
    try:
        minted = caveatspec.mint(key, IDENTIFIER, **r)
    except caveatspec.RestrictError:
        minted = None
    status, _, out, _ = cli.run(["mint", cli.flag("identifier", IDENTIFIER), *restriction_flags(r)],
                                env={"CAVEATSPEC_KEY_HEX": key.hex()})
    if minted is None:
        assert status != 0, out
        return None
    assert status == 0
    assert out.strip() == minted.token
    return minted.token


@agreement
@given(key=keys, r=restrictions())
def test_mint_agrees(key, r):
    mint_both(key, r)


@agreement
@given(key=keys, minted_with=restrictions(valid_names, valid_ids), r=restrictions())
def test_restrict_agrees(key, minted_with, r):
    token = mint_both(key, minted_with)
    assume(token is not None)
    try:
        narrowed = caveatspec.restrict(token, **r)
    except caveatspec.RestrictError:
        narrowed = None
    status, _, out, _ = cli.run(["restrict", "-", *restriction_flags(r)], stdin=token)
    if narrowed is None:
        assert status != 0
    else:
        assert (status, out.strip()) == (0, narrowed.token)


@agreement
@given(key=keys, r=restrictions(valid_names, valid_ids), now=times, project=st.none() | st.tuples(names, ids),
       user_id=st.none() | ids, other_key=st.booleans(),
       profile=st.sampled_from(["warehouse", "strict"]))
def test_verify_agrees(key, r, now, project, user_id, other_key, profile):
    token = mint_both(key, r)
    assume(token is not None)
    verifying_key = bytes(32) if other_key else key
    kwargs = {"identifier": IDENTIFIER, "now": now, "profile": profile}
    flags = [cli.flag("now", now), cli.flag("profile", profile), "--json"]
    if project is not None:
        kwargs["project"] = project
        flags += [cli.flag("project", project[0]), cli.flag("project-id", project[1])]
    if user_id is not None:
        kwargs["user_id"] = user_id
        flags.append(cli.flag("user-id", user_id))
    verdict = caveatspec.verify(token, verifying_key, **kwargs)
    status, answer, out, _ = cli.run(["verify", "-", *flags], stdin=token,
                                     env={"CAVEATSPEC_KEY_HEX": verifying_key.hex()})
    assert answer == {"valid": verdict.valid, "codes": verdict.codes, "message": verdict.message}, out
    assert status == (0 if verdict.valid else 1)


@agreement
@given(key=keys, r=restrictions(valid_names, valid_ids), junk=untrimmed, use_junk=st.booleans(), now=times)
def test_inspect_agrees(key, r, junk, use_junk, now):
    token = junk if use_junk else mint_both(key, r)
    assume(token)
    status, answer, out, _ = cli.run(["inspect", "-", cli.flag("now", now), "--json"], stdin=token)
    try:
        report = caveatspec.inspect(token, now=now)
    except caveatspec.TokenError as e:
        assert status == 1 and answer["error"]["code"] == e.code, out
        return
    assert (status, answer) == (0, report), out


@st.composite
def proofs(draw):
    """A proof by a fresh key, and the request it is checked against (the same one or not)."""
    key = caveatspec.PrivateKey.generate(draw(st.sampled_from(["EdDSA", "ES256"])))
    method = draw(st.sampled_from(["GET", "POST", "get"]))
    url = draw(st.sampled_from(["https://upload.pypi.org/legacy/", "https://a.example/x?q=1",
                                "https://A.example:443/x", "http://a.example/x#f"]))
    iat = draw(times)
    token = draw(st.none() | st.sampled_from(["pypi-AgEI", "tok"]))
    nonce = draw(st.none() | st.sampled_from(["n1", "n2"]))
    proof = key.proof(method, url, access_token=token, nonce=nonce, now=iat)
    check = {
        "method": draw(st.sampled_from([method, "POST"])),
        "url": draw(st.sampled_from([url, "https://a.example/x", "not a url"])),
        "now": iat + draw(st.integers(-120, 400)),
        "access_token": draw(st.sampled_from([token, None, "tok"])),
        "jkt": draw(st.sampled_from([None, key.jkt, "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"])),
        "nonce": draw(st.sampled_from([nonce, None, "n2"])),
    }
    if draw(st.integers(0, 4)) == 0:  # a damaged proof
        cut = draw(st.integers(0, len(proof)))
        proof = proof[:cut] + draw(st.sampled_from(["", "x", ".", "A"])) + proof[cut + 1:]
    return proof, check


@agreement
@given(case=proofs())
def test_dpop_verify_agrees(case):
    proof, check = case
    assume(proof and not proof[0].isspace() and not proof[-1].isspace())
    flags = [cli.flag("method", check["method"]), cli.flag("url", check["url"]),
             cli.flag("now", check["now"]), "--json"]
    env = {}
    if check["access_token"] is not None:
        env["CAVEATSPEC_ACCESS_TOKEN"] = check["access_token"]
    for name in ("jkt", "nonce"):
        if check[name] is not None:
            flags.append(cli.flag(name, check[name]))
    status, answer, out, _ = cli.run(["dpop", "verify", "-", *flags], stdin=proof, env=env)
    try:
        p = caveatspec.verify_proof(proof, check["method"], check["url"], now=check["now"],
                                    access_token=check["access_token"], jkt=check["jkt"],
                                    nonce=check["nonce"])
    except caveatspec.DpopError as e:
        codes = [e.code] + ([e.detail] if e.detail else [])
        assert (status, answer["valid"], answer["codes"]) == (1, False, codes), out
        return
    assert status == 0, out
    assert (answer["jkt"], answer["jti"], answer["iat"], answer["alg"]) == (p.jkt, p.jti, p.iat, p.alg)


jwk_members = st.dictionaries(
    st.sampled_from(["kty", "crv", "x", "y", "d", "n", "e", "k", "alg", "kid"]),
    st.one_of(st.sampled_from(["EC", "OKP", "RSA", "oct", "P-256", "Ed25519", "AQAB",
                               "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"]),
              st.text(string.ascii_letters + string.digits + "-_", max_size=44),
              st.integers(), st.none()),
    max_size=5)


@agreement
@given(jwk=st.one_of(jwk_members, st.builds(lambda k: caveatspec.PrivateKey.generate(k).public_jwk,
                                             st.sampled_from(["EdDSA", "ES256"]))))
def test_jwk_thumbprint_agrees(jwk):
    import json
    status, answer, out, _ = cli.run(["jwk", "thumbprint", "-", "--json"], stdin=json.dumps(jwk))
    try:
        jkt = caveatspec.jwk_thumbprint(jwk)
    except caveatspec.JoseError as e:
        assert status == 1 and answer["error"]["code"] == e.code, out
        return
    assert (status, answer) == (0, {"jkt": jkt}), out


ATR_KEY = "a408bec03d2e80d31a366635fcdc581caf443075de245cd78f0f9ef463570f87"
ISS_AUD = "https://atr.example.org/"
claim_values = st.one_of(st.integers(-2**40, 2**40), st.text(max_size=8), st.floats(allow_nan=False),
                         st.booleans(), st.none())


def b64url(data):
    import base64
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@st.composite
def atr_authorizations(draw):
    """An `Authorization` value with an HS256-style JWT whose header, claims, key and scheme are
    each right or wrong, and the clock to check it at."""
    import hashlib
    import hmac
    import json
    now = draw(st.integers(1_700_000_000, 1_800_000_000))
    claims = {"sub": draw(st.sampled_from(["alice", 7, ""])), "iss": ISS_AUD, "aud": ISS_AUD,
              "iat": now - draw(st.integers(-200, 200)), "nbf": now - draw(st.integers(-200, 200)),
              "exp": now + draw(st.integers(-200, 2000)), "jti": draw(st.sampled_from(["j1", 5]))}
    for name in draw(st.lists(st.sampled_from(sorted(claims)), max_size=2, unique=True)):
        if draw(st.booleans()):
            del claims[name]
        else:
            claims[name] = draw(claim_values)
    header = {"alg": draw(st.sampled_from(["HS256", "HS256", "none", "HS512"])), "typ": "JWT"}
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    key = draw(st.sampled_from([ATR_KEY, ATR_KEY[:-1] + "0"]))
    signature = hmac.new(key.encode(), signing_input.encode(), hashlib.sha256).digest()
    token = signing_input + "." + b64url(signature)
    scheme = draw(st.sampled_from(["Bearer ", "bearer ", "DPoP ", "Bearer  ", "Basic "]))
    return scheme + token, now


@agreement
@given(case=atr_authorizations())
def test_atr_verify_agrees(case):
    authorization, now = case
    status, answer, out, _ = cli.run(["atr", "verify", "-", cli.flag("iss-aud", ISS_AUD),
                                      cli.flag("now", now), "--json"], stdin=authorization,
                                     env={"CAVEATSPEC_ATR_KEY": ATR_KEY})
    try:
        identity = caveatspec.verify_atr(authorization, ATR_KEY, ISS_AUD, now=now)
    except caveatspec.AtrError as e:
        assert (status, answer["valid"], answer["codes"]) == (1, False, list(e.codes)), out
        return
    assert status == 0, out
    assert (answer["sub"], answer["jti"], answer["claims"]) == (identity.sub, identity.jti, identity.claims)


def hs256(claims, key=ATR_KEY):
    import hashlib
    import hmac
    import json
    signing_input = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + \
        b64url(json.dumps(claims).encode())
    return signing_input + "." + b64url(hmac.new(key.encode(), signing_input.encode(),
                                                 hashlib.sha256).digest())


def mostly(right, *wrong):
    """`right` three times in four, else one of `wrong`: enough requests get through."""
    return st.sampled_from([right] * (3 * len(wrong)) + list(wrong))


@st.composite
def bound_requests(draw):
    """A token bound to a key (or not), a proof by that key or another for this request or
    another, and the request it is checked as."""
    key = caveatspec.PrivateKey.generate(draw(st.sampled_from(["EdDSA", "ES256"])))
    signer = draw(mostly(key, caveatspec.PrivateKey.generate()))
    now = draw(st.integers(1_700_000_000, 1_800_000_000))
    bound = draw(st.booleans())
    if draw(st.booleans()):
        claims = {"sub": "alice", "iss": ISS_AUD, "aud": ISS_AUD, "iat": now, "nbf": now,
                  "exp": now + 1800, "jti": "j"}
        if bound:
            claims["cnf"] = draw(mostly({"jkt": key.jkt}, {"jkt": key.jkt[:-1]}, {"x": 1}))
        token, kind = hs256(claims), "atr"
    else:
        window = {} if bound else {"not_before": now - 10, "not_after": now + 1000}
        token = caveatspec.mint(bytes(32), IDENTIFIER, bind_jkt=key.jkt if bound else None,
                                **window).token
        kind = "pypi"
    url, method = "https://upload.example/legacy/", "POST"
    nonce = draw(st.sampled_from([None, "n1"]))
    proof = signer.proof(draw(mostly(method, "GET")), draw(mostly(url, "https://other.example/")),
                         access_token=draw(mostly(token, token + "x", None)),
                         nonce=draw(mostly(nonce, "n2")), now=now - draw(st.integers(-100, 400)))
    return {"kind": kind, "token": token, "proof": proof, "now": now, "method": method, "url": url,
            "nonce": nonce, "scheme": draw(mostly("DPoP", "Bearer") if bound else mostly("Bearer", "DPoP")),
            "with_proof": draw(mostly(bound, not bound))}


@agreement
@given(case=bound_requests())
def test_bound_requests_agree(case):
    request = [cli.flag("method", case["method"]), cli.flag("url", case["url"])]
    nonce = [cli.flag("nonce", case["nonce"])] if case["nonce"] is not None else []
    keyword = {"method": case["method"], "url": case["url"], "now": case["now"],
               "nonce": case["nonce"], "replay": caveatspec.ReplayCache()}
    if case["kind"] == "atr":
        # `atr verify` takes the whole header value, and the proof when there is one.
        authorization = f"{case['scheme']} {case['token']}"
        flags = [cli.flag("iss-aud", ISS_AUD), cli.flag("now", case["now"]),
                 "--profile=atr-jwt-dpop", *request, "--json"]
        if case["with_proof"]:  # the command takes a nonce only with a proof
            flags += [cli.flag("dpop", case["proof"]), *nonce]
        else:
            keyword["nonce"] = None
        status, answer, out, _ = cli.run(["atr", "verify", "-", *flags], stdin=authorization,
                                         env={"CAVEATSPEC_ATR_KEY": ATR_KEY})
        call = lambda: caveatspec.verify_atr_request(  # noqa: E731
            authorization, dpop=case["proof"] if case["with_proof"] else None, key=ATR_KEY,
            iss_aud=ISS_AUD, **keyword).jkt
    else:
        # `verify --dpop` presents the token as `DPoP <token>` with that one proof.
        flags = [cli.flag("now", case["now"]), "--profile=strict", cli.flag("dpop", case["proof"]),
                 *request, *nonce, "--json"]
        status, answer, out, _ = cli.run(["verify", "-", *flags], stdin=case["token"],
                                         env={"CAVEATSPEC_KEY_HEX": bytes(32).hex()})
        call = lambda: caveatspec.verify_presented(  # noqa: E731
            "DPoP " + case["token"], dpop=case["proof"], key=bytes(32), identifier=IDENTIFIER,
            **keyword)
    try:
        jkt = call()
    except caveatspec.RequestError as e:
        event(f"{case['kind']}: {e.code}")
        assert (status, answer["valid"], answer["codes"]) == (1, False, list(e.codes)), out
        return
    event(f"{case['kind']}: accepted, {'bound' if jkt else 'unbound'}")
    assert (status, answer["valid"], answer.get("jkt")) == (0, True, jkt), out
