"""Each vector's basis: what decides its expected outcome (SPEC §7.2, §7.5).

A basis is one of
    {"source": "rfc", "ref": ...}      an RFC's requirement forces the outcome (section cited);
    {"source": "pypi", "ref": ...}     PyPI's Warehouse code, run by pypi_gen, decides it;
    {"source": "atr", "ref": ...}      PyJWT called as Apache Trusted Releases calls it decides it;
    {"source": "policy", "reason": ...} this specification decides it, for the reason given,
        with "open": ... when the RFCs leave the outcome open, so that an implementation
        answering the other way still follows them.
Profiled kinds (decode, caveat, verify) get {"warehouse": B, "strict": B}; others one B.

The outcome judged is the verdict (accepted or refused). Which code a refusal carries is always
this specification's naming (§6), whatever the basis. Bases assume a verifier that supports
ES256 and EdDSA, the two algorithms the vectors sign proofs with.

`with_basis(vector)` returns the vector with `basis` placed right after `expected` (the file
writer, vectorfile.py, calls it on every vector); it raises `Unclassified` on a vector no rule
covers, so no new vector can go without one. Rules go by file, family (the id's second segment)
and outcome; a few cases are listed by slug. A slug's algorithm suffix (`-es256`, `-eddsa`) is ignored when looking a case up, so twins of a case
share its basis.
"""

from __future__ import annotations

import re


class Unclassified(Exception):
    pass


def rfc(ref):
    return {"source": "rfc", "ref": ref}


def pypi(ref):
    return {"source": "pypi", "ref": ref}


def atr(ref):
    return {"source": "atr", "ref": ref}


def policy(reason, open_=None):
    b = {"source": "policy", "reason": reason}
    if open_ is not None:
        b["open"] = open_
    return b


# -- the warehouse and strict profiles (pypi_gen) --------------------------------------------------

WAREHOUSE = {
    "token": "warehouse/macaroons/services.py: the pypi- prefix split, then pymacaroons 0.13.0 Macaroon.deserialize (Python's base64 decoder)",
    "macaroon": "pymacaroons 0.13.0 Macaroon.deserialize, as warehouse/macaroons/services.py calls it",
    "caveat": "warehouse/macaroons/caveats/_core.py deserialize with the caveat classes of warehouse/macaroons/caveats/__init__.py",
    "caveat/legacy": "warehouse/macaroons/caveats/_legacy.py, reached from warehouse/macaroons/caveats/_core.py deserialize",
    "verify": "warehouse/macaroons/services.py verify with pymacaroons' Verifier and each caveat's verify (warehouse/macaroons/caveats/)",
    "stored": "warehouse/macaroons/services.py verify: the row's stored caveats appended after the token's own",
    "restrict-verify": "warehouse/macaroons/services.py verify with each caveat's verify (warehouse/macaroons/caveats/)",
}

STRICT = {
    "token": "The strict token text (SPEC §2.1, §2.3): canonical unpadded base64url, one spelling per token, bounded length.",
    "macaroon": "The strict macaroon rules (SPEC §3.7): V2 only, first-party caveats, fields and sizes as PyPI writes them.",
    "caveat": "The strict caveat grammar (SPEC §4.5): bounded RFC 8259 JSON, no repeated keys, exact shapes and types.",
    "caveat/legacy": "The strict legacy forms (SPEC §4.5.1): each mapping form PyPI issued, with exactly its members.",
    "caveat/key-binding": "The key-binding caveat [5, jkt] (SPEC §10.7): a canonical RFC 7638 thumbprint, strict profile only.",
    "verify": "The strict procedure (SPEC §5.4): strict decoding and grammar, then every caveat checked and reported.",
    "verify/key-binding": "The strict procedure with key binding (SPEC §5.4, §10.7): a bound token needs the proof key it names.",
    "stored": "The strict procedure (SPEC §5.4) over the token's caveats and the row's stored caveats.",
    "restrict-verify": "The strict procedure (SPEC §5.4) on a token this specification's attenuation wrote (§8).",
}


def _family_lookup(table, vid):
    parts = vid.split("/")
    for key in ("/".join(parts[:2]), parts[0]):
        if key in table:
            return table[key]
    raise Unclassified(f"{vid}: no warehouse/strict family rule")


def profiled(v):
    vid = v["id"]
    return {"warehouse": pypi(_family_lookup(WAREHOUSE, vid)), "strict": policy(_family_lookup(STRICT, vid))}


