"""Run PyPI's own token verification (pypi/warehouse) on vector inputs.

Nothing of Warehouse is stored in this repository. `load(src)` takes a checkout of pypi/warehouse
(a work tree, or a bare git directory from which `warehouse/` is extracted with `git archive`),
copies the token-handling modules it needs into a temporary package and replaces only what needs
a database or a web request: the `Macaroon` and `Project` models, the user/publisher objects, the
SQL helpers used to record `last_used`, and the request. Everything that decides an outcome runs
unmodified: `warehouse/macaroons/services.py` (prefix, deserialization, lookup, stored caveats),
`warehouse/macaroons/caveats/` (caveat grammar and checks) and pymacaroons' verifier.

Use with Warehouse's pinned libraries (pymacaroons, pydantic, pyramid, sqlalchemy, zope.interface);
`tools/caveatgen/setup` installs them.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import tempfile
import types
import uuid

# Modules taken verbatim from the checkout, at run time.
_REAL_FILES = [
    "warehouse/errors.py",
    "warehouse/macaroons/errors.py",
    "warehouse/macaroons/interfaces.py",
    "warehouse/macaroons/services.py",
    "warehouse/macaroons/caveats/__init__.py",
    "warehouse/macaroons/caveats/_core.py",
    "warehouse/macaroons/caveats/_legacy.py",
]

# Stand-ins for the database models and identity types those modules import.
_STUBS = {
    "warehouse/__init__.py": "",
    "warehouse/macaroons/__init__.py": "",
    "warehouse/accounts/__init__.py": "",
    "warehouse/accounts/utils.py": """
from dataclasses import dataclass
from typing import Any

@dataclass
class UserContext:
    user: Any
    macaroon: Any
""",
    "warehouse/packaging/__init__.py": "",
    "warehouse/packaging/models.py": '''
class Project:
    """Database row of a project: only the columns the caveats read."""
    def __init__(self, id, name, normalized_name):
        self.id = id
        self.name = name
        self.normalized_name = normalized_name
''',
    "warehouse/oidc/__init__.py": "",
    "warehouse/oidc/interfaces.py": """
