"""The OpenAPI 3.1 document of the ingest service's HTTP API (served at GET /openapi.json).

Written by hand: the API is one operation, and a unit test validates the document with
openapi-spec-validator so it cannot rot into something tools refuse.
"""

from __future__ import annotations

from typing import Any

from jobstream import __version__
from jobstream.contracts import ProvidedFields
from jobstream_ingest.formats.fields import FIELD_KEYS, TEXT_KEYS
from jobstream_ingest.intake import Limits

_POSTING_OBJECT: dict[str, Any] = {
    "type": "object",
    "description": (
        f"A posting: its text in one of {', '.join(TEXT_KEYS)} (HTML is turned into text), "
        "and any of the fields below; other keys are ignored."
    ),
    "properties": {
        "text": {"type": "string"},
        **{
            field: {"type": "string", "description": "also: " + ", ".join(keys[1:])}
            for field, keys in FIELD_KEYS.items()
            if field in ProvidedFields.model_fields
        },
    },
}
_REJECTED: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["name", "reason", "error"],
        "properties": {
            "name": {"type": "string"},
            "record": {"type": ["integer", "null"], "description": "item, line or row"},
            "reason": {"type": "string"},
            "error": {"type": "string"},
        },
    },
}
_ERROR: dict[str, Any] = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string", "description": "short reason code"},
        "message": {"type": "string", "description": "what went wrong, in words"},
        "rejected": _REJECTED,
    },
}


def _error_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def openapi_document(limits: Limits, token_required: bool) -> dict[str, Any]:
    binary = {"type": "string", "format": "binary"}
    text = {"type": "string"}
    post: dict[str, Any] = {
        "summary": "Publish job postings to the raw topic",
        "description": (
            "The body is one input in any format ingest reads; its postings are published "
            "and their ids returned once Kafka acknowledged them. A body may be up to "
            f"{limits.max_file_bytes:,} bytes, a posting's text up to "
            f"{limits.max_text_bytes:,} bytes, an input up to {limits.max_postings:,} "
            "postings. A gzip file is read whatever its content type. Records that cannot "
            "be used are listed in `rejected`; the others are still published."
        ),
        "operationId": "postPostings",
        "parameters": [
            {
                "name": "name",
                "in": "query",
                "required": False,
                "description": "file name of the body; a known suffix names its format "
                "(e.g. jobs.jsonl.gz), else the content type does",
                "schema": {"type": "string", "maxLength": 200},
            }
        ],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "oneOf": [
                            {"$ref": "#/components/schemas/Posting"},
                            {"type": "array", "items": {"$ref": "#/components/schemas/Posting"}},
                        ]
                    }
                },
                "application/x-ndjson": {"schema": text},
                "text/plain": {"schema": text},
                "text/markdown": {"schema": text},
                "text/html": {"schema": text},
                "text/csv": {"schema": text},
                "application/pdf": {"schema": binary},
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
                    "schema": binary
                },
                "application/gzip": {"schema": binary},
                "application/octet-stream": {"schema": binary},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "description": "files (named by their file name) or text fields",
                        "additionalProperties": binary,
                    }
                },
            },
        },
        "responses": {
            "202": {
                "description": "the postings are in Kafka (published now, or repeats skipped)",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Accepted"}}
                },
            },
            "400": _error_response("nothing usable: malformed JSON, empty, binary, ..."),
            "401": _error_response("a bearer token is configured and was not sent"),
            "413": _error_response("over the size limit, or over 1,000 files in one upload"),
            "415": _error_response("a content type or file format ingest does not read"),
            "503": _error_response("Kafka did not take the postings; try again later"),
        },
    }
    if token_required:
        post["security"] = [{"bearer": []}]
    ops = {"responses": {"200": {"description": "OK"}, "503": {"description": "not ready"}}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "jobstream ingest",
            "version": __version__,
            "description": "Drop job postings in over HTTP; they go to the raw topic.",
        },
        "paths": {
            "/postings": {"post": post},
            "/healthz": {"get": {"summary": "alive", **ops}},
            "/readyz": {"get": {"summary": "ready (connected to Kafka)", **ops}},
            "/metrics": {"get": {"summary": "Prometheus metrics", **ops}},
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Posting": _POSTING_OBJECT,
                "Accepted": {
                    "type": "object",
                    "required": [
                        "posting_ids",
                        "published",
                        "skipped",
                        "already_seen",
                        "rejected",
                    ],
                    "properties": {
                        "posting_id": {"type": "string", "description": "when there is one"},
                        "posting_ids": {"type": "array", "items": {"type": "string"}},
                        "published": {
                            "type": "integer",
                            "description": "postings sent to Kafka and acknowledged",
                        },
                        "skipped": {
                            "type": "integer",
                            "description": "repeats within the request, not sent twice",
                        },
                        "already_seen": {
                            "type": "integer",
                            "description": "postings whose id ingest had seen before (sent"
                            " again or skipped; the store keeps one copy)",
                        },
                        "rejected": _REJECTED,
                    },
                },
                "Error": _ERROR,
            },
        },
    }
