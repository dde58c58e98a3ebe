"""A local OpenID provider that speaks Google's side of the protocol on 127.0.0.1.

- GET  /authorize: checks client, redirect URI, scope and the PKCE S256 challenge, then
  redirects back to the redirect URI with a one-time `code` and the `state`.
- POST /token: checks client authentication (HTTP Basic or form), the code, the redirect
  URI and the code_verifier against the challenge; answers with an ID token signed RS256
  by a test key, carrying the nonce of the authorization request.
- GET  /certs: the public keys as a JWK Set (Google's v3 certs format).

Tests steer it: `claims` for the next user, `token_overrides` to make the token endpoint
issue a bad ID token, `token_status` to make it fail, `rotate_key()` for key rotation.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

GOOGLE_ISSUER = "https://accounts.google.com"
_DELETE = object()

_key_pool: list[rsa.RSAPrivateKey] = []


def pooled_key(index: int) -> rsa.RSAPrivateKey:
    # RSA generation is slow; a few keys serve the whole test run.
    while len(_key_pool) <= index:
        _key_pool.append(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    return _key_pool[index]


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


@dataclass
class IssuedCode:
    client_id: str
    redirect_uri: str
    code_challenge: str
    nonce: str | None
    claims: dict[str, Any]


@dataclass
class LocalOpenIDProvider:
    client_id: str
    client_secret: str
    other_client_ids: tuple[str, ...] = ()
    issuer: str = GOOGLE_ISSUER
    claims: dict[str, Any] = field(default_factory=dict)
    token_overrides: dict[str, Any] = field(default_factory=dict)
    token_status: int | None = None
    # What the token endpoint reports as granted; Google names the scopes in full.
    granted_scope: str = (
        "openid https://www.googleapis.com/auth/userinfo.email "
        "https://www.googleapis.com/auth/userinfo.profile"
    )
    keys: dict[str, rsa.RSAPrivateKey] = field(default_factory=dict)
    published: list[str] = field(default_factory=list)
    codes: dict[str, IssuedCode] = field(default_factory=dict)
    certs_fetches: int = 0
    token_requests: int = 0

    def __post_init__(self) -> None:
        self.lock = threading.Lock()
        self.kid = self._add_key(0)
        self.claims = {
            "sub": "108420000000000000001",
            "email": "grace@example.com",
            "email_verified": True,
            "name": "Grace Hopper",
            "given_name": "Grace",
            "family_name": "Hopper",
        }

    # --- lifecycle ---------------------------------------------------------------------

    def start(self) -> LocalOpenIDProvider:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                provider._handle_get(self)

            def do_POST(self) -> None:
                provider._handle_post(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def authorization_url(self) -> str:
        return f"{self.base_url}/authorize"

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/token"

    @property
    def certs_url(self) -> str:
        return f"{self.base_url}/certs"

    # --- keys and tokens ---------------------------------------------------------------

    def _add_key(self, index: int) -> str:
        kid = secrets.token_hex(8)
        self.keys[kid] = pooled_key(index)
        self.published.append(kid)
        return kid

    def rotate_key(self) -> str:
        """Publish a new key and sign with it from now on (the old one stays published)."""
        self.kid = self._add_key(len(self.keys))
        return self.kid

    def jwks(self) -> dict[str, Any]:
        keys = []
        for kid in self.published:
            jwk = RSAAlgorithm.to_jwk(self.keys[kid].public_key(), as_dict=True)
            keys.append({**jwk, "kid": kid, "alg": "RS256", "use": "sig"})
        return {"keys": keys}

    def id_token_claims(
        self, *, nonce: str | None = None, user: dict[str, Any] | None = None, **overrides: Any
    ) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "azp": self.client_id,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 3600,
            **(self.claims if user is None else user),
        }
        if nonce is not None:
            claims["nonce"] = nonce
        for name, value in overrides.items():
            if value is _DELETE:
                claims.pop(name, None)
            else:
                claims[name] = value
        return claims

    def sign(
        self,
        claims: dict[str, Any],
        *,
        kid: str | None = None,
        key: rsa.RSAPrivateKey | None = None,
        headers: dict[str, Any] | None = None,
    ) -> str:
        kid = kid or self.kid
        return jwt.encode(
            claims,
            key or self.keys[kid],
            algorithm="RS256",
            headers={"kid": kid, **(headers or {})},
        )

    def id_token(self, *, nonce: str | None, **overrides: Any) -> str:
        """A valid ID token for the current `claims`, as a native Google SDK would get."""
        return self.sign(self.id_token_claims(nonce=nonce, **overrides))

    # --- HTTP --------------------------------------------------------------------------

    def _send_json(
        self, handler: BaseHTTPRequestHandler, status: int, body: dict[str, Any], **headers: str
    ) -> None:
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            handler.send_header(name.replace("_", "-"), value)
        handler.end_headers()
        handler.wfile.write(data)

    def _handle_get(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        if parts.path == "/certs":
            with self.lock:
                self.certs_fetches += 1
                body = self.jwks()
            self._send_json(handler, 200, body, Cache_Control="public, max-age=3600")
        elif parts.path == "/authorize":
            self._authorize(handler, {k: v[0] for k, v in parse_qs(parts.query).items()})
        else:
            self._send_json(handler, 404, {"error": "not_found"})

    def _authorize(self, handler: BaseHTTPRequestHandler, params: dict[str, str]) -> None:
        problems = []
        if params.get("response_type") != "code":
            problems.append("response_type")
        if params.get("client_id") != self.client_id:
            problems.append("client_id")
        if "openid" not in params.get("scope", "").split():
            problems.append("scope")
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            problems.append("pkce")
        if not params.get("redirect_uri") or not params.get("state"):
            problems.append("redirect_uri/state")
        if problems:
            self._send_json(handler, 400, {"error": "invalid_request", "fields": problems})
            return
        code = secrets.token_urlsafe(24)
        with self.lock:
            self.codes[code] = IssuedCode(
                client_id=params["client_id"],
                redirect_uri=params["redirect_uri"],
                code_challenge=params["code_challenge"],
                nonce=params.get("nonce"),
                claims=dict(self.claims),
            )
        location = (
            params["redirect_uri"] + "?" + urlencode({"code": code, "state": params["state"]})
        )
        handler.send_response(302)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def _client_credentials(
        self, handler: BaseHTTPRequestHandler, form: dict[str, str]
    ) -> tuple[str, str]:
        header = handler.headers.get("Authorization", "")
        if header.startswith("Basic "):
            decoded = base64.b64decode(header[6:]).decode()
            client_id, _, secret = decoded.partition(":")
            return client_id, secret
        return form.get("client_id", ""), form.get("client_secret", "")

    def _handle_post(self, handler: BaseHTTPRequestHandler) -> None:
        if urlsplit(handler.path).path != "/token":
            self._send_json(handler, 404, {"error": "not_found"})
            return
        length = int(handler.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(handler.rfile.read(length).decode()).items()}
        with self.lock:
            self.token_requests += 1
        if self.token_status is not None:
            self._send_json(handler, self.token_status, {"error": "temporarily_unavailable"})
            return
        client_id, secret = self._client_credentials(handler, form)
        if client_id != self.client_id or secret != self.client_secret:
            self._send_json(handler, 401, {"error": "invalid_client"})
            return
        with self.lock:
            issued = self.codes.pop(form.get("code", ""), None)  # a code works once
        if (
            form.get("grant_type") != "authorization_code"
            or issued is None
            or issued.client_id != client_id
            or form.get("redirect_uri") != issued.redirect_uri
            or s256(form.get("code_verifier", "")) != issued.code_challenge
        ):
            self._send_json(handler, 400, {"error": "invalid_grant"})
            return
        overrides = {"nonce": issued.nonce, **self.token_overrides}
        id_token = self.sign(self.id_token_claims(user=issued.claims, **overrides))
        self._send_json(
            handler,
            200,
            {
                "access_token": secrets.token_urlsafe(32),
                "expires_in": 3599,
                "token_type": "Bearer",
                "scope": self.granted_scope,
                "id_token": id_token,
            },
            Cache_Control="no-store",
        )


DELETE = _DELETE