def mint_restrict(v):
    """mint and restrict: the caveats are written by PyPI's caveat classes and the chain by
    pymacaroons, except the key binding (this specification's own caveat); refusals are this
    specification's checks of the restrictions (§8)."""
    e = v["expected"]
    restrictions = v["input"].get("restrictions", {})
    if not e["valid"]:
        if e["codes"][0].startswith("restrict."):
            return policy("The restrictions are checked before anything is written (SPEC §8, §6.6).")
        return policy("An input token that does not decode cannot be attenuated (SPEC §8, §3).")
    if "bind_jkt" in restrictions:
        return policy(
            "The key-binding caveat [5, jkt] is this specification's (SPEC §8, §10.7); PyPI has no such caveat."
        )
    return pypi(
        "caveats serialized by warehouse/macaroons/caveats/_core.py serialize from PyPI's caveat classes; "
        "HMAC chain by pymacaroons 0.13.0 add_first_party_caveat"
    )


# -- dpop proofs and JWK thumbprints (dpop_gen) ----------------------------------------------------

WINDOW_OPEN = (
    "RFC 9449 §4.3 check 11 and §11.1 require an acceptable window for iat but leave its size "
    "to the server; another window answers otherwise here."
)
WINDOW = "The iat window is [now − 300, now + 60], bounds included (SPEC §10.3 check 11)."
FUTURE_OPEN = (
    "RFC 9449 §11.1 bounds how long after its creation a proof is accepted; how far ahead of "
    "the clock its iat may be is left to the server (§11.2 only explains the risk)."
)
REPLAY = "jti reuse within iat + 300 s is refused, per key (SPEC §10.4)."
REPLAY_OPEN = (
    "RFC 9449 §11.1 says a server can store jti values to decline reuse; it does not require it, "
    "nor fix the key of the cache or how long an entry lives."
)
HTU_NORM = "htu is compared after RFC 3986 syntax- and scheme-based normalisation (SPEC §10.3 check 10)."
HTU_NORM_OPEN = (
    "RFC 9449 §4.3 says servers SHOULD normalise (RFC 3986 §6.2.2, §6.2.3) before comparing htu; "
    "a server comparing the strings as sent refuses here and still follows it."
)
SIZE = "Bounded input: jti of 1 to 256 bytes, proofs of at most 8,192 bytes (SPEC §10.1, §10.3 check 7)."
SIZE_OPEN = (
    "RFC 9449 §4.2 and RFC 7519 §4.1.7 set no length limits on jti or on a proof; other limits answer otherwise."
)
DUP = "A JSON object naming a member twice is refused at any depth (SPEC §10.1)."
DUP_OPEN = (
    "RFC 7515 §4, RFC 7519 §4 and RFC 7517 §4 let a parser either refuse duplicate member names or "
    "keep the lexically last; keeping the last accepts here."
)
NUMDATE = "iat is a JSON integer of at most 64 bits: no fraction, exponent or numeric string (SPEC §10.3 check 7)."
NUMDATE_OPEN = "RFC 7519 §2 lets a NumericDate be any JSON number, fractions included."

