"""Fixed material of the DPoP vectors: RFC 9449's example proofs, and the keys proofs are signed
with here and the default proof around them, shared by the dpop, atr-dpop and macaroon-dpop
generators: the RFC 8037 A.1 Ed25519 key and a P-256 key with a fixed private scalar, signed
with RFC 6979 deterministic ECDSA, so every run writes the same bytes. dpop_cases.py reads all
of it through this module (`d`)."""

import hashlib

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from caveatgen import dpop_check as check
from caveatgen.encoding import b64u_decode, b64u_encode
from caveatgen.encoding import text as text

# RFC 9449's example proofs: one header, three payloads, their signatures.
RFC_HEADER = "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19"
FIG2 = (
    RFC_HEADER
    + ".eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjYyNjE2fQ.2-GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg4PtFLbdLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg"
)
FIG7 = (
    RFC_HEADER
    + ".eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjY1Mjk2fQ.pAqut2IRDm_De6PR93SYmGBPXpwrAk90e8cP2hjiaG5QsGSuKDYW7_X620BxqhvYC8ynrrvZLTk41mSRroapUA"
)
FIG13 = (
    RFC_HEADER
    + ".eyJqdGkiOiJlMWozVl9iS2ljOC1MQUVCIiwiaHRtIjoiR0VUIiwiaHR1IjoiaHR0cHM6Ly9yZXNvdXJjZS5leGFtcGxlLm9yZy9wcm90ZWN0ZWRyZXNvdXJjZSIsImlhdCI6MTU2MjI2MjYxOCwiYXRoIjoiZlVIeU8ycjJaM0RaNTNFc05yV0JiMHhXWG9hTnk1OUlpS0NBcWtzbVFFbyJ9.2oW9RP35yRqzhrtNP86L-Ey71EOptxRimPPToA1plemAgR6pxHF8y6-yqyVnmcw6Fy1dqd-jfxSYoMxhAJpLjA"
)
FIG2_IAT, FIG7_IAT, FIG13_IAT = 1562262616, 1562265296, 1562262618
FIG2_URL = "https://server.example.com/token"
FIG13_URL = "https://resource.example.org/protectedresource"
FIG13_TOKEN = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"
RFC9449_JKT = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"
RFC7638_JKT = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
RFC9449_JWK = {
    "kty": "EC",
    "x": "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs",
    "y": "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA",
    "crv": "P-256",
}
RFC7517_RSA = {
    "kty": "RSA",
    "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
    "e": "AQAB",
    "alg": "RS256",
    "kid": "2011-04-29",
}

# RFC 8037 A.1.
ED_D = b64u_decode("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A")
ED_KEY = ed25519.Ed25519PrivateKey.from_private_bytes(ED_D)
ED_X = b64u_encode(ED_KEY.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
ED_JWK = {"kty": "OKP", "crv": "Ed25519", "x": ED_X}

# The fixed P-256 key: its scalar is SHA-256 of a label, below n.
P_SCALAR = int.from_bytes(hashlib.sha256(b"caveatspec dpop vectors P-256 key").digest(), "big") % check.P256_N
P_KEY = ec.derive_private_key(P_SCALAR, ec.SECP256R1())
_nums = P_KEY.public_key().public_numbers()
P_JWK = {
    "kty": "EC",
    "crv": "P-256",
    "x": b64u_encode(_nums.x.to_bytes(32, "big")),
    "y": b64u_encode(_nums.y.to_bytes(32, "big")),
}

NOW = 1767225600  # 2026-01-01T00:00:00Z
URL = "https://api.example.com/v1/upload"
TOKEN = "pypi-AgEIcHlwaS5vcmcCJDVmMGIzYTRlLThjMWQtNGUyZi05YTZiLTdjOGQ5ZTBmMWEyYgAABiA"


def sign(header_text: str, payload_text: str, key="ed") -> str:
    """A compact JWS over exactly these texts. `key` is "ed" or "p256"; the alg in the header is
    whatever the caller wrote."""
    si = f"{b64u_encode(header_text.encode())}.{b64u_encode(payload_text.encode())}"
    if key == "ed":
        sig = ED_KEY.sign(si.encode())
    else:
        der = P_KEY.sign(si.encode(), ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
        r, s = decode_dss_signature(der)
        sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return f"{si}.{b64u_encode(sig)}"


def twin(proof: str) -> str:
    """The (r, n − s) twin of an ES256 proof."""
    h, p, s = proof.split(".")
    raw = b64u_decode(s)
    r, sv = raw[:32], int.from_bytes(raw[32:], "big")
    return f"{h}.{p}.{b64u_encode(r + (check.P256_N - sv).to_bytes(32, 'big'))}"


def is_high_s(proof: str) -> bool:
    return int.from_bytes(b64u_decode(proof.split(".")[2])[32:], "big") > check.P256_N // 2


DROP = object()


def changed(base: dict, changes: dict) -> dict:
    """`base` with `changes` applied; a change to DROP removes the member."""
    out = dict(base)
    for k, v in changes.items():
        if v is DROP:
            out.pop(k, None)
        else:
            out[k] = v
    return out


def header_for(key="ed", **changes):
    return changed(
        {"typ": "dpop+jwt", "alg": "EdDSA" if key == "ed" else "ES256", "jwk": dict(ED_JWK if key == "ed" else P_JWK)},
        changes,
    )


def claims_for(jti_value, **changes):
    return changed({"jti": jti_value, "htm": "POST", "htu": URL, "iat": NOW}, changes)
