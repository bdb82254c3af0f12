"""The web application: server-rendered pages, a JSON API, review actions.

    from armstrace.web import create_app
    app = create_app("sqlite:///news.db", token="s3cret")   # token=None: read-only

Pages and API read through the Store API; review goes through fusion's
`decide`. Everything an article brings (title, text, names) is untrusted and
reaches HTML only through autoescaping templates or `highlight`, which
escapes every segment it joins.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import FastAPI, Form, HTTPException, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader
from starlette.exceptions import HTTPException as StarletteHTTPException

from armstrace.fuse.ledger import CORRECTABLE
from armstrace.store import Store, open_store
from armstrace.web import graphs
from armstrace.web.highlight import Span, excerpt, highlight, locate
from armstrace.web.indexes import ensure_indexes
from armstrace.web.security import SecurityMiddleware, WriteRefused, check_write

HERE = Path(__file__).resolve().parent
PAGE_SIZE = 50
MAX_PAGE = 500
EVENT_TYPES = ("transfer", "production", "training", "offer", "use", "sanction", "export_total")
STATUSES = ("speculative", "planned", "agreed", "delivered")
REVIEW_ACTIONS = ("accept", "reject", "merge", "split", "correct")
FILTER_KEYS = ("supplier", "recipient", "type", "status", "system", "q", "since", "until")


# --- small helpers the templates use -------------------------------------------


def ref_label(ref: dict[str, Any] | None) -> str:
    if not ref:
        return "—"
    name, ident = ref.get("name"), ref.get("id")
    if name and ident and name != ident:
        return f"{name} ({ident})"
    return str(name or ident or "—")


def items_label(event: dict[str, Any]) -> str:
    parts: list[str] = []
    for item in event.get("items") or []:
        label = item.get("category") or "?"
        system = item.get("system")
        if system:
            label = f"{system.get('name') or system.get('id')} ({label})"
        if label not in parts:
            parts.append(label)
    return ", ".join(parts) or "—"


def when_label(event: dict[str, Any]) -> str:
    time = event.get("time") or {}
    start, end = time.get("start"), time.get("end")
    if start and end and start != end:
        return f"{start} – {end}"
    if start or end:
        return str(start or end)
    first = event.get("first_reported")
    return f"reported {first}" if first else "—"


def safe_url(url: str | None) -> str | None:
    """An article's URL only if it is plain http(s); anything else is shown as text, never linked."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    env.globals.update(ref_label=ref_label, items_label=items_label, when_label=when_label,
                       safe_url=safe_url, EVENT_TYPES=EVENT_TYPES, STATUSES=STATUSES)
    env.filters["tojson_pretty"] = lambda value: json.dumps(value, indent=2, ensure_ascii=False, default=str)
    return env


def _filters(values: dict[str, str | None]) -> dict[str, str]:
    """Non-empty filter values, trimmed, as the form gave them."""
    return {key: value.strip() for key, value in values.items() if value and value.strip()}


def _store_filters(filters: dict[str, str]) -> dict[str, str]:
    """Filter names as `Store.events` takes them (`q` is its `text`)."""
    return {("text" if key == "q" else key): value for key, value in filters.items()}


def _pager(path: str, filters: dict[str, str], total: int, limit: int, offset: int) -> dict[str, Any]:
    def link(start: int) -> str:
        return f"{path}?{urlencode({**filters, 'limit': limit, 'offset': start})}"

    return {
        "total": total,
        "limit": limit,
        "offset": offset,
        "first": offset + 1 if total else 0,
        "last": min(offset + limit, total),
        "prev": link(max(0, offset - limit)) if offset > 0 else None,
        "next": link(offset + limit) if offset + limit < total else None,
        "query": urlencode(filters),
    }