# (area, slug) -> basis, for dpop_proof vectors. An area's entry "*" covers the rest of it by
# outcome: a (refused, accepted) pair.
DPOP = {
    "rfc": {
        "*": (
            None,
            rfc(
                "RFC 9449 §4.3: the RFC's example proof meets every check at its own clock; "
                "RFC 7518 §3.4 ES256 validation is ECDSA's, which accepts s above n/2 as well as below"
            ),
        ),
        "figure-2-now-plus-300": policy(WINDOW, WINDOW_OPEN),
        "figure-2-now-plus-301": policy(WINDOW, WINDOW_OPEN),
        "figure-2-now-minus-60": policy(WINDOW, FUTURE_OPEN),
        "figure-2-now-minus-61": policy(WINDOW, FUTURE_OPEN),
        "figure-13-now-plus-300": policy(WINDOW, WINDOW_OPEN),
        "figure-13-now-plus-301": policy(WINDOW, WINDOW_OPEN),
        "figure-13-now-minus-60": policy(WINDOW, FUTURE_OPEN),
        "figure-13-now-minus-61": policy(WINDOW, FUTURE_OPEN),
    },
    "derived": {
        "method-get": rfc("RFC 9449 §4.3 check 8: htm matches the request method"),
        "method-lowercase": rfc("RFC 9449 §4.3 check 8; RFC 9110 §9.1: the method token is case-sensitive"),
        "figure-13-method-post": rfc("RFC 9449 §4.3 check 8: htm matches the request method"),
        "path-other": rfc("RFC 9449 §4.3 check 9: htu matches the target URI (not equivalent under RFC 3986 §6.2)"),
        "path-trailing-slash": rfc(
            "RFC 9449 §4.3 check 9: htu matches the target URI (not equivalent under RFC 3986 §6.2)"
        ),
        "path-case": rfc("RFC 9449 §4.3 check 9; RFC 3986 §6.2.2.1: the path is case-sensitive"),
        "scheme-http": rfc("RFC 9449 §4.3 check 9: htu matches the target URI (scheme differs)"),
        "host-other": rfc("RFC 9449 §4.3 check 9: htu matches the target URI (host differs)"),
        "port-other": rfc("RFC 9449 §4.3 check 9: htu matches the target URI (port differs)"),
        "url-query-fragment": rfc("RFC 9449 §4.3 check 9: the comparison ignores query and fragment"),
        "url-uppercase-default-port": policy(HTU_NORM, HTU_NORM_OPEN),
        "request-url-ftp": rfc("RFC 9449 §4.3 check 9: an https htu does not match an ftp target URI"),
        "figure-13-token-altered": rfc("RFC 9449 §4.3 check 12: ath equals the hash of the access token"),
        "figure-13-no-access-token": rfc(
            "RFC 9449 §4.3: check 12 applies only with an access token; the proof meets the others"
        ),
        "figure-2-at-resource": rfc("RFC 9449 §4.2: with an access token the proof MUST contain ath; §4.3 check 3"),
        "figure-13-other-jkt": rfc("RFC 9449 §4.3 check 12: the token's key matches the proof's"),
        "figure-2-jkt": rfc(
            "RFC 9449 §4.3 check 12; RFC 7638 §3: the thumbprint of the proof's key is the expected one"
        ),
        "figure-2-jkt-padded": policy(
            "The expected jkt is compared as the canonical unpadded string (SPEC §10.1, §10.3 check 13).",
            "RFC 9449 §4.3 check 12 compares keys; a server decoding the padded jkt leniently finds the same key.",
        ),
        "figure-2-nonce-required": rfc("RFC 9449 §4.3 check 10: the server provided a nonce and the proof has none"),
        "signature-trailing-bits": policy(
            "Canonical base64url only: the unused low bits of the last character are zero (SPEC §10.1).",
            'RFC 4648 §3.5 lets a decoder accept non-zero pad bits ("MAY choose to reject").',
        ),
        "*": (
            rfc(
                "RFC 7515 §5.2 and §7.1: not a JWS Compact Serialization whose signature validates (RFC 7518 §3.4: a 64-octet R || S)"
            ),
            None,
        ),
    },
    "alg": {
        "eddsa-valid": rfc("RFC 9449 §4.3; RFC 8037 §3.1: a valid EdDSA proof"),
        "es256-valid": rfc("RFC 9449 §4.3; RFC 7518 §3.4: a valid ES256 proof"),
        "es256-valid-twin": rfc("RFC 7518 §3.4: ES256 validation is ECDSA's, which accepts both (r, s) and (r, n − s)"),
        "ed25519-name": policy(
            "alg Ed25519 (RFC 9864's name for EdDSA over Ed25519) is supported (SPEC §10.3 check 3).",
            "RFC 9449 §4.3 check 5 leaves the supported algorithms to the application.",
        ),
        "none": rfc("RFC 9449 §4.2: alg MUST NOT be none"),
        "none-uppercase": rfc(
            "RFC 9449 §4.3 check 5: a registered asymmetric algorithm; RFC 7515 §4.1.1: alg is case-sensitive"
        ),
        "hs256": rfc("RFC 9449 §4.2: alg MUST NOT be a MAC algorithm"),
        "rs256": rfc("RFC 7515 §5.2 step 8: an RS256 signature cannot validate with the Ed25519 key in jwk"),
        "es384": rfc("RFC 7518 §3.4: ES384 needs a P-384 key; the jwk is Ed25519"),
        "lowercase": rfc(
            "RFC 7515 §4.1.1: alg is case-sensitive; a lower-case name is not registered (RFC 9449 §4.3 check 5)"
        ),
        "signature-65-bytes": rfc("RFC 7518 §3.4 and RFC 8032 §5.1.7: the signature is 64 octets"),
        "eddsa-lowercase": rfc(
            "RFC 7515 §4.1.1: alg is case-sensitive; eddsa is not registered (RFC 9449 §4.3 check 5)"
        ),
        "unknown": rfc("RFC 9449 §4.3 check 5: not a registered algorithm"),
        "number": rfc("RFC 7515 §4.1.1: alg is a string"),
        "missing": rfc("RFC 7515 §4.1.1: alg MUST be present"),
        "es256-with-ed25519-key": rfc("RFC 7518 §3.4: ES256 needs a P-256 key"),
        "eddsa-with-p256-key": rfc("RFC 8037 §3.1: EdDSA needs an OKP key"),
        "eddsa-s-plus-l": rfc("RFC 8037 §3.1; RFC 8032 §5.1.7: S ≥ L is rejected"),
        "eddsa-signature-65-bytes": rfc("RFC 8032 §5.1.7: an Ed25519 signature is 64 octets"),
        "es256-s-zero": rfc("RFC 7518 §3.4: ECDSA validation (FIPS 186) needs 1 ≤ s < n"),
        "es256-s-equals-n": rfc("RFC 7518 §3.4: ECDSA validation (FIPS 186) needs 1 ≤ s < n"),
        "es256-der-signature": rfc("RFC 7518 §3.4: the JWS Signature MUST be the 64-octet R || S"),
    },
    "typ": {
        "uppercase": policy(
            "typ is exactly dpop+jwt, case-sensitive (SPEC §10.3 check 2).",
            "RFC 7515 §4.1.9: typ names a media type, and media type names are case-insensitive.",
        ),
        "media-type": policy(
            "typ is exactly dpop+jwt, without application/ (SPEC §10.3 check 2).",
            "RFC 7515 §4.1.9: a recipient MUST treat a typ without / as if application/ were prepended, "
            "so application/dpop+jwt names the same type.",
        ),
        "*": (rfc("RFC 9449 §4.2 and §4.3 check 4: typ is dpop+jwt"), None),
    },
    "crit": {
        "unknown-extension": rfc(
            "RFC 7515 §4.1.11: a recipient MUST reject a JWS naming a critical extension it does not understand"
        ),
        "not-a-list": rfc("RFC 7515 §4.1.11: crit is an array; its extension x-ext is not understood"),
        "empty": policy(
            "No crit header parameter is accepted: no extension is understood (SPEC §10.3 check 4).",
            "RFC 7515 §4.1.11 forbids producers an empty crit list but does not tell recipients to refuse one.",
        ),
        "registered": policy(
            "No crit header parameter is accepted: no extension is understood (SPEC §10.3 check 4).",
            "RFC 7515 §4.1.11: a recipient MAY refuse a crit list naming parameters the RFC defines.",
        ),
        "extra-header-parameter": rfc(
            "RFC 7515 §4: header parameters that are not understood MUST be ignored unless listed in crit"
        ),
    },
    "jwk": {
        "missing": rfc("RFC 9449 §4.2: the jwk header parameter is required; §4.3 check 6"),
        "private-d-okp": rfc("RFC 9449 §4.2: jwk MUST NOT contain a private key; §4.3 check 7"),
        "private-d-ec": rfc("RFC 9449 §4.2: jwk MUST NOT contain a private key; §4.3 check 7"),
        "symmetric": rfc(
            "RFC 9449 §4.2: jwk is the public key of an asymmetric algorithm; an oct key cannot validate EdDSA (RFC 8037 §3.1)"
        ),
        "rsa": rfc("RFC 8037 §3.1: an EdDSA signature cannot validate with an RSA key"),
        "off-curve": rfc(
            "RFC 7518 §6.2.1: x and y are the coordinates of a point on the curve; the signature cannot validate"
        ),
        "x-31-bytes": rfc("RFC 8037 §2: x is the 32-octet Ed25519 public key"),
        "coordinate-padded": rfc("RFC 7518 §6.2.1.2 and RFC 7515 §2: base64url without = padding"),
        "crv-p384": rfc("RFC 7518 §3.4: ES256 needs a P-256 key"),
        "crv-x25519": rfc("RFC 8037 §3.1: EdDSA needs an Ed25519 or Ed448 key; X25519 is for key agreement"),
        "crv-missing": rfc("RFC 7518 §6.2.1.1: crv MUST be present"),
        "kty-missing": rfc("RFC 7517 §4.1: kty MUST be present"),
        "not-an-object": rfc("RFC 7515 §4.1.3: jwk is a JWK, a JSON object"),
        "small-order": rfc(
            "RFC 8032 §5.1.7: the signature, made by another key, does not validate with the identity point"
        ),
        "extra-members": rfc("RFC 7517 §4: members that are not understood MUST be ignored"),
        "other-key": rfc("RFC 9449 §4.3 check 6: the signature validates with the key in jwk"),
        "member-order": rfc("RFC 8259 §4: member order carries no meaning; RFC 7638 §3.3"),
        "after-key-same-x": rfc(
            "RFC 9449 §4.3 check 6: the signature validates with the key in jwk, not with a key accepted before"
        ),
        "after-key-same-y": rfc(
            "RFC 9449 §4.3 check 6: the signature validates with the key in jwk, not with a key accepted before"
        ),
        "after-key-other-ed25519-key": rfc(
            "RFC 9449 §4.3 check 6: the signature validates with the key in jwk, not with a key accepted before"
        ),
        "after-key-other-p256-key": rfc("RFC 9449 §4.3: a fresh proof meeting every check"),
    },
    "claims": {
        "iat-string": rfc("RFC 7519 §2 and §4.1.6: iat is a NumericDate, a JSON number"),
        "iat-bool": rfc("RFC 7519 §2 and §4.1.6: iat is a NumericDate, a JSON number"),
        "iat-fraction": policy(NUMDATE, NUMDATE_OPEN),
        "iat-float-integral": policy(NUMDATE, NUMDATE_OPEN),
        "iat-exponent": policy(NUMDATE, NUMDATE_OPEN),
        "iat-too-big": policy(NUMDATE, NUMDATE_OPEN),
        "iat-2-63": policy(NUMDATE, NUMDATE_OPEN),
        "iat-i64-max": policy(WINDOW, FUTURE_OPEN),
        "iat-i64-min": rfc("RFC 9449 §11.1: a proof is accepted only for a limited time after its creation"),
        "extra-claims": policy(
            "Claims other than jti, htm, htu, iat, ath and nonce are ignored, exp included (SPEC §10.3).",
            "RFC 7519 §4.1.4: a processor that processes exp MUST refuse a JWT past it (here exp is 1); "
            "RFC 9449 does not say whether a proof's exp is processed.",
        ),
        "jti-number": rfc("RFC 7519 §4.1.7: jti is a string"),
        "*": (rfc("RFC 9449 §4.2 and §4.3 check 3: the required claims jti, htm, htu, iat, each of its type"), None),
    },
    "huge": {"*": (policy(SIZE, SIZE_OPEN), policy(SIZE, SIZE_OPEN))},
    "duplicate": {
        "claim-htm": rfc(
            "RFC 7519 §4: a parser refuses duplicate claims or keeps the last (htm GET), which fails RFC 9449 §4.3 check 8"
        ),
        "*": (policy(DUP, DUP_OPEN), None),
    },
    "encoding": {
        "payload-array": rfc("RFC 7519 §7.2 step 10: the claims set is a JSON object"),
        "payload-not-json": rfc("RFC 7519 §7.2 step 10: the claims set is a JSON object"),
        "header-not-json": rfc("RFC 7515 §5.2 step 3: the JOSE header is a JSON object"),
        "payload-nan": rfc("RFC 8259 §6: NaN is not a JSON value; RFC 7519 §7.2 step 10"),
        "payload-whitespace": rfc("RFC 8259 §2: insignificant whitespace is allowed"),
        "header-padded": rfc("RFC 7515 §2 and §7.1: base64url without = padding"),
        "leading-space": rfc("RFC 7515 §7.1 and §2: the compact serialization has no whitespace"),
    },
    "ath": {
        "without-token": rfc("RFC 9449 §4.3: check 12 applies only with an access token; the proof meets the others"),
        "*": (
            rfc("RFC 9449 §4.2 and §4.3 check 12: ath is base64url(SHA-256(the access token))"),
            rfc("RFC 9449 §4.2 and §4.3 check 12: ath is base64url(SHA-256(the access token))"),
        ),
    },
    "nonce": {
        "number": policy(
            "nonce is compared as a string, exactly (SPEC §10.3 check 12).",
            "RFC 9449 §4.3 check 10 says the claim matches the nonce, not whether the number 42 matches the text 42.",
        ),
        "unrequested": rfc("RFC 9449 §4.3: check 10 applies only when the server provided a nonce"),
        "*": (
            rfc("RFC 9449 §4.3 check 10 (and check 12 for ath and the bound key)"),
            rfc("RFC 9449 §4.3 checks 10 and 12"),
        ),
    },
    "jkt": {"*": (rfc("RFC 9449 §4.3 check 12"), rfc("RFC 9449 §4.3 check 12; RFC 7638 §3"))},
    "clock": {
        "zero": rfc("RFC 9449 §11.1: a proof is accepted only for a limited time after its creation"),
        "negative": rfc("RFC 9449 §11.1: a proof is accepted only for a limited time after its creation"),
        "oldest": policy(WINDOW, WINDOW_OPEN),
        "too-old": policy(WINDOW, WINDOW_OPEN),
        "hour-old": policy(WINDOW, WINDOW_OPEN),
        "newest": policy(WINDOW, FUTURE_OPEN),
        "future": policy(WINDOW, FUTURE_OPEN),
    },
    "htu": {
        "query-in-claim": policy(
            "The query and fragment are dropped from both URLs before comparing (SPEC §10.3 check 10).",
            "RFC 9449 §4.2 defines htu without query and fragment, so refusing a claim that has one also follows it.",
        ),
        "fragment-in-claim": policy(
            "The query and fragment are dropped from both URLs before comparing (SPEC §10.3 check 10).",
            "RFC 9449 §4.2 defines htu without query and fragment, so refusing a claim that has one also follows it.",
        ),
        "query-in-request": rfc("RFC 9449 §4.3 check 9: the comparison ignores the query"),
        "request-url-8192-bytes": rfc("RFC 9449 §4.3 check 9: the comparison ignores the query"),
        "request-url-8193-bytes": policy(
            "Bounded input: a request URL of at most 8,192 bytes (SPEC §10.3 check 10).",
            "RFC 9449 and RFC 3986 set no length limit on a URI; another limit answers otherwise.",
        ),
        "percent-host": policy(
            "A host with percent-encoding is refused (SPEC §10.3 check 10).",
            "RFC 3986 §6.2.2.2 percent-encoding normalisation turns api%2Eexample.com into the request's host.",
        ),
        "*": (
            rfc(
                "RFC 9449 §4.3 check 9: htu does not match the target URI, with or without RFC 3986 §6.2 normalisation"
            ),
            policy(HTU_NORM, HTU_NORM_OPEN),
        ),
    },
    "replay": {
        "other-jti": rfc("RFC 9449 §4.3: a fresh proof meeting every check"),
        "*": (policy(REPLAY, REPLAY_OPEN), policy(REPLAY, REPLAY_OPEN)),
    },
}

