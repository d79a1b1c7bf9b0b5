"""The Grafana "labour market" dashboard: skill demand and pay from PostgreSQL, generated.

Its panels read the read side's views (migrations 0009, 0018) through a PostgreSQL data
source that docker-compose provisions as the read-only reader role
(deploy/grafana/provisioning/datasources/postgres.yml). `jobstream stack dashboards` writes
it beside the pipeline dashboards, in a folder of its own; a test keeps the file equal to
this module's output, and another runs every panel's query against a seeded database.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from jobstream_stack.grafana import DASHBOARDS_DIR, SCHEMA_VERSION

FOLDER: Final = DASHBOARDS_DIR / "labour-market"
UID: Final = "jobstream-labour-market"
# The data source of deploy/grafana/provisioning/datasources/postgres.yml.
DATASOURCE: Final = {"type": "grafana-postgresql-datasource", "uid": "jobstream-postgres"}


@dataclass(frozen=True)
class SqlPanel:
    title: str
    sql: str
    kind: Literal["timeseries", "table", "stat", "barchart"]
    width: int = 12
    height: int = 8
    unit: str = "short"
    description: str = ""

    @property
    def format(self) -> str:
        return "time_series" if self.kind == "timeseries" else "table"


# Chosen skills and country; a panel reads them as ${skill:sqlstring} / ${country:sqlstring}.
VARIABLES: Final = (
    {
        "name": "skill",
        "label": "skills",
        "query": "SELECT skill_id FROM skill_postings ORDER BY postings DESC, skill_id LIMIT 200",
        "multi": True,
        "description": "skills to chart (most asked for first)",
    },
    {
        "name": "country",
        "label": "country",
        "query": "SELECT '*' AS __value, 'all countries' AS __text UNION ALL "
        "(SELECT DISTINCT country, country FROM skill_demand WHERE country <> '*' ORDER BY 1)",
        "multi": False,
        "description": "one country, or all",
    },
)

PANELS: Final = (
    SqlPanel(
        "Postings stored",
        "SELECT count(*) AS postings FROM postings",
        "stat",
        width=6,
        height=4,
    ),
    SqlPanel(
        "Skills asked for",
        "SELECT count(*) AS skills FROM skill_postings",
        "stat",
        width=6,
        height=4,
    ),
    SqlPanel(
        "Jobs with pay stated",
        "SELECT coalesce(sum(postings), 0) AS postings FROM skill_pay"
        " WHERE skill_id = '*' AND country = ${country:sqlstring}",
        "stat",
        width=6,
        height=4,
    ),
    SqlPanel(
        "Views refreshed",
        "SELECT extract(epoch FROM refreshed_at) * 1000 AS refreshed FROM read_views_refreshed",
        "stat",
        width=6,
        height=4,
        unit="dateTimeFromNow",
        description="The store refreshes the views when postings changed (every 5 minutes).",
    ),
    SqlPanel(
        "Postings per week, the 10 skills most asked for",
        "SELECT d.period::timestamptz AS time, d.skill_id AS metric, d.postings AS value"
        " FROM skill_demand d"
        " WHERE d.grain = 'week' AND d.country = ${country:sqlstring} AND d.occupation = '*'"
        " AND d.period BETWEEN $__timeFrom()::date - 6 AND $__timeTo()::date"
        " AND d.skill_id IN (SELECT skill_id FROM skill_demand WHERE grain = 'week'"
        " AND country = ${country:sqlstring} AND occupation = '*'"
        " AND period BETWEEN $__timeFrom()::date - 6 AND $__timeTo()::date"
        " GROUP BY skill_id ORDER BY sum(postings) DESC, skill_id LIMIT 10)"
        " ORDER BY 1, 2",
        "timeseries",
        width=24,
        description="A near-duplicate cluster counts once where clusters are stored.",
    ),
    SqlPanel(
        "Postings per week, chosen skills",
        "SELECT d.period::timestamptz AS time, d.skill_id AS metric, d.postings AS value"
        " FROM skill_demand d"
        " WHERE d.grain = 'week' AND d.country = ${country:sqlstring} AND d.occupation = '*'"
        " AND d.skill_id IN (${skill:sqlstring})"
        " AND d.period BETWEEN $__timeFrom()::date - 6 AND $__timeTo()::date"
        " ORDER BY 1, 2",
        "timeseries",
    ),
    SqlPanel(
        "Postings per month, chosen skills",
        "SELECT d.period::timestamptz AS time, d.skill_id AS metric, d.postings AS value"
        " FROM skill_demand d"
        " WHERE d.grain = 'month' AND d.country = ${country:sqlstring} AND d.occupation = '*'"
        " AND d.skill_id IN (${skill:sqlstring})"
        " AND d.period BETWEEN date_trunc('month', $__timeFrom()::date)::date AND $__timeTo()::date"
        " ORDER BY 1, 2",
        "timeseries",
    ),
    SqlPanel(
        "Skills most asked for",
        'SELECT k.name AS skill, c.postings, c.required AS "as required",'
        ' round(100.0 * c.required / c.postings) AS "required %"'
        " FROM skill_postings c JOIN skills k USING (skill_id)"
        " ORDER BY c.postings DESC, k.name LIMIT 25",
        "table",
    ),
    SqlPanel(
        "Yearly pay by skill (p25, median, p75)",
        "SELECT k.name AS skill, p.currency, p.postings, round(p.p25) AS p25,"
        " round(p.p50) AS median, round(p.p75) AS p75"
        " FROM skill_pay p JOIN skills k USING (skill_id)"
        " WHERE p.country = ${country:sqlstring} AND p.postings >= 1"
        " ORDER BY p.postings DESC, k.name, p.currency LIMIT 25",
        "table",
        description="Pay for a year (the middle of a range; hourly or monthly pay annualised by"
        " the parser), per currency; a job posted several times counts once.",
    ),
    SqlPanel(
        "Postings per occupation",
        "SELECT occupation_title AS occupation, count(*) AS postings FROM postings"
        " WHERE occupation_code IS NOT NULL"
        " GROUP BY occupation_code, occupation_title ORDER BY postings DESC, 1 LIMIT 20",
        "barchart",
        description="O*NET-SOC occupations as the tagger coded them from titles and skills.",
    ),
    SqlPanel(
        "Postings per country",
        "SELECT country, count(*) AS postings FROM posting_countries"
        " GROUP BY country ORDER BY postings DESC, country LIMIT 20",
        "barchart",
    ),
)


def variable_json(variable: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": variable["name"],
        "label": variable["label"],
        "description": variable["description"],
        "type": "query",
        "datasource": DATASOURCE,
        "query": variable["query"],
        "definition": variable["query"],
        "refresh": 1,
        "multi": variable["multi"],
        "includeAll": False,
        "current": {},
    }


def panel_json(panel: SqlPanel, panel_id: int, x: int, y: int) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": panel_id,
        "type": panel.kind,
        "title": panel.title,
        "description": panel.description,
        "datasource": DATASOURCE,
        "gridPos": {"h": panel.height, "w": panel.width, "x": x, "y": y},
        "fieldConfig": {"defaults": {"unit": panel.unit}, "overrides": []},
        "targets": [
            {
                "refId": "A",
                "datasource": DATASOURCE,
                "editorMode": "code",
                "format": panel.format,
                "rawQuery": True,
                "rawSql": panel.sql,
            }
        ],
    }
    if panel.kind == "stat":
        body["options"] = {"reduceOptions": {"calcs": ["lastNotNull"], "values": False}}
    return body


def dashboard_json() -> dict[str, Any]:
    panels: list[dict[str, Any]] = []
    x, y, row_height = 0, 0, 0
    for panel in PANELS:
        if x + panel.width > 24:
            x, y, row_height = 0, y + row_height, 0
        panels.append(panel_json(panel, len(panels) + 1, x, y))
        x += panel.width
        row_height = max(row_height, panel.height)
    return {
        "uid": UID,
        "title": "jobstream: labour market",
        "description": "Skill demand per week and month, and yearly pay, from what was stored "
        "(the read side's views, docs/read-side.md).",
        "tags": ["jobstream", "labour market"],
        "editable": True,
        "timezone": "utc",
        "refresh": "1m",
        "time": {"from": "now-1y", "to": "now"},
        "schemaVersion": SCHEMA_VERSION,
        "version": 1,
        "annotations": {"list": []},
        "templating": {"list": [variable_json(variable) for variable in VARIABLES]},
        "panels": panels,
    }


def rendered() -> dict[Path, str]:
    return {
        FOLDER / f"{UID}.json": json.dumps(dashboard_json(), indent=2, ensure_ascii=False) + "\n"
    }


def write_dashboard() -> list[Path]:
    FOLDER.mkdir(parents=True, exist_ok=True)
    for path, text in rendered().items():
        path.write_text(text, encoding="utf-8")
    return list(rendered())
