"""`lakehouse sql serve`: the Trino client REST protocol over the embedded engine, so that the official
clients (trino-python-client, the Trino CLI, JDBC/DBeaver, Superset) talk to it as to a Trino cluster.

    POST   /v1/statement                               SQL text -> first QueryResults (nextUri)
    GET    /v1/statement/executing/<id>/<slug>/<token>  next page: columns, data, stats
    DELETE /v1/statement/executing/<id>/<slug>/<token>  cancel
    GET    /v1/info, /v1/info/state                     server version and state

Each statement runs on a worker thread that streams row batches into a small queue; a page carries
up to PAGE_ROWS rows or whatever arrived within a second, so long queries never hold an HTTP request.
Users authenticate with HTTP Basic (SQL_USERS, passwords from SQL_PASSWORD_<USER> or the generated
file) and are held to trino/rules.json.
"""

from __future__ import annotations

import base64
import itertools
import queue
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from lakehouse.settings import Settings, get_settings
from lakehouse.sql.access import Identity
from lakehouse.sql.auth import Users
from lakehouse.sql.engine import TRINO_VERSION, Engine
from lakehouse.sql.errors import AuthenticationError, InternalError, SqlError, UserCanceledError

PAGE_ROWS = 10_000
PAGE_WAIT_SECONDS = 1.0
FINISHED_QUERY_TTL_SECONDS = 600
_END = object()


@dataclass
class _Query:
    id: str
    slug: str
    sql: str
    identity: Identity
    created: float = field(default_factory=time.monotonic)
    state: str = "QUEUED"
    columns: list[dict[str, Any]] | None = None
    error: SqlError | None = None
    update_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    pages: queue.Queue = field(default_factory=lambda: queue.Queue(maxsize=8))
    token: int = 0
    last: tuple[int, dict[str, Any]] | None = None
    rows_sent: int = 0
    finished_at: float | None = None
    result: Any = None
    cancelled: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    pending: list[list[Any]] = field(default_factory=list)
    done: bool = False


class Coordinator:
    """Queries in flight: runs each on a thread, pages its rows out, forgets it after a while."""

    def __init__(self, engine: Engine, users: Users) -> None:
        self.engine = engine
        self.users = users
        self.queries: dict[str, _Query] = {}
        self._counter = itertools.count()
        self._lock = threading.Lock()
        self.started = time.time()

    def _new_id(self) -> str:
        now = datetime.now(UTC).strftime("%Y%m%d_%H%M%S")
        return f"{now}_{next(self._counter):05d}_lkhse"

    def submit(self, sql: str, identity: Identity, catalog: str | None, schema: str | None) -> _Query:
        query = _Query(self._new_id(), secrets.token_hex(8), sql, identity)
        with self._lock:
            self._expire()
            self.queries[query.id] = query
        threading.Thread(target=self._run, args=(query, catalog, schema), daemon=True, name=query.id).start()
        return query

    def _expire(self) -> None:
        now = time.monotonic()
        for qid, q in list(self.queries.items()):
            if q.finished_at is not None and now - q.finished_at > FINISHED_QUERY_TTL_SECONDS:
                del self.queries[qid]

    def _run(self, query: _Query, catalog: str | None, schema: str | None) -> None:
        try:
            query.state = "RUNNING"
            result = self.engine.execute(query.sql, identity=query.identity, catalog=catalog, schema=schema)
            query.result = result
            query.update_type = result.update_type
            if result.set_catalog:
                query.headers["X-Trino-Set-Catalog"] = result.set_catalog
            if result.set_schema:
                query.headers["X-Trino-Set-Schema"] = result.set_schema
            query.columns = [
                {"name": name, "type": t.name, "typeSignature": t.signature} for name, t in result.columns
            ]
            for batch in result.encoded():
                if query.cancelled.is_set():
                    raise UserCanceledError("Query was canceled")
                self._put(query, batch)
        except SqlError as error:
            query.error = error
        except Exception as error:
            query.error = InternalError(f"{type(error).__name__}: {error}")
        finally:
            self._put(query, _END)

    @staticmethod
    def _put(query: _Query, item: Any) -> None:
        while True:
            try:
                query.pages.put(item, timeout=0.5)
                return
            except queue.Full:
                if query.cancelled.is_set() and item is not _END:
                    return

    def page(self, query: _Query, base: str) -> dict[str, Any]:
        """The next QueryResults document: the rows that arrived, up to PAGE_ROWS, within a second."""
        deadline = time.monotonic() + PAGE_WAIT_SECONDS
        data = query.pending
        query.pending = []
        while not query.done and len(data) < PAGE_ROWS:
            remaining = deadline - time.monotonic()
            if remaining <= 0 and (data or query.columns is None or query.state == "QUEUED"):
                break
            try:
                item = query.pages.get(timeout=max(remaining, 0.01))
            except queue.Empty:
                break
            if item is _END:
                query.done = True
            else:
                data.extend(item)
        if len(data) > PAGE_ROWS:
            data, query.pending = data[:PAGE_ROWS], data[PAGE_ROWS:]
        finished = query.done and not query.pending
        if finished and query.finished_at is None:
            query.finished_at = time.monotonic()
        if query.error is not None and finished:
            state = "FAILED"
        elif finished:
            state = "FINISHED"
        else:
            state = "RUNNING" if query.columns is not None else query.state
        query.rows_sent += len(data)
        query.token += 1
        doc: dict[str, Any] = {
            "id": query.id,
            "infoUri": f"{base}/ui/query.html?{query.id}",
            "stats": self._stats(query, state),
            "warnings": [],
        }
        if query.error is not None and finished:
            doc["error"] = query.error.to_trino()
        else:
            if query.columns is not None and (data or finished or query.token > 0):
                doc["columns"] = query.columns
            if data:
                doc["data"] = data
            if query.update_type:
                doc["updateType"] = query.update_type
            if not finished:
                doc["nextUri"] = f"{base}/v1/statement/executing/{query.id}/{query.slug}/{query.token}"
        return doc

    def _stats(self, query: _Query, state: str) -> dict[str, Any]:
        elapsed = int((time.monotonic() - query.created) * 1000)
        return {
            "state": state,
            "queued": state == "QUEUED",
            "scheduled": state != "QUEUED",
            "nodes": 1,
            "totalSplits": 1,
            "queuedSplits": 0,
            "runningSplits": 0 if state in ("FINISHED", "FAILED") else 1,
            "completedSplits": 1 if state in ("FINISHED", "FAILED") else 0,
            "cpuTimeMillis": elapsed,
            "wallTimeMillis": elapsed,
            "queuedTimeMillis": 0,
            "elapsedTimeMillis": elapsed,
            "processedRows": query.rows_sent,
            "processedBytes": 0,
            "physicalInputBytes": 0,
            "peakMemoryBytes": 0,
            "spilledBytes": 0,
        }

    def cancel(self, query: _Query) -> None:
        query.cancelled.set()
        if query.result is not None:
            query.result.cancel()
        if query.error is None:
            query.error = UserCanceledError("Query was canceled")


