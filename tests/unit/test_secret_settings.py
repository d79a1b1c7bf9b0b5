"""Secrets set through the environment (the PostgreSQL passwords, the ingest API token, the
Kafka SASL password and private-key password) never show: not in settings' repr or JSON, not
in validation errors, not in log lines (through the real structlog set-up), not on /metrics
nor in the OpenAPI document. tests/e2e/test_hostile_inputs.py checks the running services'
logs and /metrics for the API token too."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
import trustme
from aiohttp.test_utils import TestClient, TestServer
from pydantic import BaseModel, SecretStr, ValidationError

from jobstream.kafka.config import client_options
from jobstream.logs import MASK, configure_logging, get_logger
from jobstream.ops_http import build_ops_app
from jobstream.settings import KafkaSettings, PostgresSettings
from jobstream_ingest.adapters.http_api import PostingsApi
from jobstream_ingest.intake import Limits
from jobstream_ingest.settings import IngestSettings
from jobstream_replay.settings import ReplaySettings
from jobstream_stack.services import SERVICES

pytestmark = pytest.mark.unit

SECRETS = {
    "JOBSTREAM_PG_PASSWORD": "pg-service-secret-4b1d",
    "JOBSTREAM_PG_OWNER_PASSWORD": "pg-owner-secret-77aa",
    "JOBSTREAM_INGEST_API_TOKEN": "ingest-token-secret-9f2e",
    "JOBSTREAM_KAFKA_SASL_PASSWORD": "kafka-sasl-secret-31c8",
    "JOBSTREAM_KAFKA_SSL_KEY_PASSWORD": "kafka-key-secret-0d6f",
}


@pytest.fixture
def secret_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    client = trustme.CA().issue_cert("jobstream-client@example.org")
    client.cert_chain_pems[0].write_to_path(str(tmp_path / "client.pem"))
    client.private_key_pem.write_to_path(str(tmp_path / "client.key"))
    for name, value in {
        "JOBSTREAM_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "JOBSTREAM_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
        "JOBSTREAM_KAFKA_SASL_USERNAME": "jobstream",
        "JOBSTREAM_KAFKA_SSL_CERTFILE": str(tmp_path / "client.pem"),
        "JOBSTREAM_KAFKA_SSL_KEYFILE": str(tmp_path / "client.key"),
    }.items():
        monkeypatch.setenv(name, value)
    yield


def assert_no_secret(text: str, where: str) -> None:
    leaked = [name for name, value in SECRETS.items() if value in text]
    assert not leaked, f"{where} shows {leaked}"


def all_settings() -> list[BaseModel]:
    return [
        *(settings() for settings in SERVICES.values()),
        ReplaySettings(),
        KafkaSettings(),
        PostgresSettings(),
    ]


def test_settings_read_the_secrets_and_never_show_them(secret_env: None) -> None:
    ingest = IngestSettings()
    assert ingest.api_token is not None
    assert ingest.api_token.get_secret_value() == SECRETS["JOBSTREAM_INGEST_API_TOKEN"]
    kafka = KafkaSettings()
    assert client_options(kafka)["sasl_plain_password"] == SECRETS["JOBSTREAM_KAFKA_SASL_PASSWORD"]
    for settings in all_settings():
        name = type(settings).__name__
        for shown in (repr(settings), str(settings), settings.model_dump_json()):
            assert_no_secret(shown, name)
        assert_no_secret(str(settings.model_dump()), f"{name}.model_dump()")


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("JOBSTREAM_INGEST_API_TOKEN", "short-token"),  # refused: under 16 characters
        ("JOBSTREAM_KAFKA_PARTITIONS", "zero"),
        ("JOBSTREAM_KAFKA_SASL_MECHANISM", "MD5"),
    ],
)
def test_a_refused_setting_does_not_echo_secrets(
    secret_env: None, monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError) as refused:
        IngestSettings()
    assert_no_secret(str(refused.value), "the validation error")
    assert "short-token" not in str(refused.value)


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    """The services' real log set-up (its stderr handler writing here); undone afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    configure_logging("ingest", "DEBUG")
    written = io.StringIO()
    for handler in root.handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(written)
    yield written
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()


def test_log_lines_never_show_secrets(secret_env: None, json_logs: io.StringIO) -> None:
    ingest, kafka, postgres = IngestSettings(), KafkaSettings(), PostgresSettings()
    log = get_logger("test.secrets")
    # What careless code could log: whole settings, client options, connection arguments,
    # fields named like secrets, and an exception about a refused setting.
    log.info("settings", settings=ingest, kafka=kafka, postgres=postgres)
    log.info("kafka client", options=client_options(kafka))
    log.info("connecting", **postgres.connect_kwargs())
    log.info("owner", args=[postgres.owner_connect_kwargs()])
    log.warning("token", api_token=SECRETS["JOBSTREAM_INGEST_API_TOKEN"], token_required=True)
    logging.getLogger("aiokafka").warning("stdlib logger: %s", kafka)
    try:
        IngestSettings(api_token=SecretStr("short"))
    except ValidationError:
        log.exception("refused")
    err = json_logs.getvalue()
    assert err.count("\n") >= 7 and MASK in err  # the lines were written, masked
    assert '"token_required": true' in err  # not everything named token is hidden
    assert_no_secret(err, "the log lines")


async def test_metrics_and_the_openapi_document_never_show_secrets(secret_env: None) -> None:
    settings = IngestSettings()
    api = PostingsApi(ingestor=None, limits=Limits(), token=settings.api_token)  # type: ignore[arg-type]
    app = build_ops_app({}, api.routes())
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        metrics = await (await client.get("/metrics")).text()
        document = await (await client.get("/openapi.json")).text()
        refused = await client.post("/postings", data=b"x", headers={"Authorization": "Bearer no"})
        assert refused.status == 401
        answer = await refused.text()
    assert "jobstream_" in metrics and '"bearer"' in document
    for where, text in {"/metrics": metrics, "/openapi.json": document, "401": answer}.items():
        assert_no_secret(text, where)