THUMB_OPEN = "RFC 7638 §3 hashes the required members' values; it does not require the key to be validated first."
THUMB_POLICY = "A thumbprint is given only for a valid public key of a supported type (SPEC §10.2)."
THUMB = {
    "private-okp": policy(
        "A private JWK has no thumbprint here: a verifier is never handed one (SPEC §10.2).",
        "RFC 7638 §3.2.1: a private key's thumbprint is its public key's.",
    ),
    "private-rsa": policy(
        "A private JWK has no thumbprint here: a verifier is never handed one (SPEC §10.2).",
        "RFC 7638 §3.2.1: a private key's thumbprint is its public key's.",
    ),
    "oct": policy(
        "A symmetric key has no thumbprint here: DPoP keys are asymmetric (SPEC §10.2).",
        "RFC 7638 §3.2 defines the thumbprint of an oct key (members k, kty).",
    ),
    "kty-missing": rfc("RFC 7517 §4.1: kty MUST be present; RFC 7638 §3.2 has no members to hash"),
    "kty-number": rfc("RFC 7517 §4.1: kty is a string; RFC 7638 §3.2 has no members to hash"),
    "kty-unknown": rfc("RFC 7638 §3.2: the required members exist only for a known kty"),
    "crv-missing": rfc("RFC 7638 §3.2: crv is a required member of an EC key"),
    "y-missing": rfc("RFC 7638 §3.2: y is a required member of an EC key"),
    "rsa-n-missing": rfc("RFC 7638 §3.2: n is a required member of an RSA key"),
}


