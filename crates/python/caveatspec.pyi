"""PyPI API tokens, DPoP proofs and Apache Trusted Releases JWTs, verified by the caveatspec
reference implementation (Rust, through PyO3).

Refused tokens are results (`Verdict`); every other refusal raises the layer's exception, a
`CaveatspecError` (itself a `ValueError`) carrying the specification's `code` and `codes`.
Wrong argument types raise `TypeError`. Times are `int` Unix seconds or aware `datetime`s;
`now=None` reads the clock. No message or repr contains a token, key or proof.
"""

from datetime import datetime
from typing import Any, Dict, List, Literal, Mapping, Optional, Sequence, Tuple, Union, final

__version__: str

__all__ = [
    "__version__", "CaveatspecError", "InputError", "TokenError", "CaveatError",
    "RestrictError", "JoseError", "DpopError", "AtrError", "RequestError", "verify", "mint",
    "restrict", "inspect", "decode", "parse_caveat", "Verdict", "Attenuated", "Macaroon",
    "ParsedCaveat", "verify_proof", "jwk_thumbprint", "Proof", "ReplayCache", "NonceIssuer",
    "PrivateKey", "verify_atr", "verify_atr_request", "verify_presented", "AtrIdentity",
]

_Time = Union[int, datetime]
_Profile = Literal["warehouse", "strict"]
_Bytes = Union[bytes, bytearray]

class CaveatspecError(ValueError):
    """Base of every refusal raised here."""

    code: str
    """The first specification code, e.g. ``dpop.htu``."""
    codes: Tuple[str, ...]
    """Every code, in order."""
    message: Optional[str]
    """PyPI's text (warehouse caveat and decode refusals), else None."""
    detail: Optional[str]
    """A finer code from a lower layer (a DPoP proof's JOSE reason, e.g. ``jose.base64``),
    else None."""

class InputError(CaveatspecError):
    """An argument of the right type with a value no layer can take (``input.*``)."""

class TokenError(CaveatspecError):
    """The token's text or macaroon does not decode (``token.*``, ``macaroon.*``)."""

class CaveatError(CaveatspecError):
    """A caveat does not parse (``caveat.*``)."""

class RestrictError(CaveatspecError):
    """Restrictions cannot be written (``restrict.*``) or the token does not decode."""

class JoseError(CaveatspecError):
    """A JWK is refused (``jose.*``)."""

class DpopError(CaveatspecError):
    """A DPoP proof is refused (``dpop.*``); ``dpop.nonce`` calls for a nonce challenge."""

class AtrError(CaveatspecError):
    """An ATR JWT is refused as ATR refuses it (``atr.*``)."""

class RequestError(CaveatspecError):
    """A request presenting a token is refused (``bound.*``, or the token's or proof's codes)."""

@final
class Verdict:
    """The outcome of `verify`; true only when valid."""

    valid: bool
    codes: List[str]
    message: Optional[str]
    failures: List[Tuple[str, Optional[str]]]
    def __bool__(self) -> bool: ...

@final
class Attenuated:
    """A minted or narrowed token (`token`, secret) and the caveats written into it."""

    token: str
    caveats: List[str]

@final
class Macaroon:
    """A decoded macaroon; `caveats` are ``(id, vid or None, location or None)``."""

    version: int
    location: Optional[bytes]
    identifier: bytes
    caveats: List[Tuple[bytes, Optional[bytes], Optional[bytes]]]
    signature: bytes

@final
class ParsedCaveat:
    """A caveat read: what it restricts and its canonical text."""

    kind: str
    canonical: str

def verify(
    token: str,
    key: _Bytes,
    *,
    identifier: str,
    now: Optional[_Time] = None,
    project: Optional[Tuple[str, str]] = None,
    user_id: Optional[str] = None,
    publisher: Optional[Tuple[str, Sequence[str]]] = None,
    stored_caveats: Optional[Sequence[str]] = None,
    proof_jkt: Optional[str] = None,
    profile: _Profile = ...,
) -> Verdict:
    """Verify `token` as the token of its database row (`key`, `identifier`, owner `user_id`
    or `publisher=(publisher_id, [project_id, ...])`, `stored_caveats`) for a request at `now`
    on `project=(name, id)`. A refusal is a `Verdict` with ``valid=False``."""

def mint(
    key: _Bytes,
    identifier: str,
    *,
    location: str = ...,
    projects: Optional[Sequence[str]] = None,
    project_ids: Optional[Sequence[str]] = None,
    user_id: Optional[str] = None,
    not_before: Optional[_Time] = None,
    not_after: Optional[_Time] = None,
    bind_jkt: Optional[str] = None,
) -> Attenuated:
    """Mint a token as PyPI does, with optional restrictions. Raises `RestrictError`."""

def restrict(
    token: str,
    *,
    projects: Optional[Sequence[str]] = None,
    project_ids: Optional[Sequence[str]] = None,
    user_id: Optional[str] = None,
    not_before: Optional[_Time] = None,
    not_after: Optional[_Time] = None,
    bind_jkt: Optional[str] = None,
) -> Attenuated:
    """Narrow `token` offline (at least one restriction). Raises `RestrictError`."""

def inspect(token: str, *, now: Optional[_Time] = None) -> Dict[str, Any]:
    """Describe `token` without its key: ``version``, ``location``, ``identifier``,
    ``caveats`` (each ``raw``, ``kind``, ``fields``, ``meaning``, ``warnings``) and
    ``warnings``. Raises `TokenError`."""

