"""The native stack's alert receiver (`jobstream serve alert-receiver`): Alertmanager's webhook.

Alertmanager routes every alert to a receiver; on one machine there is no pager or chat to
send to, so the stack runs this small one: each notification's alerts are appended as JSON
lines to `<state>/alerts/alerts.jsonl`, logged, and counted in
`jobstream_alerts_received_total{alertname,severity,status}`. `GET /alerts` lists the latest.
Point Alertmanager elsewhere (`JOBSTREAM_STACK_ALERT_WEBHOOK_URL`) to page someone instead.
"""

from __future__ import annotations

import asyncio
import json
import signal
from collections import deque
from pathlib import Path
from typing import Any

from aiohttp import web
from pydantic import Field
from pydantic_settings import SettingsConfigDict

from jobstream import metrics
from jobstream.logs import configure_logging, get_logger
from jobstream.ops_http import start_ops_server
from jobstream.settings import ServiceSettings

log = get_logger(__name__)
SERVICE = "alert-receiver"
MAX_BODY_BYTES = 1024 * 1024  # Alertmanager sends kilobytes; anything larger is not from it
KEPT = 1000  # alerts `GET /alerts` can list


class AlertReceiverSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="JOBSTREAM_ALERT_RECEIVER_", frozen=True)

    http_port: int = Field(19096, description="its webhook (POST /alerts) and ops port")
    log_file: Path | None = Field(None, description="default: <state dir>/alerts/alerts.jsonl")

    @property
    def alerts_file(self) -> Path:
        return self.log_file or self.runtime.state_dir / "alerts" / "alerts.jsonl"


def received_alerts(payload: Any) -> list[dict[str, Any]]:
    """The alerts of one webhook notification (version 4), each with its status and labels."""
    if not isinstance(payload, dict) or not isinstance(payload.get("alerts"), list):
        raise ValueError("not an Alertmanager webhook notification")
    found = []
    for alert in payload["alerts"]:
        if not isinstance(alert, dict) or not isinstance(alert.get("labels"), dict):
            raise ValueError("an alert without labels")
        found.append(
            {
                "receiver": payload.get("receiver"),
                "status": alert.get("status"),
                "labels": alert["labels"],
                "annotations": alert.get("annotations", {}),
                "startsAt": alert.get("startsAt"),
                "endsAt": alert.get("endsAt"),
            }
        )
    return found


class AlertLog:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.latest: deque[dict[str, Any]] = deque(maxlen=KEPT)

    async def post(self, request: web.Request) -> web.Response:
        if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
            return web.json_response({"error": "too large"}, status=413)
        try:
            body = await request.content.read(MAX_BODY_BYTES + 1)
            if len(body) > MAX_BODY_BYTES:
                return web.json_response({"error": "too large"}, status=413)
            alerts = received_alerts(json.loads(body))
        except ValueError as error:
            return web.json_response({"error": str(error)}, status=400)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as file:
            for alert in alerts:
                file.write(json.dumps(alert, sort_keys=True) + "\n")
        for alert in alerts:
            labels = alert["labels"]
            name, severity = labels.get("alertname", ""), labels.get("severity", "")
            metrics.ALERTS_RECEIVED.labels(
                name[:100], severity[:20], str(alert["status"])[:20]
            ).inc()
            self.latest.append(alert)
            log.warning("alert", alertname=name, severity=severity, status=alert["status"],
                        summary=alert["annotations"].get("summary"))  # fmt: skip
        return web.json_response({"received": len(alerts)})

    async def get(self, _: web.Request) -> web.Response:
        return web.json_response({"alerts": list(self.latest)})


async def run(settings: AlertReceiverSettings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    alerts = AlertLog(settings.alerts_file)
    routes = [web.post("/alerts", alerts.post), web.get("/alerts", alerts.get)]
    runner = await start_ops_server(settings.http_host, settings.http_port, {}, routes)
    log.info("receiving alerts", file=str(settings.alerts_file), port=settings.http_port)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def serve(settings: AlertReceiverSettings) -> None:
    configure_logging(SERVICE, settings.runtime.log_level)
    asyncio.run(run(settings))