def dpop(v):
    _, area, slug = v["id"].split("/", 2)
    slug = re.sub(r"-(es256|eddsa|ed25519|p256)$", "", slug) if slug not in ("eddsa-valid", "es256-valid") else slug
    if v["kind"] == "jwk_thumbprint":
        if slug in THUMB:
            return THUMB[slug]
        if v["expected"]["valid"]:
            return rfc(
                "RFC 7638 §3: SHA-256 over the required members in lexicographic order; other members do not count"
            )
        return policy(THUMB_POLICY, THUMB_OPEN)
    if area not in DPOP:
        raise Unclassified(f"{v['id']}: no rule for dpop area {area}")
    return _lookup(DPOP[area], v, slug)


def _lookup(rules, v, slug):
    """The slug's own rule, else the area's rule for the vector's outcome ("*": a pair
    (refused, accepted), either None where every case of that outcome is listed)."""
    if slug in rules:
        return rules[slug]
    refused, accepted = rules.get("*", (None, None))
    b = accepted if v["expected"]["valid"] else refused
    if b is None:
        raise Unclassified(f"{v['id']}: no rule")
    return b


# -- ATR's JWTs (atr_gen) --------------------------------------------------------------------------

ATR_CALL = (
    'jwt.decode(token, key, algorithms=["HS256"], audience=iss, issuer=iss, leeway=120, '
    'options={"require": [sub, iss, aud, iat, nbf, exp, jti]}) in PyJWT, as ATR calls it'
)