from typing import Any, NewType
SignedClaims = NewType("SignedClaims", dict[str, Any])
""",
    "warehouse/macaroons/models.py": '''
class _Column:
    """Class-level column: SQL expression building on it goes nowhere."""
    def __getattr__(self, name):
        return self
    def __call__(self, *a, **k):
        return self

class Macaroon:
    """Database row of a token: id, root key, stored caveats, owner."""
    id = _Column()
    user = _Column()
    oidc_publisher = _Column()
    def __init__(self, id, key, caveats, user, oidc_publisher):
        self.id = id
        self.key = key
        self.caveats = caveats
        self.user = user
        self.oidc_publisher = oidc_publisher
''',
}


def _extract(src: str, dest: str) -> str:
    """Copy the needed Warehouse files into `dest`; return the commit or 'worktree'."""
    if os.path.isdir(os.path.join(src, "warehouse", "macaroons")):
        for rel in _REAL_FILES:
            os.makedirs(os.path.dirname(os.path.join(dest, rel)), exist_ok=True)
            shutil.copy(os.path.join(src, rel), os.path.join(dest, rel))
        try:
            commit = subprocess.run(
                ["git", "-C", src, "rev-parse", "HEAD"], capture_output=True, text=True, check=True
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            commit = "worktree"
        return commit
    commit = subprocess.run(
        ["git", "--git-dir", src, "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    for rel in _REAL_FILES:
        blob = subprocess.run(["git", "--git-dir", src, "show", f"HEAD:{rel}"], capture_output=True, check=True).stdout
        os.makedirs(os.path.dirname(os.path.join(dest, rel)), exist_ok=True)
        with open(os.path.join(dest, rel), "wb") as f:
            f.write(blob)
    return commit


class _Chain:
    """Any SQL expression builder: every call and attribute returns itself."""

    def __getattr__(self, name):
        return self

    def __call__(self, *args, **kwargs):
        return self


class _FakeDB:
    """The one query services.py makes, answered from a dict of rows."""

    def __init__(self, rows):
        self.rows = rows

    def query(self, model):
        db = self

        class _Q:
            def options(self, *a):
                return self

            def filter_by(self, id):
                self.id = id
                return self

            def one_or_none(self):
                # The id column is a PostgreSQL uuid: any spelling of the same UUID finds the row.
                want = uuid.UUID(self.id)
                for key, row in db.rows.items():
                    if uuid.UUID(key) == want:
                        return row
                return None

        return _Q()

    def execute(self, *a, **k):
        return None


class _Metrics:
    def increment(self, *a, **k):
        return None


@dataclasses.dataclass
class User:
    id: str


@dataclasses.dataclass(eq=False)
class Publisher:
    id: str
    projects: list


class PublisherTokenContext:
    """Identity of a Trusted Publishing token (not a UserContext)."""

    def __init__(self, publisher):
        self.publisher = publisher


class Request:
    def __init__(self, identity=None, user=None, oidc_publisher=None):
        self.identity = identity
        self.user = user
        self.oidc_publisher = oidc_publisher
        self.metrics = _Metrics()


class Warehouse:
    """Loaded Warehouse modules plus the glue that feeds them vector inputs."""

    def __init__(self, src: str):
        self.tmp = tempfile.mkdtemp(prefix="warehouse-oracle-")
        self.commit = _extract(src, self.tmp)
        for rel, text in _STUBS.items():
            path = os.path.join(self.tmp, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
        sys.path.insert(0, self.tmp)
        from pyramid import threadlocal
        from warehouse.accounts.utils import UserContext
        from warehouse.macaroons import caveats, services
        from warehouse.macaroons.errors import InvalidMacaroonError
        from warehouse.macaroons.models import Macaroon
        from warehouse.packaging.models import Project

        # The only database-bound helpers on the verification path (recording last_used).
        services.select = _Chain()
        services.update = _Chain()
        services.joinedload = _Chain()
        self.threadlocal = threadlocal
        self.caveats = caveats
        self.services = services
        self.InvalidMacaroonError = InvalidMacaroonError
        self.Macaroon = Macaroon
        self.Project = Project
        self.UserContext = UserContext
        self._clock = types.SimpleNamespace(time=lambda: 0)
        # Expiration reads time.time(); give it the vector's clock.
        caveats.time = self._clock

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -- helpers -------------------------------------------------------------------------

    @staticmethod
    def normalize(name: str) -> str:
        # PyPI's normalized_name column: lower(regexp_replace(name, '(\.|_|-)+', '-', 'ig')).
        import re

        return re.sub(r"[-_.]+", "-", name).lower()

    def _project(self, project):
        if project is None:
            return None
        return self.Project(project["id"], project["name"], self.normalize(project["name"]))

    def _request_for(self, owner, dm, project_obj):
        if owner is None:
            return Request()
        if "user_id" in owner:
            user = User(owner["user_id"])
            return Request(identity=self.UserContext(user, dm), user=user)
        projects = []
        for pid in owner["publisher_project_ids"]:
            if project_obj is not None and project_obj.id == pid:
                projects.append(project_obj)
            else:
                projects.append(self.Project(pid, "other", "other"))
        pub = Publisher(owner["publisher_id"], projects)
        return Request(identity=PublisherTokenContext(pub), user=None, oidc_publisher=pub)

    # -- oracles -------------------------------------------------------------------------

    def parse_caveat(self, raw: bytes, request_user: str | None):
        """One caveat through the verify path: UTF-8 decode (pymacaroons) then deserialize."""
        req = Request(user=User(request_user)) if request_user else None
        self.threadlocal.manager.push({"request": req, "registry": None})
        try:
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                return {"ok": False, "exception": "UnicodeDecodeError", "message": None, "detail": str(exc)}
            try:
                cav = self.caveats.deserialize(text)
            except self.caveats.CaveatError as exc:
                return {"ok": False, "exception": "CaveatError", "message": str(exc)}
            except Exception as exc:  # noqa: BLE001 — the verify path turns these into "unknown error"
                return {"ok": False, "exception": type(exc).__name__, "message": None, "detail": str(exc)}
            return {"ok": True, "type": type(cav).__name__, "canonical": self.caveats.serialize(cav).decode("utf-8")}
        finally:
            self.threadlocal.manager.pop()

    def serialize_stored(self, stored_json: str) -> bytes:
        """What services.py appends for one stored caveat (models deserialize_obj → serialize)."""
        return self.caveats.serialize(self.caveats.deserialize_obj(json.loads(stored_json)))

    def decode(self, token: str):
        """services.deserialize_raw_macaroon: prefix handling and pymacaroons deserialization."""
        try:
            m = self.services.deserialize_raw_macaroon(token)
        except self.InvalidMacaroonError as exc:
            cause = exc.__cause__
            return {
                "ok": False,
                "message": str(exc),
                "cause": None if cause is None else type(cause).__name__,
                "cause_detail": None if cause is None else str(cause),
            }
        return {"ok": True, "macaroon": m}

    def verify(self, token: str, key: bytes, row: dict, now: int, project):
        """The identity() lookup then permits() → DatabaseMacaroonService.verify, as on upload."""
        self._clock.time = lambda: now
        project_obj = self._project(project)
        owner = row.get("owner")
        user = User(owner["user_id"]) if owner and "user_id" in owner else None
        stored = [self.caveats.deserialize_obj(json.loads(s)) for s in row.get("stored_caveats", [])]
        pub = None
        dm = self.Macaroon(row["identifier"], key, stored, user, pub)
        svc = self.services.DatabaseMacaroonService(_FakeDB({row["identifier"]: dm}))
        # identity(): MacaroonSecurityPolicy looks the token up before anything is verified.
        try:
            svc.find_from_raw(token)
        except self.InvalidMacaroonError as exc:
            cause = exc.__cause__
            return {
                "valid": False,
                "stage": "lookup",
                "message": str(exc),
                "cause": None if cause is None else type(cause).__name__,
            }
        except Exception as exc:  # noqa: BLE001
            return {"valid": False, "stage": "lookup", "message": None, "server_error": type(exc).__name__}
        request = self._request_for(owner, dm, project_obj)
        self.threadlocal.manager.push({"request": request, "registry": None})
        try:
            svc.verify(token, request, project_obj, "upload")
        except self.InvalidMacaroonError as exc:
            return {"valid": False, "stage": "verify", "message": str(exc)}
        except Exception as exc:  # noqa: BLE001
            return {"valid": False, "stage": "verify", "message": None, "server_error": type(exc).__name__}
        finally:
            self.threadlocal.manager.pop()
        return {"valid": True, "stage": "verify", "message": "signature and caveats OK"}
