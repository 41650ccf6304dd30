"""The client side of the flow, on caveatspec's client API: one DPoP key per client, a proof
per request, and the server's nonce picked up from `DPoP-Nonce` (retrying once on a
`use_dpop_nonce` challenge)."""

import caveatspec


class Client:
    """An ATR API client bound to a fresh key. `http` is an httpx.Client on the server."""

    def __init__(self, http, alg="ES256"):
        self.http = http
        self.key = caveatspec.PrivateKey.generate(alg)
        self.nonce = None
        self.token = None

    def _send(self, path, *, json=None, token=None):
        url = str(self.http.base_url.join(path))
        for _ in range(2):  # once more after a nonce challenge
            headers = {"DPoP": self.key.proof("POST", url, access_token=token, nonce=self.nonce)}
            if token is not None:
                headers["Authorization"] = f"DPoP {token}"
            response = self.http.post(path, json=json, headers=headers)
            self.nonce = response.headers.get("DPoP-Nonce", self.nonce)
            if response.status_code not in (400, 401) or \
                    response.json().get("error") != "use_dpop_nonce":
                return response
        return response

    def login(self, asfuid, pat):
        """Exchanges a personal access token for an API JWT bound to this client's key."""
        response = self._send("/api/jwt", json={"asfuid": asfuid, "pat": pat})
        response.raise_for_status()
        self.token = response.json()["access_token"]
        return self.token

    def upload(self):
        return self._send("/api/upload", token=self.token)
