"""The example app and client over HTTP (Starlette's test client, on httpx): the bound flow,
the nonce challenges, and every refusal path, each with its status and code."""

import time

import caveatspec
import pytest
from starlette.testclient import TestClient

from app import create_app, mint_jwt
from client import Client

JWT_KEY = "a408bec03d2e80d31a366635fcdc581caf443075de245cd78f0f9ef463570f87"
ISS_AUD = "https://testserver/"
USERS = {"alice": "pat-of-alice"}
UPLOAD = "http://testserver/api/upload"
JWT = "http://testserver/api/jwt"


class Clock:
    """The server's clock: the real time, moved by `offset` seconds."""

    def __init__(self):
        self.offset = 0

    def __call__(self):
        return time.time() + self.offset


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def http(clock):
    app = create_app(jwt_key=JWT_KEY, nonce_key=b"n" * 32, users=USERS, iss_aud=ISS_AUD, clock=clock)
    with TestClient(app) as http:
        yield http


@pytest.fixture
def client(http):
    c = Client(http)
    c.login("alice", USERS["alice"])
    return c


def refused(response, status, error, description=None):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == error, body
    if description is not None:
        assert body["error_description"] == description, body
    return response


def upload(http, authorization, proof=None):
    headers = [("Authorization", a) for a in ([authorization] if isinstance(authorization, str)
                                              else authorization)]
    if proof is not None:
        headers.append(("DPoP", proof))
    return http.post("/api/upload", headers=headers)


def test_bound_flow(client):
    response = client.upload()
    assert response.status_code == 200, response.text
    assert response.json() == {"uploaded_by": "alice", "bound_to": client.key.jkt}
    assert client.upload().status_code == 200  # a fresh proof per request


def test_token_request_is_challenged_for_a_nonce(http):
    key = caveatspec.PrivateKey.generate()
    response = refused(http.post("/api/jwt", json={"asfuid": "alice", "pat": USERS["alice"]},
                                 headers={"DPoP": key.proof("POST", JWT)}), 400, "use_dpop_nonce")
    nonce = response.headers["DPoP-Nonce"]
    again = http.post("/api/jwt", json={"asfuid": "alice", "pat": USERS["alice"]},
                      headers={"DPoP": key.proof("POST", JWT, nonce=nonce)})
    assert again.status_code == 200 and again.json()["token_type"] == "DPoP"


def test_token_request_refusals(http):
    key = caveatspec.PrivateKey.generate()
    nonce = refused(http.post("/api/jwt", headers={"DPoP": key.proof("POST", JWT)}), 400,
                    "use_dpop_nonce").headers["DPoP-Nonce"]
    body = {"asfuid": "alice", "pat": USERS["alice"]}
    refused(http.post("/api/jwt", json=body), 400, "invalid_dpop_proof")
    two = [("DPoP", key.proof("POST", JWT, nonce=nonce)), ("DPoP", key.proof("POST", JWT, nonce=nonce))]
    refused(http.post("/api/jwt", json=body, headers=two), 400, "invalid_dpop_proof")
    refused(http.post("/api/jwt", json=body, headers={"DPoP": key.proof("POST", UPLOAD, nonce=nonce)}),
            400, "invalid_dpop_proof", "dpop.htu")
    refused(http.post("/api/jwt", json=body, headers={"DPoP": key.proof("GET", JWT, nonce=nonce)}),
            400, "invalid_dpop_proof", "dpop.htm")
    refused(http.post("/api/jwt", json={"asfuid": "alice", "pat": "guess"},
                      headers={"DPoP": key.proof("POST", JWT, nonce=nonce)}), 401, "invalid_grant")
    refused(http.post("/api/jwt", content=b"not json",
                      headers={"DPoP": key.proof("POST", JWT, nonce=nonce)}), 400, "invalid_request")
    proof = key.proof("POST", JWT, nonce=nonce)
    assert http.post("/api/jwt", json=body, headers={"DPoP": proof}).status_code == 200
    refused(http.post("/api/jwt", json=body, headers={"DPoP": proof}), 400, "invalid_dpop_proof",
            "dpop.replay")


def test_upload_without_a_nonce_is_challenged(client, http):
    response = refused(upload(http, f"DPoP {client.token}",
                              client.key.proof("POST", UPLOAD, access_token=client.token)),
                       401, "use_dpop_nonce")
    assert 'error="use_dpop_nonce"' in response.headers["WWW-Authenticate"]
    assert response.headers["DPoP-Nonce"] == client.nonce


