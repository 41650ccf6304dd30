"""An ATR-style API that moves from bearer JWTs to DPoP-bound ones, on caveatspec.

- `POST /api/jwt`: a client posts its user id and personal access token with a DPoP proof
  (no access token yet, so no `ath`); the server answers with an HS256 API JWT bound to the
  proof's key (`cnf.jkt`). Without a valid server nonce in the proof it answers 400
  `use_dpop_nonce` with a fresh `DPoP-Nonce` (RFC 9449 §8).
- `POST /api/upload`: accepts `Authorization: DPoP <jwt>` with a proof per request (`ath`
  over the JWT, the server's nonce, a fresh `jti`), refuses replays and a bound JWT sent as
  `Bearer` (a downgrade), and still accepts unbound bearer JWTs during the transition.
  Without a valid nonce it answers 401 with the `use_dpop_nonce` challenge (RFC 9449 §9).

One `ReplayCache` and one `NonceIssuer` per process; several processes share the nonce key
(nonces are stateless) but each has its own replay cache, so a deployment with several
instances routes a client to one of them or shares the cache (see SPEC's deployment chapter).
"""

import base64
import hashlib
import hmac
import json
import secrets
import time

import caveatspec
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

#: How long an API JWT lives, as ATR's do.
JWT_LIFETIME = 30 * 60


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def mint_jwt(key, iss_aud, sub, now, jkt=None):
    """An HS256 API JWT as ATR mints them (PyJWT's layout), bound to `jkt` when given."""
    claims = {"sub": sub, "iss": iss_aud, "aud": iss_aud, "iat": now, "nbf": now,
              "exp": now + JWT_LIFETIME, "jti": secrets.token_hex(16)}
    if jkt is not None:
        claims["cnf"] = {"jkt": jkt}
    signing_input = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + \
        b64url(json.dumps(claims).encode())
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64url(signature)


def create_app(*, jwt_key, nonce_key, users, iss_aud, clock=time.time):
    """The app. `users` maps a user id to its personal access token; `clock` is the time."""
    replay = caveatspec.ReplayCache()
    nonces = caveatspec.NonceIssuer(nonce_key)
    # ATR's key is the text of a hex string: its UTF-8 bytes are the HMAC key.
    key_bytes = jwt_key.encode()

    def now():
        return int(clock())

    def refusal(status, code, description, headers=()):
        return JSONResponse({"error": code, "error_description": description}, status_code=status,
                            headers=dict(headers))

    async def issue_jwt(request: Request):
        proofs = request.headers.getlist("dpop")
        if len(proofs) != 1:
            return refusal(400, "invalid_dpop_proof", "exactly one DPoP proof is required")
        t = now()
        try:
            proof = caveatspec.verify_proof(proofs[0], request.method, str(request.url), now=t,
                                            nonce=nonces, replay=replay)
        except caveatspec.DpopError as e:
            if e.code == "dpop.nonce":
                return refusal(400, "use_dpop_nonce", "a server nonce is required",
                               [("DPoP-Nonce", nonces.issue(t))])
            return refusal(400, "invalid_dpop_proof", e.code)
        try:
            body = await request.json()
            uid, pat = body["asfuid"], body["pat"]
        except (ValueError, KeyError, TypeError):
            return refusal(400, "invalid_request", "asfuid and pat are required")
        expected = users.get(uid) if isinstance(uid, str) else None
        if not isinstance(pat, str) or expected is None or not hmac.compare_digest(pat, expected):
            return refusal(401, "invalid_grant", "unknown user or token")
        token = mint_jwt(key_bytes, iss_aud, uid, t, jkt=proof.jkt)
        return JSONResponse({"access_token": token, "token_type": "DPoP"},
                            headers={"DPoP-Nonce": nonces.issue(t)})

    async def upload(request: Request):
        t = now()
        try:
            identity = caveatspec.verify_atr_request(
                request.headers.getlist("authorization"), dpop=request.headers.getlist("dpop"),
                method=request.method, url=str(request.url), key=key_bytes, iss_aud=iss_aud,
                replay=replay, now=t, nonce=nonces)
        except caveatspec.RequestError as e:
            if e.code == "dpop.nonce":
                return refusal(401, "use_dpop_nonce", "a server nonce is required",
                               nonces.challenge(t))
            scheme = "Bearer" if e.code.startswith("atr.") else "DPoP"
            return refusal(401, "invalid_token", e.code,
                           [("WWW-Authenticate", f'{scheme} error="invalid_token"')])
        return JSONResponse({"uploaded_by": identity.sub, "bound_to": identity.jkt},
                            headers={"DPoP-Nonce": nonces.issue(t)})

    return Starlette(routes=[Route("/api/jwt", issue_jwt, methods=["POST"]),
                             Route("/api/upload", upload, methods=["POST"])])