def atr_jwt(v):
    """PyJWT's answer, except where the vector's peers record that PyJWT answers otherwise
    (`{"pyjwt": {"accepts": …}}` or `{"pyjwt": {"valid": …}}`): the profile decided."""
    peer = v.get("peers", {}).get("pyjwt")
    pyjwt_accepts = peer.get("accepts", peer.get("valid")) if isinstance(peer, dict) else None
    if isinstance(pyjwt_accepts, bool) and pyjwt_accepts != v["expected"]["valid"]:
        return policy(
            "The atr-jwt profile decides this case otherwise than PyJWT (SPEC §10.6); PyJWT's answer is in peers."
        )
    if v["id"].split("/")[1] == "bearer":
        return atr("ATR's Authorization check: split on the first space, scheme bearer in any case, then " + ATR_CALL)
    return atr(ATR_CALL)


# -- requests with a token and its proof (atr_dpop, macaroon_dpop) ---------------------------------

FIELDS = "The request's Authorization and DPoP fields are read as SPEC §10.8 steps 1–3 say."
SEVERAL = "One credential per request: several Authorization fields are refused, not chosen from (SPEC §10.8 step 1)."
SEVERAL_OPEN = (
    "RFC 9110 §5.3 forbids senders to repeat a field that is not a list, and says nothing of how a "
    "recipient that finds one DPoP-scheme value among them answers."
)
CNF = 'cnf is exactly {"jkt": a canonical SHA-256 thumbprint} (SPEC §10.8).'
CNF_OPEN = (
    "RFC 7800 §3.1 and RFC 9449 §6.1 define cnf.jkt; they do not require refusing a cnf that also holds other members."
)
PROOF_RFC = rfc("RFC 9449 §4.3 (checks 8, 9, 4, 10) and check 12: ath over the presented token, the bound key")
UNBOUND_DPOP = policy(
    "An unbound token under the DPoP scheme, or with a DPoP field, is refused: a proof that binds nothing "
    "is a client error (SPEC §10.8, §10.9).",
    "RFC 9449 §7 describes DPoP-bound tokens; it does not say that a server refuses an unbound one sent with a proof.",
)