def _base_url(request: Request) -> str:
    return f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"


def _error_response(status: int, message: str, **headers: str) -> Response:
    return PlainTextResponse(message + "\n", status_code=status, headers=headers)


def _identity(request: Request, users: Users) -> Identity:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        raise AuthenticationError("Unauthorized: send HTTP Basic credentials (a user of SQL_USERS)")
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        raise AuthenticationError("Unauthorized: malformed Basic credentials") from None
    identity = users.authenticate(user, password)
    claimed = request.headers.get("x-trino-user")
    if claimed and claimed != identity.user:
        raise AuthenticationError(f"Access Denied: User {identity.user} cannot impersonate user {claimed}")
    return identity


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> Starlette:
    """The ASGI app (uvicorn serves it; tests too, on a free port)."""
    settings = settings or get_settings()
    coordinator = Coordinator(engine or Engine(settings), Users(settings))

    def authenticated(request: Request) -> Identity | Response:
        try:
            return _identity(request, coordinator.users)
        except AuthenticationError as error:
            return _error_response(401, error.message, **{"WWW-Authenticate": 'Basic realm="Trino"'})

    async def statement(request: Request) -> Response:
        identity = authenticated(request)
        if isinstance(identity, Response):
            return identity
        sql = (await request.body()).decode("utf-8")
        if not sql.strip():
            return _error_response(400, "SQL statement is empty")
        query = coordinator.submit(
            sql, identity, request.headers.get("x-trino-catalog"), request.headers.get("x-trino-schema")
        )
        base = _base_url(request)
        doc = {
            "id": query.id,
            "infoUri": f"{base}/ui/query.html?{query.id}",
            "nextUri": f"{base}/v1/statement/executing/{query.id}/{query.slug}/0",
            "stats": coordinator._stats(query, "QUEUED"),
            "warnings": [],
        }
        return JSONResponse(doc)

    def _find(request: Request) -> _Query | Response:
        identity = authenticated(request)
        if isinstance(identity, Response):
            return identity
        query = coordinator.queries.get(request.path_params["query_id"])
        if query is None or query.slug != request.path_params["slug"] or query.identity != identity:
            return _error_response(404, "Query not found")
        return query

    def executing(request: Request) -> Response:
        query = _find(request)
        if isinstance(query, Response):
            return query
        token = int(request.path_params["token"])
        with query.lock:
            if query.last is not None and query.last[0] == token:  # a retried request: same page again
                return JSONResponse(query.last[1], headers=query.headers)
            if token != query.token:
                return _error_response(410, f"Token {token} is gone: the next token is {query.token}")
            doc = coordinator.page(query, _base_url(request))
            query.last = (token, doc)
        return JSONResponse(doc, headers=query.headers)

    def cancel(request: Request) -> Response:
        query = _find(request)
        if isinstance(query, Response):
            return query
        coordinator.cancel(query)
        return Response(status_code=204)

    def info(request: Request) -> Response:
        uptime = time.time() - coordinator.started
        return JSONResponse(
            {
                "nodeVersion": {"version": TRINO_VERSION},
                "environment": "lakehouse",
                "coordinator": True,
                "starting": False,
                "uptime": f"{uptime / 60:.2f}m",
            }
        )

    def state(request: Request) -> Response:
        return JSONResponse("ACTIVE")

    routes = [
        Route("/v1/statement", statement, methods=["POST"]),
        Route("/v1/statement/{phase:str}/{query_id:str}/{slug:str}/{token:int}", executing, methods=["GET"]),
        Route("/v1/statement/{phase:str}/{query_id:str}/{slug:str}/{token:int}", cancel, methods=["DELETE"]),
        Route("/v1/info", info, methods=["GET"]),
        Route("/v1/info/state", state, methods=["GET"]),
    ]
    app = Starlette(routes=routes)
    app.state.coordinator = coordinator
    return app


def serve(settings: Settings | None = None, host: str | None = None, port: int | None = None) -> None:
    """Run the endpoint in the foreground until interrupted."""
    import uvicorn

    settings = settings or get_settings()
    ssl = {}
    if settings.sql_tls_certfile:
        ssl = {
            "ssl_certfile": str(settings.sql_tls_certfile),
            "ssl_keyfile": str(settings.sql_tls_keyfile or ""),
        }
    uvicorn.run(
        create_app(settings),
        host=host or settings.sql_host,
        port=port or settings.sql_port,
        log_level="warning",
        **ssl,
    )