def test_an_expired_nonce_is_challenged_again(client, http, clock):
    clock.offset = 900  # past two nonce windows, within the JWT's lifetime
    proof = client.key.proof("POST", UPLOAD, access_token=client.token, nonce=client.nonce,
                             now=int(clock()))
    fresh = refused(upload(http, f"DPoP {client.token}", proof), 401,
                    "use_dpop_nonce").headers["DPoP-Nonce"]
    assert fresh != client.nonce


def test_replayed_proof_is_refused(client, http):
    proof = client.key.proof("POST", UPLOAD, access_token=client.token, nonce=client.nonce)
    assert upload(http, f"DPoP {client.token}", proof).status_code == 200
    refused(upload(http, f"DPoP {client.token}", proof), 401, "invalid_token", "dpop.replay")


def test_downgrade_to_bearer_is_refused(client, http):
    response = refused(upload(http, f"Bearer {client.token}"), 401, "invalid_token", "bound.downgrade")
    assert response.headers["WWW-Authenticate"] == 'DPoP error="invalid_token"'


def test_unbound_bearer_jwt_is_still_accepted(http):
    token = mint_jwt(JWT_KEY.encode(), ISS_AUD, "bob", int(time.time()))
    response = upload(http, f"Bearer {token}")
    assert response.status_code == 200 and response.json() == {"uploaded_by": "bob", "bound_to": None}


def test_unbound_jwt_refusals(http, client):
    token = mint_jwt(JWT_KEY.encode(), ISS_AUD, "bob", int(time.time()))
    proof = client.key.proof("POST", UPLOAD, access_token=token, nonce=client.nonce)
    refused(upload(http, f"DPoP {token}", proof), 401, "invalid_token", "bound.not_bound")
    refused(upload(http, f"Bearer {token}", proof), 401, "invalid_token", "bound.unexpected_proof")


def test_proof_refusals(client, http):
    token, nonce, key = client.token, client.nonce, client.key
    other = caveatspec.PrivateKey.generate()
    cases = [
        (other.proof("POST", UPLOAD, access_token=token, nonce=nonce), "dpop.jkt"),
        (key.proof("POST", UPLOAD, nonce=nonce), "dpop.missing_claim"),
        (key.proof("POST", UPLOAD, access_token=token + "x", nonce=nonce), "dpop.ath"),
        (key.proof("GET", UPLOAD, access_token=token, nonce=nonce), "dpop.htm"),
        (key.proof("POST", JWT, access_token=token, nonce=nonce), "dpop.htu"),
        (key.proof("POST", UPLOAD, access_token=token, nonce=nonce, now=int(time.time()) - 600),
         "dpop.iat_too_old"),
        ("not.a.proof", "dpop.malformed"),
    ]
    for proof, code in cases:
        refused(upload(http, f"DPoP {token}", proof), 401, "invalid_token", code)
    refused(upload(http, f"DPoP {token}"), 401, "invalid_token", "bound.proof_missing")


def test_token_refusals(client, http, clock):
    proof = lambda token: client.key.proof("POST", UPLOAD, access_token=token, nonce=client.nonce)  # noqa: E731
    tampered = client.token[:-2] + ("AA" if not client.token.endswith("AA") else "BB")
    response = refused(upload(http, f"DPoP {tampered}", proof(tampered)), 401, "invalid_token",
                       "atr.signature")
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    other_key = mint_jwt(b"0" * 64, ISS_AUD, "alice", int(time.time()), jkt=client.key.jkt)
    refused(upload(http, f"DPoP {other_key}", proof(other_key)), 401, "invalid_token", "atr.signature")
    refused(upload(http, "Basic YWxpY2U6cGF0"), 401, "invalid_token", "bound.scheme")
    refused(upload(http, [f"DPoP {client.token}", f"DPoP {client.token}"], proof(client.token)),
            401, "invalid_token", "bound.authorization")
    refused(http.post("/api/upload"), 401, "invalid_token", "bound.authorization")
    clock.offset = 3600
    late = client.key.proof("POST", UPLOAD, access_token=client.token, now=int(clock()),
                            nonce=client.nonce)
    refused(upload(http, f"DPoP {client.token}", late), 401, "invalid_token", "atr.expired")
