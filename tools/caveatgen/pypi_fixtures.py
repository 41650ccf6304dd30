"""Fixed material of the PyPI token vectors, shared by pypi_cases and macaroon_dpop: the root
key, identifier and location tokens are minted with, the users, projects and publishers of the
requests, the clock, and the thumbprints key-binding caveats name."""

import pymacaroons

KEY = bytes(range(32))
IDENT = "5f0b3a4e-8c1d-4e2f-9a6b-7c8d9e0f1a2b"
LOCATION = "pypi.org"
USER = "3e2f1a0b-9c8d-4e7f-8a6b-5c4d3e2f1a0b"
OTHER_USER = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
PID = "0d6b6a8e-2f0c-4f8e-8a3b-5b7e1c9d2a41"
OTHER_PID = "1e7c7b9f-3a1d-4a9f-9b4c-6c8f2d0e3b52"
PROJ = {"name": "Sample.Project", "id": PID}  # normalized: sample-project
OTHER_PROJ = {"name": "Other_Project", "id": OTHER_PID}  # normalized: other-project
PUB = "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
OTHER_PUB = "8b2c3d4e-5f60-4b7c-9d8e-0f1a2b3c4d5e"
NOW = 1700000500
NBF, EXP = 1700000000, 1700000900
USER_OWNER = {"user_id": USER}
PUB_OWNER = {"publisher_id": PUB, "publisher_project_ids": [PID]}
# RFC 7638 thumbprints of two real keys: RFC 9449's example P-256 key (its §6.1 `cnf.jkt`) and
# RFC 8037's Ed25519 test key. Both appear in vectors/dpop.json.
JKT = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"
OTHER_JKT = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
BIND = f'[5,"{JKT}"]'
OTHER_BIND = f'[5,"{OTHER_JKT}"]'

PROJECT_TOKEN = ['[1,["sample-project"]]', f'[2,["{PID}"]]']
USER_TOKEN = [f'[3,"{USER}"]']
OIDC_TOKEN = [f'[4,"{PUB}",null]', f'[2,["{PID}"]]', f"[0,{EXP},{NBF}]"]


def mint(caveats, key=KEY, identifier=IDENT, location=LOCATION, version=pymacaroons.MACAROON_V2):
    """A token exactly as pymacaroons (and so PyPI) serializes it."""
    m = pymacaroons.Macaroon(location=location, identifier=identifier, key=key, version=version)
    for c in caveats:
        m.add_first_party_caveat(c)
    return "pypi-" + m.serialize()
