"""The OpenAPI 3.1 document of the query API (served at GET /openapi.json).

Response schemas are generated from the pydantic models of `results.py`; parameters and their
limits come from `queries.py`'s constants. A unit test validates the document with
openapi-spec-validator and checks answers of the real handlers against its schemas.
"""

from __future__ import annotations

from typing import Any, get_args

from pydantic.json_schema import models_json_schema

from jobstream import __version__
from jobstream.contracts import EmploymentType, Seniority, WorkMode
from jobstream_api import queries
from jobstream_api.results import (
    DemandStats,
    ErrorOut,
    PayStats,
    PostingDetail,
    PostingPage,
    SkillDetail,
    SkillList,
)

_REF = "#/components/schemas/{model}"
_MODELS = (PostingPage, PostingDetail, SkillList, SkillDetail, DemandStats, PayStats, ErrorOut)


# A country: what `queries._country` accepts.
_COUNTRY = (
    "an ISO 3166-1 alpha-2 code (DE), or a country's name (Germany); matches the postings"
    " whose offices or remote scope are in it"
)


def _parameter(
    name: str, schema: dict[str, Any], description: str, *, where: str = "query", **extra: Any
) -> dict[str, Any]:
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "description": description,
        "schema": schema,
        **extra,
    }


def _text(name: str, description: str) -> dict[str, Any]:
    return _parameter(name, {"type": "string", "maxLength": queries.MAX_TEXT}, description)


def _choice(name: str, choices: tuple[str, ...], description: str) -> dict[str, Any]:
    return _parameter(name, {"type": "string", "enum": list(choices)}, description)


_SKILL_ID = {"type": "string", "pattern": queries.SKILL_ID.pattern}
_DATE = {"type": "string", "format": "date"}
_FILTERS = [
    _text("q", 'full text (web search syntax: words, "a phrase", -excluded, or)'),
    _parameter(
        "skill",
        {"type": "array", "items": _SKILL_ID, "maxItems": queries.MAX_SKILLS},
        f"canonical skill id; repeat for several (up to {queries.MAX_SKILLS}): all must match",
        style="form",
        explode=True,
    ),
    _parameter("required", {"type": "boolean"}, "the skills must be required, not preferred"),
    _text("company", "the company, whatever the case"),
    _text("country", _COUNTRY),
    _choice("work_mode", get_args(WorkMode), "remote, hybrid, onsite"),
    _choice("employment_type", get_args(EmploymentType), "schema.org employment type"),
    _choice("seniority", get_args(Seniority), "seniority of the role"),
    _parameter(
        "occupation",
        {"type": "string", "pattern": queries.OCCUPATION.pattern},
        "O*NET-SOC occupation code, as the tagger coded it (15-1252.00)",
    ),
    _parameter(
        "salary_min",
        {"type": "number", "minimum": 0, "maximum": queries.MAX_SALARY},
        "pay for a year at least this (hourly, monthly... pay annualised by the parser),"
        " in the posting's currency",
    ),
    _parameter("since", {"type": "string"}, "received at or after (ISO 8601 date or time)"),
    _parameter("until", {"type": "string"}, "received before (ISO 8601 date or time)"),
]


def _answer(model: str, description: str = "OK") -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": _REF.format(model=model)}}},
    }


def _get(
    summary: str, operation: str, model: str, parameters: list[dict[str, Any]], *, found: bool
) -> dict[str, Any]:
    responses = {
        "200": _answer(model),
        "400": _answer("ErrorOut", "a parameter is wrong; `parameter` names it"),
        "401": _answer("ErrorOut", "a bearer token is configured and was not sent"),
        "503": _answer("ErrorOut", "the database cannot answer now, or not in time"),
    }
    if found:
        responses["404"] = _answer("ErrorOut", "not stored")
    return {
        "get": {
            "summary": summary,
            "operationId": operation,
            "parameters": parameters,
            "responses": responses,
        }
    }


def openapi_document(token_required: bool) -> dict[str, Any]:
    _, schemas = models_json_schema(
        [(model, "serialization") for model in _MODELS], ref_template=_REF
    )
    limit = _parameter(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": queries.MAX_LIMIT},
        f"items per page (default {queries.DEFAULT_LIMIT})",
    )
    paths = {
        "/postings": _get(
            "Search stored postings",
            "searchPostings",
            "PostingPage",
            [
                *_FILTERS,
                _choice("sort", get_args(queries.Sort), "recent (default) or relevance to q"),
                limit,
                _parameter(
                    "cursor",
                    {"type": "string", "maxLength": queries.MAX_CURSOR},
                    "next_cursor of the previous page (same filters and sort)",
                ),
            ],
            found=False,
        ),
        "/postings/{id}": _get(
            "One posting: fields with evidence, sections, text, skills with spans",
            "getPosting",
            "PostingDetail",
            [
                _parameter(
                    "id",
                    {"type": "string", "pattern": "^[0-9a-f]{32}$"},
                    "posting id",
                    where="path",
                )
            ],
            found=True,
        ),
        "/skills": _get(
            "Look skills up by id or name, with posting counts",
            "findSkills",
            "SkillList",
            [_text("q", "part of a skill's id or name"), limit],
            found=False,
        ),
        "/skills/{id}": _get(
            "One skill: counts and co-occurring skills",
            "getSkill",
            "SkillDetail",
            [_parameter("id", _SKILL_ID, "canonical skill id", where="path")],
            found=True,
        ),
        "/stats/skills": _get(
            "Postings per skill per week or month (a near-duplicate cluster counts once)",
            "skillDemand",
            "DemandStats",
            [
                _parameter(
                    "skill",
                    {"type": "array", "items": _SKILL_ID, "maxItems": 20},
                    "skills to chart; none: the most asked for",
                    style="form",
                    explode=True,
                ),
                _parameter("since", _DATE, "first day"),
                _parameter("until", _DATE, "day after the last"),
                _choice("bucket", get_args(queries.Bucket), "week (default) or month"),
                _text("country", "only postings placed in this country: " + _COUNTRY),
                _parameter(
                    "occupation",
                    {"type": "string", "pattern": queries.OCCUPATION.pattern},
                    "only postings of this O*NET-SOC occupation",
                ),
                _parameter(
                    "limit",
                    {"type": "integer", "minimum": 1, "maximum": 50},
                    "skills when none are named (default 10)",
                ),
            ],
            found=False,
        ),
        "/stats/pay": _get(
            "Annual pay percentiles (p25, p50, p75) and counts, per currency",
            "payStats",
            "PayStats",
            [
                _parameter("skill", _SKILL_ID, "only postings asking for this skill"),
                _text("country", "only postings placed in this country: " + _COUNTRY),
            ],
            found=False,
        ),
    }
    if token_required:
        for path in paths.values():
            path["get"]["security"] = [{"bearer": []}]
    ops = {"responses": {"200": {"description": "OK"}, "503": {"description": "not ready"}}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "jobstream query API",
            "version": __version__,
            "description": "Read what the pipeline stored: postings, skills, demand and pay. "
            "The posting explorer page is at /.",
        },
        "paths": {
            **paths,
            "/healthz": {"get": {"summary": "alive", **ops}},
            "/readyz": {"get": {"summary": "ready (PostgreSQL answers)", **ops}},
            "/metrics": {"get": {"summary": "Prometheus metrics", **ops}},
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas["$defs"],
        },
    }