def _catalog_entry(entity_id: str) -> dict[str, Any] | None:
    """What the knowledge catalogue says of an entity (aliases, state), if it is available."""
    try:
        from armstrace.knowledge import default_catalog  # type: ignore[attr-defined]
    except ImportError:
        try:
            from armstrace.knowledge.catalog import default_catalog
        except ImportError:
            return None
    try:
        entity = default_catalog().get(entity_id)
    except Exception:  # a broken catalogue must not take the entity page down
        return None
    return entity.to_dict() if entity is not None else None


def _claim_views(store: Store, record: dict[str, Any]) -> list[dict[str, Any]]:
    """The event's claims, each with its document and evidence excerpts marked in the article text."""
    texts: dict[str, dict[str, Any] | None] = {}
    views = []
    for number, claim in enumerate(record.get("claims") or []):
        doc_ref = claim.get("doc") or {}
        doc_id = doc_ref.get("id")
        if doc_id not in texts:
            texts[doc_id] = store.document(doc_id) if doc_id else None
        document = texts[doc_id] or {}
        text = document.get("text") or ""
        excerpts = []
        for index, evidence in enumerate(claim.get("evidence") or []):
            place = locate(text, evidence.get("sentence"), evidence.get("start"), evidence.get("end"))
            if place is None:
                excerpts.append({"markup": None, "sentence": evidence.get("sentence") or ""})
                continue
            span = Span(place[0], place[1], "evidence", f"claim{number}-ev{index}")
            excerpts.append({"markup": excerpt(text, span), "start": place[0], "end": place[1]})
        views.append({
            "claim": claim,
            "doc": {**doc_ref, "title": document.get("title"), "url": document.get("url"),
                    "source": document.get("source") or doc_ref.get("source")},
            "excerpts": excerpts,
        })
    return views


def _document_view(store: Store, doc_id: str) -> dict[str, Any] | None:
    document = store.document(doc_id)
    if document is None:
        return None
    claims = store.claims_for_document(doc_id)
    events_of = store.event_ids_for_claims([c["id"] for c in claims])
    spans = []
    claim_views = []
    text = document.get("text") or ""
    for number, claim in enumerate(claims):
        event = claim.get("event") or {}
        label = f"{event.get('type')}: {ref_label(event.get('supplier'))} → {ref_label(event.get('recipient'))}"
        anchors = []
        for index, evidence in enumerate(claim.get("evidence") or []):
            place = locate(text, evidence.get("sentence"), evidence.get("start"), evidence.get("end"))
            if place is not None:
                anchor = f"claim{number}-ev{index}"
                spans.append(Span(place[0], place[1], label, anchor))
                anchors.append(anchor)
        claim_views.append({"claim": claim, "event": event, "label": label, "anchors": anchors,
                            "event_ids": events_of.get(claim["id"], [])})
    return {"document": document, "html": highlight(text, spans), "claims": claim_views}


def as_json(content: Any) -> JSONResponse:
    """A JSON response straight from store records (already JSON-native), without
    FastAPI's per-field encoder, which costs ~0.4 ms an event on big lists."""
    return JSONResponse(content)


