"""What keeps the web layer safe: headers, the write token, cross-site checks.

- Every response carries a strict Content-Security-Policy (`default-src 'self'`),
  so even if some markup slipped through escaping, no inline script would run.
- Without a configured token the server is read-only: write endpoints answer 403.
- A write needs the token (form field or `Authorization: Bearer`), must not come
  from another site (`Origin`, else `Referer`, must name this server's host),
  and a form post must carry the CSRF token of its session (double-submit: the
  value in a SameSite=Strict cookie and in the form must agree).
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response

CSRF_COOKIE = "armstrace_csrf"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Same-origin requests keep their Referer (the cross-site check reads it);
    # article URLs we link to learn nothing about the reader's page.
    "Referrer-Policy": "same-origin",
}


class WriteRefused(Exception):
    """A write request we will not carry out; `status` is the HTTP status to answer."""

    def __init__(self, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.status = status


class SecurityMiddleware(BaseHTTPMiddleware):
    """Adds the security headers and gives every browser session a CSRF token."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        existing = request.cookies.get(CSRF_COOKIE)
        fresh = None if _well_formed(existing) else secrets.token_urlsafe(32)
        request.state.csrf = existing if fresh is None else fresh
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if fresh is not None:
            response.set_cookie(CSRF_COOKIE, fresh, httponly=True, samesite="strict", path="/")
        return response


def _well_formed(value: str | None) -> bool:
    return bool(value) and 20 <= len(value or "") <= 100 and (value or "").replace("-", "").replace("_", "").isalnum()


def _same(given: str | None, expected: str | None) -> bool:
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def _netloc(url: str) -> str | None:
    """host[:port] of a URL, default ports dropped, lower case; None when it has none."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return None
    if not host:
        return None
    if ":" in host:  # IPv6
        host = f"[{host}]"
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return host if port is None or port == default else f"{host}:{port}"


def _host_of(request: Request) -> str | None:
    host = request.headers.get("host")
    return _netloc(f"{request.url.scheme}://{host}") if host else None


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization") or ""
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def check_same_site(request: Request, require_header: bool) -> None:
    """Refuse a request whose Origin (else Referer) names another host.

    A browser sends Origin on every cross-site POST; "null" (sandboxed frames,
    some redirects) counts as foreign. `require_header` makes a request with
    neither header a refusal too (form posts: every browser sends one).
    """
    server = _host_of(request)
    origin = request.headers.get("origin")
    if origin is not None:
        if origin.strip().lower() == "null" or _netloc(origin) != server:
            raise WriteRefused("cross-site request refused (Origin does not match this server)")
        return
    referer = request.headers.get("referer")
    if referer:
        if _netloc(referer) != server:
            raise WriteRefused("cross-site request refused (Referer does not match this server)")
        return
    if require_header:
        raise WriteRefused("request refused: no Origin or Referer header")


def check_write(
    request: Request,
    configured_token: str | None,
    given_token: str | None,
    csrf_field: str | None = None,
    form: bool = False,
) -> None:
    """Raise WriteRefused unless this write may go ahead (see the module docstring)."""
    if not configured_token:
        raise WriteRefused("this server is read-only (start it with --token to allow review)")
    check_same_site(request, require_header=form)
    if form and not _same(csrf_field, request.cookies.get(CSRF_COOKIE)):
        raise WriteRefused("the form's session token is missing or stale; reload the page and try again")
    if not _same(given_token or bearer_token(request), configured_token):
        raise WriteRefused("wrong or missing review token", status=403)


__all__ = [
    "CONTENT_SECURITY_POLICY",
    "CSRF_COOKIE",
    "SecurityMiddleware",
    "WriteRefused",
    "bearer_token",
    "check_same_site",
    "check_write",
]