def decode(token: str, *, profile: _Profile = ...) -> Macaroon:
    """Decode the token's text and macaroon as `profile` reads them. Raises `TokenError`."""

def parse_caveat(
    raw: Union[str, _Bytes], *, request_user: Optional[str] = None, profile: _Profile = ...
) -> ParsedCaveat:
    """Parse one caveat as `profile` reads it. Raises `CaveatError` (PyPI's text in
    ``message``)."""

@final
class Proof:
    """A DPoP proof that passed every check."""

    jkt: str
    jti: str
    iat: int
    htm: str
    htu: str
    alg: str
    nonce: Optional[str]
    jwk: Dict[str, str]
    claims: Dict[str, Any]

@final
class ReplayCache:
    """A bounded, thread-safe set of recently used (key, jti) pairs; one per server process.
    `retention` (default 300) is the verifier's `max_age`."""

    def __new__(cls, capacity: int = 65536, retention: int = ...) -> "ReplayCache": ...
    def check_and_insert(self, proof: Proof, *, now: Optional[_Time] = None) -> None:
        """Record `proof`, or raise `DpopError` (``dpop.replay``) if already seen."""
    def purge(self, now: Optional[_Time] = None) -> None:
        """Drop entries expired before `now`."""
    def __len__(self) -> int: ...

@final
class NonceIssuer:
    """Stateless, keyed, rotating DPoP server nonces (RFC 9449 §8, §9)."""

    lifetime: int
    def __new__(cls, key: _Bytes, *, lifetime: int = 300) -> "NonceIssuer": ...
    def issue(self, now: Optional[_Time] = None) -> str:
        """The current nonce: the ``DPoP-Nonce`` header value."""
    def check(self, nonce: str, *, now: Optional[_Time] = None) -> bool:
        """True for a nonce this key issued that has not expired."""
    def challenge(self, now: Optional[_Time] = None) -> List[Tuple[str, str]]:
        """The headers of a 401 ``use_dpop_nonce`` challenge."""

def verify_proof(
    proof: str,
    method: str,
    url: str,
    *,
    now: Optional[_Time] = None,
    access_token: Optional[str] = None,
    jkt: Optional[str] = None,
    nonce: Union[str, NonceIssuer, None] = None,
    replay: Optional[ReplayCache] = None,
    max_age: int = ...,
    leeway: int = ...,
) -> Proof:
    """Check a DPoP proof against its request (RFC 9449 §4.3, then the replay cache).
    Raises `DpopError`."""

def jwk_thumbprint(jwk: Union[Mapping[str, Any], str]) -> str:
    """The RFC 7638 SHA-256 thumbprint of a public JWK. Raises `JoseError`."""

@final
class PrivateKey:
    """A client's DPoP key (Ed25519 or P-256); the private half is never in the repr."""

    alg: str
    jkt: str
    public_jwk: Dict[str, str]
    @staticmethod
    def generate(alg: Literal["EdDSA", "ES256"] = ...) -> "PrivateKey": ...
    @staticmethod
    def from_private_bytes(alg: Literal["EdDSA", "ES256"], data: _Bytes) -> "PrivateKey": ...
    def private_bytes(self) -> bytes: ...
    def proof(
        self,
        method: str,
        url: str,
        *,
        access_token: Optional[str] = None,
        nonce: Optional[str] = None,
        now: Optional[_Time] = None,
        jti: Optional[str] = None,
    ) -> str:
        """A DPoP proof for one request (the ``DPoP`` header value)."""

@final
class AtrIdentity:
    """An accepted ATR token: `sub`, `jti`, the bound key's `jkt` (None when unbound), claims."""

    sub: str
    jti: str
    jkt: Optional[str]
    claims: Dict[str, Any]

def verify_atr(
    authorization: str, key: Union[str, _Bytes], iss_aud: str, *, now: Optional[_Time] = None
) -> AtrIdentity:
    """Check an ``Authorization`` value exactly as ATR does today (bearer). Raises
    `AtrError`."""

def verify_atr_request(
    authorization: Union[str, Sequence[str]],
    *,
    dpop: Union[str, Sequence[str], None] = None,
    method: str,
    url: str,
    key: Union[str, _Bytes],
    iss_aud: str,
    replay: ReplayCache,
    now: Optional[_Time] = None,
    nonce: Union[str, NonceIssuer, None] = None,
) -> AtrIdentity:
    """Check one request to an ATR-style API: bound tokens under ``DPoP`` with a proof,
    unbound ones under ``Bearer``. Raises `RequestError`."""

def verify_presented(
    authorization: Union[str, Sequence[str]],
    *,
    dpop: Union[str, Sequence[str], None] = None,
    method: str,
    url: str,
    key: _Bytes,
    identifier: str,
    replay: ReplayCache,
    now: Optional[_Time] = None,
    project: Optional[Tuple[str, str]] = None,
    user_id: Optional[str] = None,
    publisher: Optional[Tuple[str, Sequence[str]]] = None,
    stored_caveats: Optional[Sequence[str]] = None,
    nonce: Union[str, NonceIssuer, None] = None,
) -> Optional[str]:
    """Check one request presenting a PyPI token (strict profile); returns the bound key's
    jkt, or None for an unbound token. Raises `RequestError`."""