REQUEST = {
    "fields": {
        "no-authorization": rfc("RFC 9449 §7.1: the token is sent in the Authorization field; there is none"),
        "bearer-and-dpop": policy(SEVERAL, SEVERAL_OPEN),
        "two-authorization": policy(SEVERAL, SEVERAL_OPEN),
        "dpop-twice": policy(SEVERAL, SEVERAL_OPEN),
        "two-proofs": rfc("RFC 9449 §4.3 check 1: not more than one DPoP field"),
        "comma-joined-proofs": rfc("RFC 9449 §4.3 check 2: the DPoP field is a single well-formed JWT"),
        "empty-proof": rfc("RFC 9449 §4.3 check 2: the DPoP field is a single well-formed JWT"),
        "no-space": rfc("RFC 9110 §11.4: credentials are the scheme, then at least one space"),
        "token-only": rfc("RFC 9110 §11.4: credentials begin with an auth-scheme"),
        "tab": rfc("RFC 9110 §11.4: scheme and token are separated by spaces (1*SP), not a tab"),
        "empty": rfc("RFC 9449 §7.1: no token is presented"),
        "leading-space": policy(
            FIELDS,
            "RFC 9110 §5.5: leading whitespace is not part of a field value, so a server that trims it reads DPoP and accepts.",
        ),
        "two-spaces": policy(
            "The token is read as ATR reads it: everything after the first space (SPEC §10.8).",
            "RFC 9110 §11.4: credentials allow 1*SP after the scheme, so the token itself carries no leading space.",
        ),
    },
    "downgrade": {
        "bearer-no-proof": rfc("RFC 9449 §7.2: a DPoP-bound access token received as a bearer token MUST be rejected"),
        "bearer-with-proof": rfc(
            "RFC 9449 §7.2: a DPoP-bound access token received as a bearer token MUST be rejected"
        ),
        "bearer-lower-with-proof": rfc(
            "RFC 9449 §7.2: a DPoP-bound access token received as a bearer token MUST be rejected"
        ),
        "unbound-as-dpop": UNBOUND_DPOP,
        "unbound-bearer-with-proof": UNBOUND_DPOP,
        "unbound-as-dpop-no-proof": rfc("RFC 9449 §7.1: under the DPoP scheme a DPoP proof is required"),
        "dpop-no-proof": rfc("RFC 9449 §7.1: under the DPoP scheme a DPoP proof is required"),
        "bound-without-proof": rfc("RFC 9449 §7.1: under the DPoP scheme a DPoP proof is required"),
    },
    "cnf": {
        "jkt-and-x5t": policy(CNF, CNF_OPEN),
        "jkt-and-unknown": policy(CNF, CNF_OPEN),
        "jwk-instead": policy(
            CNF, "RFC 7800 §3.2 defines cnf.jwk as a confirmation method; a server honouring it accepts this proof."
        ),
        "empty-object": policy(
            CNF, "RFC 7800 §3.1 and RFC 9449 §6.1 do not say how a server treats a cnf with no method it knows."
        ),
        "jkt-dirty-bits": policy(
            CNF, "RFC 4648 §3.5 lets a decoder accept non-zero pad bits; decoded, the jkt names the proof's key."
        ),
        "duplicate-last-wins": policy(DUP, DUP_OPEN),
        "duplicate-first-key-proof": rfc(
            "RFC 7519 §4: a parser refuses duplicate claims or keeps the last, binding the "
            "Ed25519 key; the P-256 proof fails RFC 9449 §4.3 check 12"
        ),
        "*": (
            rfc(
                "RFC 7800 §3.1 and RFC 9449 §6.1: cnf is an object whose jkt is the base64url thumbprint; this one names "
                "no key the proof can match (RFC 9449 §4.3 check 12)"
            ),
            None,
        ),
    },
    "proof": {
        "iat-too-old": policy(WINDOW, WINDOW_OPEN),
        "too-old": policy(WINDOW, WINDOW_OPEN),
        "iat-ahead": policy(WINDOW, FUTURE_OPEN),
        "replayed": policy(REPLAY, REPLAY_OPEN),
        "fresh-after-earlier": rfc("RFC 9449 §4.3 and §7.1: a fresh proof for a bound token"),
        "*": (PROOF_RFC, None),
    },
}

