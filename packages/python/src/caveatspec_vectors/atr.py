"""Apache Trusted Releases' JWT check around any JOSE library: the `Authorization` rule before
the library and the string checks after it, as ATR writes them (SPEC's `atr_jwt` vectors).

Between the two, the library decodes the token as ATR calls it: HS256 only, issuer and
audience `input.iss_aud`, a leeway of 120 s, and every claim of `REQUIRED_CLAIMS` required.
"""

from .adapter import Invalid

__all__ = ["LEEWAY", "REQUIRED_CLAIMS", "bearer_token", "value"]

#: ATR's leeway, in seconds, for `exp`, `nbf` and `iat`.
LEEWAY = 120
#: The claims ATR requires.
REQUIRED_CLAIMS = ["sub", "iss", "aud", "iat", "nbf", "exp", "jti"]


def bearer_token(authorization):
    """The token of an `Authorization` value: split on the first space, the scheme lower-cased
    must be `bearer` (`atr.bearer`)."""
    scheme, sep, token = authorization.partition(" ")
    if not sep or scheme.lower() != "bearer":
        raise Invalid("atr.bearer")
    return token


def value(claims):
    """The answer's value for the claims the library accepted: `sub` and `jti` must be strings
    (`atr.claim_type`)."""
    if not isinstance(claims["sub"], str) or not isinstance(claims["jti"], str):
        raise Invalid("atr.claim_type")
    return {"sub": claims["sub"], "jti": claims["jti"]}