def _stream(format_name: str, rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    """Rows through an export format, handed out event by event so memory stays flat."""
    from armstrace.export import EXPORTERS

    buffer = io.StringIO()
    exporter = EXPORTERS[format_name](buffer)

    def drain() -> str:
        chunk = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
        return chunk

    exporter.start()
    yield drain()
    for row in rows:
        exporter.write(row)
        yield drain()
    exporter.finish()
    yield drain()


# --- the application ------------------------------------------------------------


def create_app(store_url: str, token: str | None = None) -> FastAPI:
    """The armstrace web app over the store at `store_url`; `token` enables review (None: read-only)."""
    store = open_store(store_url, create=False)
    # ARMSTRACE_WEB_INDEXES=0 serves the store's schema as it is (for the benchmark's baseline).
    created_indexes = ensure_indexes(store) if os.environ.get("ARMSTRACE_WEB_INDEXES", "1") != "0" else []
    token = token or None
    env = _environment()
    app = FastAPI(
        title="armstrace",
        description="Arms transfers extracted from news articles, every fact linked to its evidence.",
        docs_url=None,  # FastAPI's pages load Swagger/ReDoc from a CDN; /docs is our own, offline
        redoc_url=None,
    )
    app.state.store = store
    app.state.created_indexes = created_indexes
    app.state.read_only = token is None
    app.add_middleware(SecurityMiddleware)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        template = env.get_template(name)
        html = template.render(request=request, read_only=token is None, csrf=request.state.csrf,
                               path=request.url.path, **context)
        return HTMLResponse(html, status_code=status_code)

    @app.exception_handler(StarletteHTTPException)
    def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/") or request.url.path.startswith("/static/"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        return render(request, "error.html", status_code=exc.status_code, message=str(exc.detail),
                      title=f"Error {exc.status_code}")

    @app.exception_handler(RequestValidationError)
    def _bad_request(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error.get('loc', [])[1:]) or 'request'}: {error.get('msg')}"
            for error in exc.errors()
        )
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": jsonable_encoder(exc.errors())}, status_code=422)
        return render(request, "error.html", status_code=422, message=problems, title="Bad request")

    @app.exception_handler(WriteRefused)
    def _refused(request: Request, exc: WriteRefused) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": str(exc)}, status_code=exc.status)
        return render(request, "error.html", status_code=exc.status, message=str(exc), title="Refused")

    def get_event(event_id: str) -> dict[str, Any]:
        record = store.event(event_id)
        if record is None:
            raise HTTPException(404, f"no event {event_id!r}")
        return record

    # --- pages ----------------------------------------------------------------

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/events", status_code=307)

    @app.get("/events", response_class=HTMLResponse, include_in_schema=False)
    def events_page(
        request: Request,
        supplier: str | None = None, recipient: str | None = None, type: str | None = None,
        status: str | None = None, system: str | None = None, q: str | None = None,
        since: str | None = None, until: str | None = None,
        limit: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE), offset: int = Query(0, ge=0),
    ) -> HTMLResponse:
        filters = _filters({"supplier": supplier, "recipient": recipient, "type": type, "status": status,
                            "system": system, "q": q, "since": since, "until": until})
        found = store.events(**_store_filters(filters), limit=limit, offset=offset)
        total = store.count_events(**_store_filters(filters))
        return render(request, "events.html", title="Events", events=found, filters=filters,
                      pager=_pager("/events", filters, total, limit, offset))

    @app.get("/events/{event_id}", response_class=HTMLResponse, include_in_schema=False)
    def event_page(request: Request, event_id: str, reviewed: str | None = None) -> HTMLResponse:
        record = get_event(event_id)
        # Merge candidates: events fusion kept apart within the same block
        # (type, parties, item family); an indexed lookup.
        block = (record.get("fusion") or {}).get("block") or {}
        related = sorted(
            (e for e in store.events_in_block(
                record.get("type") or "",
                (record.get("supplier") or {}).get("id"),
                (record.get("recipient") or {}).get("id"),
                record.get("item_family") or block.get("family") or None,
            ) if e["id"] != record["id"]),
            key=lambda e: (e.get("first_reported") or "", e["id"]), reverse=True,
        )[:10]
        return render(
            request, "event.html", title=f"{record.get('type')}: {ref_label(record.get('supplier'))} → "
            f"{ref_label(record.get('recipient'))}", event=record, claims=_claim_views(store, record),
            decisions=store.decisions(record["id"]), related=related, correctable=CORRECTABLE,
            reviewed=reviewed if reviewed in REVIEW_ACTIONS else None, actions=REVIEW_ACTIONS,
        )

    @app.post("/events/{event_id}/review", include_in_schema=False)
    def review_form(
        request: Request,
        event_id: str,
        action: str = Form(...),
        token_field: str | None = Form(None, alias="token"),
        csrf: str | None = Form(None),
        other: str | None = Form(None),
        claim: list[str] = Form(default=[]),
        field: str | None = Form(None),
        value: str | None = Form(None),
        note: str | None = Form(None),
        author: str | None = Form(None),
    ) -> Response:
        check_write(request, token, token_field, csrf_field=csrf, form=True)
        new_id = _decide(event_id, action, other, claim, field, value, note, author)
        target = new_id or event_id
        return RedirectResponse(f"/events/{target}?{urlencode({'reviewed': action})}", status_code=303)

    def _decide(event_id: str, action: str, other: str | None, claim_ids: list[str], field: str | None,
                value: str | None, note: str | None, author: str | None) -> str | None:
        from armstrace.fuse.review import DecisionError, decide

        if action not in REVIEW_ACTIONS:
            raise HTTPException(400, f"unknown action {action!r}; one of {', '.join(REVIEW_ACTIONS)}")
        get_event(event_id)
        try:
            _decision, new_id = decide(
                store, event_id, action, other=(other or "").strip() or None, claim_ids=claim_ids,
                field=(field or "").strip() or None, value=value, note=(note or "").strip() or None,
                author=(author or "").strip() or "web",
            )
        except DecisionError as exc:
            raise HTTPException(400, str(exc)) from None
        return new_id

    @app.get("/entities/{entity_id}", response_class=HTMLResponse, include_in_schema=False)
    def entity_page(request: Request, entity_id: str) -> HTMLResponse:
        data = entity_data(entity_id, PAGE_SIZE)
        return render(request, "entity.html", title=data["entity"]["name"] or entity_id, **data)

    def entity_data(entity_id: str, limit: int) -> dict[str, Any]:
        stored = store.entity(entity_id)
        catalog = _catalog_entry(entity_id)
        as_supplier = store.events(supplier=entity_id, limit=limit)
        as_recipient = store.events(recipient=entity_id, limit=limit)
        is_system = entity_id.startswith("sys:")
        with_system = store.events(system=entity_id, limit=limit) if is_system else []
        if stored is None and catalog is None and not (as_supplier or as_recipient or with_system):
            raise HTTPException(404, f"no entity {entity_id!r}")
        entity = {"id": entity_id, "name": (stored or {}).get("name") or (catalog or {}).get("name"),
                  "kind": (stored or {}).get("kind") or (catalog or {}).get("kind"),
                  "state": (stored or {}).get("state") or (catalog or {}).get("state")}
        return {
            "entity": entity,
            "catalog": catalog,
            "as_supplier": as_supplier,
            "as_recipient": as_recipient,
            "supplier_total": store.count_events(supplier=entity_id),
            "recipient_total": store.count_events(recipient=entity_id),
            "with_system": with_system,
            "system_total": store.count_events(system=entity_id) if is_system else 0,
        }

    @app.get("/network", response_class=HTMLResponse, include_in_schema=False)
    def network_page(
        request: Request, type: str | None = None, status: str | None = None,
        since: str | None = None, until: str | None = None, limit: int = Query(60, ge=1, le=300),
    ) -> HTMLResponse:
        filters = _filters({"type": type, "status": status, "since": since, "until": until})
        net = graphs.network(store, limit=limit, **filters)
        return render(request, "network.html", title="Network", net=net, filters=filters, limit=limit)

    @app.get("/timeline", response_class=HTMLResponse, include_in_schema=False)
    def timeline_page(
        request: Request, type: str | None = None, status: str | None = None, actor: str | None = None,
    ) -> HTMLResponse:
        filters = _filters({"type": type, "status": status, "actor": actor})
        line = graphs.timeline(store, **filters)
        return render(request, "timeline.html", title="Timeline", line=line, filters=filters)

    @app.get("/documents", response_class=HTMLResponse, include_in_schema=False)
    def documents_page(
        request: Request, source: str | None = None, since: str | None = None, until: str | None = None,
        q: str | None = None, limit: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE), offset: int = Query(0, ge=0),
    ) -> HTMLResponse:
        filters = _filters({"source": source, "since": since, "until": until, "q": q})
        found, total = documents_data(filters, limit, offset)
        return render(request, "documents.html", title="Documents", documents=found, filters=filters,
                      pager=_pager("/documents", filters, total, limit, offset))

    def documents_data(filters: dict[str, str], limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
        store_filters = _store_filters(filters)
        found = store.documents(**store_filters, limit=limit, offset=offset)
        # The store counts all documents only; a filtered total is counted from the ids.
        total = len(store.documents(**store_filters)) if filters else store.count_documents()
        return found, total

    @app.get("/documents/{doc_id}", response_class=HTMLResponse, include_in_schema=False)
    def document_page(request: Request, doc_id: str) -> HTMLResponse:
        view = _document_view(store, doc_id)
        if view is None:
            raise HTTPException(404, f"no document {doc_id!r}")
        return render(request, "document.html", title=view["document"].get("title") or doc_id, **view)

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def api_docs(request: Request) -> HTMLResponse:
        spec = app.openapi()
        return render(request, "api_docs.html", title="API", spec=spec)

    # --- JSON API ---------------------------------------------------------------

    def api_filters(
        supplier: str | None, recipient: str | None, type: str | None, status: str | None,
        system: str | None, q: str | None, since: str | None, until: str | None,
    ) -> dict[str, str]:
        return _store_filters(_filters({"supplier": supplier, "recipient": recipient, "type": type,
                                        "status": status, "system": system, "q": q, "since": since,
                                        "until": until}))

    @app.get("/api/events", tags=["events"], summary="Fused events, filtered and paginated")
    def api_events(
        supplier: str | None = Query(None, description="supplier id or name, e.g. IRN or Iran"),
        recipient: str | None = Query(None, description="recipient id or name"),
        type: str | None = Query(None, description="event type: " + ", ".join(EVENT_TYPES)),
        status: str | None = Query(None, description="status: " + ", ".join(STATUSES)),
        system: str | None = Query(None, description="weapon system id or designation, e.g. Shahed-136"),
        q: str | None = Query(None, description="words that must occur in an article behind the event"),
        since: str | None = Query(None, description="(partial) ISO date, e.g. 2022 or 2022-08"),
        until: str | None = Query(None, description="(partial) ISO date"),
        limit: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE),
        offset: int = Query(0, ge=0),
        claims: bool = Query(False, description="include each event's claims and evidence"),
    ) -> JSONResponse:
        filters = api_filters(supplier, recipient, type, status, system, q, since, until)
        found = store.events(**filters, limit=limit, offset=offset, with_claims=claims)
        return as_json({"total": store.count_events(**filters), "limit": limit, "offset": offset, "events": found})

    def download(format_name: str, media_type: str, filters: dict[str, str]) -> StreamingResponse:
        rows = store.iter_events(with_claims=format_name == "jsonl", **filters)
        return StreamingResponse(
            _stream(format_name, rows), media_type=media_type,
            headers={"Content-Disposition": f'attachment; filename="armstrace-events.{format_name}"'},
        )

    @app.get("/api/events.csv", tags=["events"], summary="Every event of the filter as CSV")
    def api_events_csv(
        supplier: str | None = None, recipient: str | None = None, type: str | None = None,
        status: str | None = None, system: str | None = None, q: str | None = None,
        since: str | None = None, until: str | None = None,
    ) -> StreamingResponse:
        filters = api_filters(supplier, recipient, type, status, system, q, since, until)
        return download("csv", "text/csv; charset=utf-8", filters)

    @app.get("/api/events.jsonl", tags=["events"], summary="Every event of the filter as JSON lines")
    def api_events_jsonl(
        supplier: str | None = None, recipient: str | None = None, type: str | None = None,
        status: str | None = None, system: str | None = None, q: str | None = None,
        since: str | None = None, until: str | None = None,
    ) -> StreamingResponse:
        filters = api_filters(supplier, recipient, type, status, system, q, since, until)
        return download("jsonl", "application/x-ndjson; charset=utf-8", filters)

    @app.get("/api/events/{event_id}", tags=["events"], summary="One event with its claims and evidence")
    def api_event(event_id: str) -> JSONResponse:
        record = get_event(event_id)
        record["decisions_made"] = store.decisions(record["id"])
        return as_json(record)

    @app.post("/api/events/{event_id}/decisions", tags=["review"],
              summary="Review an event (needs `Authorization: Bearer TOKEN`)")
    async def api_decide(request: Request, event_id: str) -> JSONResponse:
        check_write(request, token, None)
        try:
            body = await request.json()
        except ValueError:
            raise HTTPException(400, "the body must be a JSON object") from None
        if not isinstance(body, dict):
            raise HTTPException(400, "the body must be a JSON object")
        claim_ids = body.get("claims") or []
        if not isinstance(claim_ids, list) or not all(isinstance(c, str) for c in claim_ids):
            raise HTTPException(400, "claims must be a list of claim ids")
        text_fields = {}
        for key in ("action", "other", "field", "value", "note", "author"):
            value = body.get(key)
            if value is not None and not isinstance(value, str | int | float):
                raise HTTPException(400, f"{key} must be a string")
            text_fields[key] = None if value is None else str(value)
        from starlette.concurrency import run_in_threadpool

        new_id = await run_in_threadpool(
            _decide, event_id, text_fields["action"] or "", text_fields["other"], claim_ids,
            text_fields["field"], text_fields["value"], text_fields["note"], text_fields["author"],
        )
        return JSONResponse({"event": new_id, "action": text_fields["action"]})

    @app.get("/api/entities/{entity_id}", tags=["entities"],
             summary="An entity: catalogue entry, events as supplier and as recipient")
    def api_entity(entity_id: str, limit: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE)) -> JSONResponse:
        return as_json(entity_data(entity_id, limit))

    @app.get("/api/documents", tags=["documents"], summary="Stored documents, newest first")
    def api_documents(
        source: str | None = None, since: str | None = None, until: str | None = None,
        q: str | None = None, limit: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE), offset: int = Query(0, ge=0),
    ) -> JSONResponse:
        filters = _filters({"source": source, "since": since, "until": until, "q": q})
        found, total = documents_data(filters, limit, offset)
        return as_json({"total": total, "limit": limit, "offset": offset, "documents": found})

    @app.get("/api/documents/{doc_id}", tags=["documents"],
             summary="One document with its text, claims and the events they feed")
    def api_document(doc_id: str) -> JSONResponse:
        document = store.document(doc_id)
        if document is None:
            raise HTTPException(404, f"no document {doc_id!r}")
        claims = store.claims_for_document(doc_id)
        events_of = store.event_ids_for_claims([c["id"] for c in claims])
        for claim in claims:
            claim["event_ids"] = events_of.get(claim["id"], [])
        return as_json({**document, "claims": claims})

    @app.get("/api/network", tags=["views"], summary="Supplier→recipient pairs with event counts")
    def api_network(
        type: str | None = None, status: str | None = None, since: str | None = None,
        until: str | None = None, limit: int = Query(60, ge=1, le=1000),
    ) -> JSONResponse:
        filters = _filters({"type": type, "status": status, "since": since, "until": until})
        return as_json(graphs.network(store, limit=limit, **filters).to_dict())

    @app.get("/api/timeline", tags=["views"], summary="Events per year and type")
    def api_timeline(type: str | None = None, status: str | None = None, actor: str | None = None) -> JSONResponse:
        return as_json(graphs.timeline(store, **_filters({"type": type, "status": status, "actor": actor})).to_dict())

    return app


__all__ = ["create_app", "items_label", "ref_label", "safe_url", "when_label"]
