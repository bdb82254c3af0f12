"""Web command: `armstrace serve`, a thin layer over `armstrace.web.create_app`."""

from __future__ import annotations

import os
import socket

import typer

from armstrace.cli.app import app, err, fail
from armstrace.store import StoreError

DB_HELP = "Database: a SQLite file path or a SQLAlchemy URL. Default: $ARMSTRACE_DB, else ./armstrace.db."
TOKEN_ENV = "ARMSTRACE_TOKEN"


@app.command()
def serve(
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (loopback unless told otherwise)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    token: str | None = typer.Option(
        None, "--token", help=f"Review token; enables accept/reject/merge/split/correct. Default: ${TOKEN_ENV}. "
        "Without one the server is read-only."
    ),
) -> None:
    """Serve the web pages and JSON API over a store; read-only unless a review token is given.

    Example: armstrace serve --db news.db --port 8000   (open http://127.0.0.1:8000/, API at /docs)

    Example with review: ARMSTRACE_TOKEN=s3cret armstrace serve --db news.db
    """
    import uvicorn

    from armstrace.web import create_app

    token = token or os.environ.get(TOKEN_ENV) or None
    problem = _cannot_listen(host, port)
    if problem:
        raise fail(f"cannot listen on {host}:{port}: {problem}")
    try:
        web_app = create_app(_url(db), token=token)
    except StoreError as exc:
        raise fail(str(exc)) from None
    if web_app.state.created_indexes:
        err.print(f"created indexes for the web pages: {', '.join(web_app.state.created_indexes)}")
    if host not in ("127.0.0.1", "localhost", "::1"):
        err.print(f"[yellow]warning:[/yellow] listening on {host}: reachable from other machines")
    mode = "review enabled (token set)" if token else "read-only (no token)"
    err.print(f"armstrace web on http://{_shown_host(host)}:{port}/ - {mode}; Ctrl-C stops it")
    try:
        uvicorn.run(web_app, host=host, port=port, log_level="warning")
    except OSError as exc:
        raise fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def _cannot_listen(host: str, port: int) -> str | None:
    """Why the address cannot be bound (in words), or None; checked before the store is opened."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        return f"unknown host ({exc.strerror})"
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            return exc.strerror or str(exc)
    return None


def _url(db: str | None) -> str:
    from armstrace import config

    return config.database_url(db)


def _shown_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
