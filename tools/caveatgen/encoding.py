"""Text encodings the generators share: unpadded base64url (RFC 7515 §2) and compact JSON."""

import base64
import json
import re

B64U = re.compile(r"[A-Za-z0-9_-]*\Z")


def b64u_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64u_decode(text: str) -> bytes:
    """RFC 7515 §2 base64url: no padding, and only the one canonical spelling of each byte string."""
    if not B64U.match(text) or len(text) % 4 == 1:
        raise ValueError("not base64url")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if b64u_encode(data) != text:
        raise ValueError("non-canonical")
    return data


def text(obj) -> str:
    """`obj` as compact JSON, non-ASCII characters as themselves."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
