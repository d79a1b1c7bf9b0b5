"""POST /postings: a JSON body, raw text or a multipart upload becomes raw postings (202).

Served by the ingest service beside /metrics, /healthz and /readyz (same host and port,
127.0.0.1 by default); GET /openapi.json describes it. When `JOBSTREAM_INGEST_API_TOKEN` is
set, POST /postings needs `Authorization: Bearer <token>` (compared in constant time, never
logged). Bodies are read as a stream and refused with 413 once over the size limit.
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from aiohttp import BodyPartReader, web
from aiokafka.errors import KafkaError
from pydantic import SecretStr

from jobstream.contracts import SourceFormat
from jobstream.errors import JobstreamError
from jobstream.logs import get_logger
from jobstream_ingest.intake import Limits, detect_format, read_postings
from jobstream_ingest.openapi import openapi_document
from jobstream_ingest.publishing import Ingestor, Input, Report

log = get_logger(__name__)

CONTENT_TYPES: Final[Mapping[str, SourceFormat]] = {
    "text/plain": "txt",
    "text/markdown": "md",
    "text/x-markdown": "md",
    "text/html": "html",
    "application/json": "json",
    "application/x-ndjson": "jsonl",
    "application/ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/x-jsonlines": "jsonl",
    "text/csv": "csv",
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
}
# Content types that say nothing about the format inside: the name's suffix decides.
GENERIC_TYPES: Final = frozenset(
    {"", "application/octet-stream", "application/gzip", "application/x-gzip"}
)
# Room for the boundaries and part headers of a multipart body, on top of the size limit.
MULTIPART_OVERHEAD: Final = 64 * 1024
# Files one multipart upload may hold: 10 MiB of empty parts would otherwise be some 100,000
# inputs to read and report, each costing far more than its bytes.
MAX_PARTS: Final = 1_000
_CHUNK: Final = 64 * 1024
# Error statuses of rejections that are not "bad request".
_STATUS: Final[Mapping[str, int]] = {
    "too_large": 413,
    "too_many_postings": 413,
    "unsupported_format": 415,
}


class RequestError(JobstreamError):
    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error, self.message = status, error, message


@dataclass(frozen=True)
class Upload:
    name: str | None
    format: SourceFormat | None
    data: bytes


class PostingsApi:
    def __init__(self, ingestor: Ingestor, limits: Limits, token: SecretStr | None) -> None:
        self.ingestor = ingestor
        self.limits = limits
        self._token = token.get_secret_value().encode() if token else None
        self._document = openapi_document(limits, token_required=token is not None)

    def routes(self) -> list[web.RouteDef]:
        return [web.post("/postings", self.post), web.get("/openapi.json", self.openapi)]

    async def openapi(self, _: web.Request) -> web.Response:
        return web.json_response(self._document)

    async def post(self, request: web.Request) -> web.Response:
        try:
            self._authorise(request)
            uploads = await self._uploads(request)
        except RequestError as error:
            return _error(error.status, error.error, error.message)
        limits = self.limits

        def read() -> list[Input]:
            return [
                Input(
                    upload.name or "request body",
                    len(upload.data),
                    read_postings(upload.name, upload.data, "http", limits, upload.format),
                )
                for upload in uploads
            ]

        inputs = await asyncio.to_thread(read)
        try:
            reports = await self.ingestor.ingest("http", inputs)
        except KafkaError as error:
            log.error("publishing failed", error=str(error))
            return _error(503, "unavailable", "Kafka did not take the postings; try again")
        return _answer(reports)

    def _authorise(self, request: web.Request) -> None:
        if self._token is None:
            return
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        supplied = given.strip().encode("utf-8", "surrogateescape")
        if scheme.lower() != "bearer" or not hmac.compare_digest(supplied, self._token):
            raise RequestError(401, "unauthorized", "send Authorization: Bearer <token>")

    async def _uploads(self, request: web.Request) -> list[Upload]:
        if request.headers.get("Content-Encoding", "identity").lower() != "identity":
            raise RequestError(
                415,
                "unsupported_encoding",
                "Content-Encoding is not accepted; send a gzip file as the body instead "
                "(Content-Type: application/gzip and ?name=<file>.gz)",
            )
        multipart = request.content_type.startswith("multipart/")
        limit = self.limits.max_file_bytes + (MULTIPART_OVERHEAD if multipart else 0)
        if request.content_length is not None and request.content_length > limit:
            raise RequestError(413, "too_large", _over(request.content_length, limit))
        if multipart:
            return await self._parts(request, limit)
        name = request.query.get("name") or None
        fmt = _format(request.content_type, name)
        if fmt is None and request.content_type not in GENERIC_TYPES:
            raise RequestError(
                415,
                "unsupported_format",
                f"{request.content_type} is not read; use one of {', '.join(CONTENT_TYPES)}",
            )
        data = await _read_stream(request, limit)
        if not data:
            raise RequestError(400, "empty", "the request has no body")
        return [Upload(name, fmt, data)]

    async def _parts(self, request: web.Request, limit: int) -> list[Upload]:
        try:
            reader = await request.multipart()
        except (ValueError, AssertionError) as error:
            raise _bad_multipart(error) from error
        uploads: list[Upload] = []
        total = 0
        while True:
            try:
                part = await reader.next()
            except ValueError as error:
                raise _bad_multipart(error) from error
            if part is None:
                break
            if len(uploads) >= MAX_PARTS:
                raise RequestError(
                    413, "too_many_parts", f"over {MAX_PARTS:,} files in one upload; split it"
                )
            if not isinstance(part, BodyPartReader):
                raise RequestError(400, "bad_multipart", "nested multipart bodies are not read")
            data = bytearray()
            while chunk := await part.read_chunk(_CHUNK):
                data += chunk
                total += len(chunk)
                if total > limit:
                    raise RequestError(413, "too_large", f"the files are over {limit:,} bytes")
            name = part.filename or None
            content_type = part.headers.get("Content-Type", "").split(";")[0].strip().lower()
            fmt = _format(content_type, name) or (None if name else "txt")
            uploads.append(Upload(name or part.name, fmt, bytes(data)))
        if not uploads:
            raise RequestError(400, "empty", "the multipart body holds no file")
        return uploads


def _bad_multipart(error: Exception) -> RequestError:
    return RequestError(400, "bad_multipart", f"not a valid multipart body: {error}")


def _format(content_type: str, name: str | None) -> SourceFormat | None:
    """The format a name's suffix says, else the content type's; None when neither says.

    The name wins: clients label uploads loosely (text/plain for a .jsonl file).
    """
    fmt = detect_format(name).format if name else None
    return fmt or CONTENT_TYPES.get(content_type.lower())


async def _read_stream(request: web.Request, limit: int) -> bytes:
    data = bytearray()
    async for chunk in request.content.iter_chunked(_CHUNK):
        data += chunk
        if len(data) > limit:
            raise RequestError(413, "too_large", f"the body is over the limit of {limit:,} bytes")
    return bytes(data)


def _answer(reports: list[Report]) -> web.Response:
    ids = [posting_id for report in reports for posting_id in report.posting_ids]
    rejected = [
        {
            "name": report.name,
            "record": rejection.record,
            "reason": rejection.reason,
            "error": rejection.describe(),
        }
        for report in reports
        for rejection in report.rejections
    ]
    if not ids:
        first = reports[0].rejections[0]
        status = _STATUS.get(first.reason, 400)
        return _error(status, first.reason, first.describe(), rejected=rejected)
    body: dict[str, Any] = {
        "posting_ids": ids,
        "published": sum(report.published for report in reports),
        "skipped": sum(report.skipped for report in reports),
        "already_seen": sum(report.already_seen for report in reports),
        "rejected": rejected,
    }
    if len(ids) == 1:
        body = {"posting_id": ids[0], **body}
    return web.json_response(body, status=202)


def _error(status: int, error: str, message: str, **extra: object) -> web.Response:
    headers = {"WWW-Authenticate": 'Bearer realm="jobstream"'} if status == 401 else None
    body = {"error": error, "message": message, **extra}
    return web.json_response(body, status=status, headers=headers)


def _over(size: int, limit: int) -> str:
    return f"{size:,} bytes is over the limit of {limit:,} bytes"
