"""Client options shared by every Kafka client (aiokafka), built from `KafkaSettings`."""

from __future__ import annotations

from ssl import SSLContext
from typing import Any

from aiokafka.helpers import create_ssl_context

from jobstream.settings import KafkaSettings
from jobstream.topology import MAX_RECORD_BYTES


def client_options(settings: KafkaSettings) -> dict[str, Any]:
    """Connection and security options for aiokafka clients (producer, consumer, admin)."""
    options: dict[str, Any] = {
        "bootstrap_servers": settings.bootstrap_servers,
        "security_protocol": settings.security_protocol,
    }
    context = ssl_context(settings)
    if context is not None:
        options["ssl_context"] = context
    if settings.sasl_mechanism:
        options["sasl_mechanism"] = settings.sasl_mechanism
        options["sasl_plain_username"] = settings.sasl_username
        options["sasl_plain_password"] = sasl_password(settings)
    return options


def ssl_context(settings: KafkaSettings) -> SSLContext | None:
    """The TLS context of every client (SSL, SASL_SSL): it verifies the brokers' certificates
    and host names against the configured CA (or the system's) and presents the client
    certificate when one is configured. None without TLS."""
    if not settings.uses_tls:
        return None
    password = settings.ssl_key_password
    context: SSLContext = create_ssl_context(
        cafile=settings.ssl_cafile,
        certfile=settings.ssl_certfile,
        keyfile=settings.ssl_keyfile,
        password=password.get_secret_value() if password else None,
    )
    return context


def sasl_password(settings: KafkaSettings) -> str | None:
    return settings.sasl_password.get_secret_value() if settings.sasl_password else None


# Postings are text: zstd makes batches a fraction of their size on the wire, on the brokers'
# disks (the raw topic is kept forever) and in replication, for little CPU.
COMPRESSION = "zstd"


def producer_options(settings: KafkaSettings) -> dict[str, Any]:
    """A producer that neither loses nor duplicates on retry: acks from all in-sync replicas
    (at least `min.insync.replicas`), idempotent, compressed."""
    return {
        **client_options(settings),
        "acks": "all",
        "enable_idempotence": True,
        "compression_type": COMPRESSION,
        "max_request_size": MAX_RECORD_BYTES,
        "linger_ms": 5,
        # Postings are KBs: aiokafka's 16 KiB default batch holds four, and one large file
        # then costs hundreds of round trips. 256 KiB doubles ingest's throughput (make bench).
        "max_batch_size": 256 * 1024,
    }