ATR_BASELINE = {
    "bearer-unbound": atr(ATR_CALL + "; an unbound token under Bearer, as today"),
    "proof-at-window-start": policy(WINDOW, WINDOW_OPEN),
    "*": rfc(
        "RFC 9449 §7.1 and §4.3: a DPoP-bound token (accepted by " + ATR_CALL + ") with a valid proof; "
        "RFC 9110 §11.1: the scheme is case-insensitive"
    ),
}

BINDING = "A PyPI token is bound by the strict profile's caveat [5, jkt] (SPEC §10.7, §10.9); PyPI has no such binding."


def atr_dpop(v):
    _, area, slug = v["id"].split("/", 2)
    slug = re.sub(r"-(es256|eddsa|ed25519|p256)$", "", slug)
    if area == "token":
        return atr(ATR_CALL + "; the token is checked before the proof (SPEC §10.8)")
    if area == "baseline":
        return ATR_BASELINE.get(slug, ATR_BASELINE["*"])
    return _request(v, area, slug)


def macaroon_dpop(v):
    _, area, slug = v["id"].split("/", 2)
    slug = re.sub(r"-(es256|eddsa|ed25519|p256)$", "", slug)
    codes = [] if v["expected"]["valid"] else v["expected"]["codes"]
    if (
        area in ("baseline", "attenuation", "token")
        or "key-binding" in v["flags"]
        or any(c.startswith("key_binding.") for c in codes)
    ):
        if codes and codes[0].startswith("dpop."):
            return _request(v, "proof", slug)
        if area == "baseline" and slug == "bearer-unbound":
            return policy(
                "An unbound PyPI token under Bearer is verified as a strict-profile token (SPEC §10.9, §5.4)."
            )
        if area == "token" and not any(c.startswith("key_binding.") for c in codes):
            return policy(
                "The token's caveats and signature are verified in the strict profile (SPEC §5.4), "
                "once its proof is accepted (SPEC §10.9)."
            )
        return policy(BINDING)
    if area == "fields" and slug == "basic-scheme":
        return policy(
            "Only the Bearer and DPoP schemes carry a token in this profile (SPEC §10.9); PyPI's uploads use Basic today."
        )
    if area == "downgrade" and slug == "bound-as-bearer-with-proof":
        return policy(
            "A bound token is presented under the DPoP scheme only, a proof under Bearer is refused "
            "(SPEC §10.9, as RFC 9449 §7.2 requires of a cnf-bound token)."
        )
    return _request(v, area, slug)


def _request(v, area, slug):
    rules = REQUEST.get(area, {})
    if (
        slug not in rules
        and area == "fields"
        and not v["expected"]["valid"]
        and v["expected"]["codes"][0] == "bound.scheme"
    ):
        return rfc("RFC 9449 §7.1: a DPoP-bound token is sent under the DPoP scheme; this is neither DPoP nor Bearer")
    return _lookup(rules, v, slug)


# -- entry point -----------------------------------------------------------------------------------

PROFILED = {"decode", "caveat", "verify"}


def basis_of(v):
    kind = v["kind"]
    top = v["id"].split("/")[0]
    if kind in PROFILED:
        return profiled(v)
    if kind in ("mint", "restrict"):
        return mint_restrict(v)
    if kind in ("dpop_proof", "jwk_thumbprint"):
        return dpop(v)
    if kind == "atr_jwt":
        return atr_jwt(v)
    if kind == "atr_dpop_request":
        return atr_dpop(v)
    if kind == "macaroon_dpop_request":
        return macaroon_dpop(v)
    raise Unclassified(f"{v['id']}: no rule for kind {kind} ({top})")


def with_basis(v: dict) -> dict:
    """The vector with `basis` right after `expected` (an existing basis is recomputed)."""
    b = basis_of(v)
    out = {}
    for k, val in v.items():
        if k == "basis":
            continue
        out[k] = val
        if k == "expected":
            out["basis"] = b
    return out
