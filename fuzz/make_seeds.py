#!/usr/bin/env python3
"""Builds fuzz/seeds/<target>/ from the vectors: `python3 fuzz/make_seeds.py`.

Each seed file is named by the SHA-1 of its content, so re-running is idempotent and the
committed seeds change only when the vectors do. Standard library only.
"""
import base64
import binascii
import hashlib
import json
import pathlib
import shutil

ROOT = pathlib.Path(__file__).resolve().parent.parent
SEEDS = ROOT / "fuzz" / "seeds"


def body_bytes(token):
    """The macaroon bytes of a token, decoded leniently (None when not base64 at all)."""
    body = token.partition("-")[2]
    try:
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        return None


def main():
    seeds = {t: set() for t in ("token", "macaroon", "caveat", "verify", "differential")}
    for path in sorted((ROOT / "vectors").glob("*.json")):
        for v in json.loads(path.read_text())["vectors"]:
            inp = v["input"]
            texts = [inp[k] for k in ("token", "output") if isinstance(inp.get(k), str)]
            for t in texts:
                seeds["token"].add(t.encode("utf-8", "surrogatepass"))
                raw = body_bytes(t)
                if raw:
                    seeds["macaroon"].add(raw)
                    seeds["differential"].add(raw)
            caveats = []
            if isinstance(inp.get("caveat"), str):
                caveats.append(inp["caveat"])
            caveats += (inp.get("row") or {}).get("stored_caveats") or []
            caveats = [c.encode("utf-8", "surrogatepass") for c in caveats]
            if isinstance(inp.get("caveat_hex"), str):
                caveats.append(bytes.fromhex(inp["caveat_hex"]))
            for c in caveats:
                for selector in (b"\x00", b"\x01"):
                    seeds["caveat"].add(selector + c)
                # The verify target reads any bytes; caveat text makes its `Raw` caveats real.
                seeds["verify"].add(b"\x06\x00" + c)
    shutil.rmtree(SEEDS, ignore_errors=True)
    for target, items in seeds.items():
        d = SEEDS / target
        d.mkdir(parents=True)
        for item in items:
            (d / hashlib.sha1(item).hexdigest()).write_bytes(item)
        print(f"{target}: {len(items)} seeds")


if __name__ == "__main__":
    main()
