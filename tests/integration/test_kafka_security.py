"""Kafka security settings (SSL, SASL_SSL) reach every client: producers, admin clients and
the stages' consumers.

Proved with real TLS handshakes: a listener of the test's own on 127.0.0.1 with a certificate
from a throwaway CA (trustme) that requires a client certificate. The clients built from the
settings verify the listener against the configured CA (and refuse it under another CA) and
present the configured client certificate. A second listener answers just enough of Kafka's
protocol (ApiVersions, SaslHandshake) to receive the SASL PLAIN credentials each client sends
over that TLS connection. No Kafka broker is needed.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import trustme
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaConnectionError, KafkaError
from aiokafka.protocol.admin import ApiVersionResponse_v0, SaslHandShakeResponse_v0
from pydantic import ValidationError

from jobstream.kafka.config import client_options, producer_options
from jobstream.kafka.consumer import BatchConsumer
from jobstream.kafka.faust_stage import build_faust_app
from jobstream.settings import KafkaSettings, RuntimeSettings, StageSettings
from jobstream.stages import Record
from jobstream.topology import PARSER

pytestmark = pytest.mark.tls

PASSWORD = "sasl-secret-for-the-tls-test"


@dataclass
class Listener:
    """A TLS listener that records the client certificates of completed handshakes."""

    port: int
    handshakes: list[dict[str, object]] = field(default_factory=list)
    first_bytes: list[bytes] = field(default_factory=list)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


@dataclass(frozen=True)
class Pki:
    ca_file: Path
    other_ca_file: Path
    client_cert: Path
    client_key: Path


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> tuple[trustme.CA, Pki]:
    folder = tmp_path_factory.mktemp("pki")
    ca, other = trustme.CA(), trustme.CA()
    ca.cert_pem.write_to_path(str(folder / "ca.pem"))
    other.cert_pem.write_to_path(str(folder / "other-ca.pem"))
    client = ca.issue_cert("jobstream-client@example.org")
    client.cert_chain_pems[0].write_to_path(str(folder / "client.pem"))
    client.private_key_pem.write_to_path(str(folder / "client.key"))
    files = Pki(
        folder / "ca.pem", folder / "other-ca.pem", folder / "client.pem", folder / "client.key"
    )
    return ca, files


@pytest.fixture
async def listener(pki: tuple[trustme.CA, Pki]) -> AsyncIterator[Listener]:
    ca, _ = pki
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    ca.configure_trust(context)
    context.verify_mode = ssl.CERT_REQUIRED  # mutual TLS: the client must present a cert
    found = Listener(port=0)

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peercert")
        found.handshakes.append(peer or {})
        with contextlib.suppress(Exception):
            found.first_bytes.append(await asyncio.wait_for(reader.read(64), 5))
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=context)
    found.port = server.sockets[0].getsockname()[1]
    async with server:
        yield found


@pytest.fixture
async def sasl_broker(pki: tuple[trustme.CA, Pki]) -> AsyncIterator[Listener]:
    """Just enough of a Kafka broker over TLS to receive a client's SASL PLAIN credentials:
    it answers ApiVersions (offering SaslHandshake v0, so the token follows raw) and the
    handshake, then records the token and hangs up."""
    ca, _ = pki
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    ca.configure_trust(context)
    context.verify_mode = ssl.CERT_REQUIRED
    found = Listener(port=0)

    async def request(reader: asyncio.StreamReader) -> tuple[int, bytes]:
        size = int.from_bytes(await reader.readexactly(4), "big")
        body = await reader.readexactly(size)
        return int.from_bytes(body[4:8], "big"), body  # correlation id, the request

    def answer(writer: asyncio.StreamWriter, correlation: int, body: bytes) -> None:
        payload = correlation.to_bytes(4, "big") + body
        writer.write(len(payload).to_bytes(4, "big") + payload)

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        found.handshakes.append(writer.get_extra_info("peercert") or {})
        with contextlib.suppress(Exception):
            correlation, _ = await request(reader)
            versions = [(17, 0, 0), (18, 0, 0)]  # SaslHandshake, ApiVersions
            answer(writer, correlation, ApiVersionResponse_v0(0, versions).encode())
            correlation, handshake = await request(reader)
            found.first_bytes.append(handshake)
            answer(writer, correlation, SaslHandShakeResponse_v0(0, ["PLAIN"]).encode())
            size = int.from_bytes(await reader.readexactly(4), "big")
            found.first_bytes.append(await reader.readexactly(size))  # the SASL token
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=context)
    found.port = server.sockets[0].getsockname()[1]
    async with server:
        yield found


def settings(listener: Listener, pki: Pki, **overrides: object) -> KafkaSettings:
    values: dict[str, object] = {
        "bootstrap_servers": listener.address,
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_username": "jobstream",
        "sasl_password": PASSWORD,
        "ssl_cafile": pki.ca_file,
        "ssl_certfile": pki.client_cert,
        "ssl_keyfile": pki.client_key,
        **overrides,
    }
    return KafkaSettings(**values)  # type: ignore[arg-type]


async def handshake(context: ssl.SSLContext, listener: Listener) -> None:
    _, writer = await asyncio.open_connection(
        "127.0.0.1", listener.port, ssl=context, server_hostname="127.0.0.1"
    )
    writer.write(b"hello")
    await writer.drain()
    writer.close()
    with contextlib.suppress(Exception):
        await writer.wait_closed()


def client_subject(handshake: dict[str, object]) -> str:
    """Who the client certificate names (trustme puts the identity in subjectAltName)."""
    return repr(handshake.get("subjectAltName", ()))


async def test_settings_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, pki: tuple[trustme.CA, Pki]
) -> None:
    _, files = pki
    env = {
        "JOBSTREAM_KAFKA_BOOTSTRAP_SERVERS": "kafka-1.example.org:9093",
        "JOBSTREAM_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "JOBSTREAM_KAFKA_SASL_MECHANISM": "SCRAM-SHA-256",
        "JOBSTREAM_KAFKA_SASL_USERNAME": "jobstream",
        "JOBSTREAM_KAFKA_SASL_PASSWORD": PASSWORD,
        "JOBSTREAM_KAFKA_SSL_CAFILE": str(files.ca_file),
        "JOBSTREAM_KAFKA_SSL_CERTFILE": str(files.client_cert),
        "JOBSTREAM_KAFKA_SSL_KEYFILE": str(files.client_key),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    kafka = KafkaSettings()
    assert (kafka.security_protocol, kafka.sasl_mechanism) == ("SASL_SSL", "SCRAM-SHA-256")
    assert kafka.ssl_cafile == files.ca_file and kafka.sasl_password is not None
    assert PASSWORD not in repr(kafka)
    options = client_options(kafka)
    assert options["sasl_plain_password"] == PASSWORD
    assert isinstance(options["ssl_context"], ssl.SSLContext)


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"sasl_mechanism": None}, "SASL_MECHANISM"),
        ({"sasl_password": None}, "SASL_PASSWORD"),
        ({"security_protocol": "SSL"}, "SASL_MECHANISM is set"),
        ({"security_protocol": "PLAINTEXT", "sasl_mechanism": None}, "TLS files"),
        ({"ssl_certfile": None}, "SSL_KEYFILE needs"),
    ],
)
def test_half_configured_security_is_refused_saying_what_is_missing(
    overrides: dict[str, object], words: str, pki: tuple[trustme.CA, Pki]
) -> None:
    with pytest.raises(ValidationError) as refused:
        settings(Listener(1), pki[1], **overrides)
    assert words in str(refused.value)
    assert PASSWORD not in str(refused.value)


async def test_aiokafka_clients_verify_the_broker_and_present_the_client_certificate(
    listener: Listener, pki: tuple[trustme.CA, Pki]
) -> None:
    kafka = settings(listener, pki[1])
    await handshake(client_options(kafka)["ssl_context"], listener)
    assert len(listener.handshakes) == 1
    assert "jobstream-client@example.org" in client_subject(listener.handshakes[0])

    # A real aiokafka client built from the settings: it completes the TLS handshake with the
    # client certificate and starts speaking Kafka (which this listener does not answer).
    producer = AIOKafkaProducer(**producer_options(kafka), request_timeout_ms=2_000)
    with pytest.raises(KafkaError):
        await asyncio.wait_for(producer.start(), 30)
    await producer.stop()
    assert len(listener.handshakes) >= 2
    assert all("jobstream-client" in client_subject(peer) for peer in listener.handshakes)
    assert listener.first_bytes[-1]  # a Kafka request went over the encrypted connection


async def test_a_broker_signed_by_another_ca_is_refused(
    listener: Listener, pki: tuple[trustme.CA, Pki]
) -> None:
    kafka = settings(listener, pki[1], ssl_cafile=pki[1].other_ca_file)
    with pytest.raises(ssl.SSLCertVerificationError):
        await handshake(client_options(kafka)["ssl_context"], listener)
    admin = AIOKafkaAdminClient(**client_options(kafka), request_timeout_ms=2_000)
    with pytest.raises((KafkaConnectionError, KafkaError, asyncio.TimeoutError)):
        await asyncio.wait_for(admin.start(), 30)
    await admin.close()
    assert listener.handshakes == []  # no connection was ever established


async def nothing(_: Sequence[Record]) -> None:
    return None


def stage_consumer(kafka: KafkaSettings, state_dir: Path) -> AIOKafkaConsumer:
    """The aiokafka consumer a stage reads its input with, as its worker builds it."""
    stage_settings = StageSettings(kafka=kafka, runtime=RuntimeSettings(state_dir=state_dir))
    consumer: AIOKafkaConsumer = BatchConsumer(PARSER, stage_settings, nothing)._client()
    return consumer


async def test_stages_read_with_the_same_security(
    listener: Listener, pki: tuple[trustme.CA, Pki], tmp_path: Path
) -> None:
    # The stage's consumer connects over TLS with the client certificate (and then speaks
    # Kafka, which this listener does not answer).
    consumer = stage_consumer(settings(listener, pki[1]), tmp_path)
    with pytest.raises((KafkaError, asyncio.TimeoutError)):
        await asyncio.wait_for(consumer.start(), 30)
    await consumer.stop()
    assert listener.handshakes, "no TLS handshake"
    assert "jobstream-client" in client_subject(listener.handshakes[0])
    assert listener.first_bytes[-1]
    # faust, which runs the stage, opens no Kafka client of its own.
    app = build_faust_app(PARSER, StageSettings(runtime=RuntimeSettings(state_dir=tmp_path)))
    assert app.boot_strategy.enable_kafka is False


async def test_sasl_credentials_travel_over_tls_from_producers_and_stage_consumers(
    sasl_broker: Listener, pki: tuple[trustme.CA, Pki], tmp_path: Path
) -> None:
    kafka = settings(sasl_broker, pki[1], sasl_mechanism="PLAIN")
    clients: dict[str, AIOKafkaProducer | AIOKafkaConsumer] = {
        "producer": AIOKafkaProducer(**producer_options(kafka), request_timeout_ms=2_000),
        "stage consumer": stage_consumer(kafka, tmp_path),
    }
    for name, client in clients.items():
        sasl_broker.first_bytes.clear()
        with pytest.raises(KafkaError):
            await asyncio.wait_for(client.start(), 30)
        await client.stop()
        handshake, sent = sasl_broker.first_bytes[:2]
        assert b"PLAIN" in handshake, name
        # SASL PLAIN: authorisation id, user name, password, NUL-separated
        assert sent.split(b"\x00")[1:] == [b"jobstream", PASSWORD.encode()], name
    assert len(sasl_broker.handshakes) >= 2
    assert all("jobstream-client" in client_subject(peer) for peer in sasl_broker.handshakes)
