"""Settings shared by every service, read from the environment (pydantic-settings).

Each service adds its own `ServiceSettings` subclass with its own `env_prefix`. Secrets are
`SecretStr`, so they print as `**********` in logs and reprs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from jobstream.topology import Stage, TopicSpec, qualified

# The checkout this package was installed from (editable install); the native stack keeps its
# state in a git-ignored folder here.
PROJECT_ROOT = Path(__file__).resolve().parents[2]


class KafkaSettings(BaseSettings):
    """How to reach Kafka, and the namespace that prefixes topic and group names.

    The security settings serve a production cluster (docs/settings.md: "Connecting to a production
    Kafka"); every Kafka client is built from them by `jobstream.kafka.config`.
    """

    # hide_input_in_errors: a refused setting must not echo a password in the error.
    model_config = SettingsConfigDict(
        env_prefix="JOBSTREAM_KAFKA_", frozen=True, hide_input_in_errors=True
    )

    bootstrap_servers: str = Field(
        "127.0.0.1:19092", description="Kafka brokers, comma-separated (the native stack's here)"
    )
    namespace: str = Field(
        "", pattern=r"^[A-Za-z0-9_-]*$", description="prefix of topics and groups; empty: none"
    )
    partitions: int = Field(6, ge=1, le=1_000, description="partitions of topics it creates")
    replication_factor: int | None = Field(
        None,
        ge=1,
        le=10,
        description="copies of each partition of topics it creates; unset: from the "
        "cluster's size (jobstream.topology.replication_for: 3 on three brokers or more)",
    )
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        "PLAINTEXT", description="TLS and/or SASL for a secured cluster (see below)"
    )
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = Field(
        None, description="SASL mechanism (SASL_SSL, SASL_PLAINTEXT)"
    )
    sasl_username: str | None = Field(None, description="SASL user name")
    sasl_password: SecretStr | None = Field(None, description="SASL password (never logged)")
    ssl_cafile: Path | None = Field(
        None,
        description="CA certificates (PEM) the brokers' certificates must chain to; "
        "unset: the system's CAs",
    )
    ssl_certfile: Path | None = Field(
        None, description="client certificate (PEM), for brokers that require mutual TLS"
    )
    ssl_keyfile: Path | None = Field(None, description="the client certificate's private key")
    ssl_key_password: SecretStr | None = Field(
        None, description="password of an encrypted private key"
    )

    @model_validator(mode="after")
    def _complete_security(self) -> KafkaSettings:
        """A half-configured secure connection fails at start-up, saying what is missing,
        rather than at the first connection attempt with a broker's terse error."""
        sasl = self.security_protocol.startswith("SASL_")
        if sasl and self.sasl_mechanism is None:
            raise ValueError(f"{self.security_protocol} needs JOBSTREAM_KAFKA_SASL_MECHANISM")
        if sasl and (self.sasl_username is None or self.sasl_password is None):
            raise ValueError(
                "SASL needs JOBSTREAM_KAFKA_SASL_USERNAME and JOBSTREAM_KAFKA_SASL_PASSWORD"
            )
        if not sasl and self.sasl_mechanism is not None:
            raise ValueError(
                "JOBSTREAM_KAFKA_SASL_MECHANISM is set: use JOBSTREAM_KAFKA_SECURITY_PROTOCOL="
                "SASL_SSL (or SASL_PLAINTEXT)"
            )
        tls_files = (self.ssl_cafile, self.ssl_certfile, self.ssl_keyfile)
        if not self.uses_tls and any(path is not None for path in tls_files):
            raise ValueError(
                "TLS files are set: use JOBSTREAM_KAFKA_SECURITY_PROTOCOL=SSL (or SASL_SSL)"
            )
        if self.ssl_keyfile is not None and self.ssl_certfile is None:
            raise ValueError("JOBSTREAM_KAFKA_SSL_KEYFILE needs JOBSTREAM_KAFKA_SSL_CERTFILE")
        return self

    @property
    def uses_tls(self) -> bool:
        return self.security_protocol in ("SSL", "SASL_SSL")

    def topic(self, spec: TopicSpec) -> str:
        return qualified(spec.name, self.namespace)

    def group(self, stage: Stage) -> str:
        return qualified(stage.group, self.namespace)


class PostgresSettings(BaseSettings):
    """How the services reach PostgreSQL, as three roles.

    The owner owns the database and applies migrations (`jobstream migrate`, or the store at
    start-up when it is given the owner's password); the service role only reads and writes rows;
    the reader (the query API, exports, `jobstream search`) only reads them.
    """

    model_config = SettingsConfigDict(env_prefix="JOBSTREAM_PG_", frozen=True)

    host: str = Field("127.0.0.1", description="PostgreSQL's host (the native stack's here)")
    port: int = Field(55432, description="PostgreSQL's port")
    database: str = Field("jobstream", description="the database")
    user: str = Field("jobstream", description="the service role: reads and writes rows")
    password: SecretStr = Field(
        SecretStr("jobstream"), description="the service role's password (never logged)"
    )
    owner_user: str = Field("jobstream_owner", description="the owner role: applies migrations")
    owner_password: SecretStr | None = Field(
        SecretStr("jobstream_owner"),
        description="the owner's password; without it the store only checks that migrations"
        " were applied",
    )
    reader_user: str = Field(
        "jobstream_reader",
        description="the read-only role of the query API, `jobstream search` and `jobstream"
        " export` (SELECT only, read-only transactions)",
    )
    reader_password: SecretStr = Field(
        SecretStr("jobstream_reader"), description="the read-only role's password (never logged)"
    )

    @field_validator("owner_password")
    @classmethod
    def _empty_means_none(cls, value: SecretStr | None) -> SecretStr | None:
        """An empty JOBSTREAM_PG_OWNER_PASSWORD says: this process does not migrate
        (docker-compose and Kubernetes give it only to their one-shot migrate)."""
        return None if value is not None and not value.get_secret_value() else value

    def connect_kwargs(self) -> dict[str, object]:
        """Arguments for `asyncpg.connect` / `create_pool` as the service role."""
        return self._kwargs(self.user, self.password)

    def owner_connect_kwargs(self) -> dict[str, object]:
        """The same as the owner; fails when no owner password is configured."""
        if self.owner_password is None:
            raise ValueError("JOBSTREAM_PG_OWNER_PASSWORD is not set: cannot migrate")
        return self._kwargs(self.owner_user, self.owner_password)

    def reader_connect_kwargs(self) -> dict[str, object]:
        """The same as the read-only reader role."""
        return self._kwargs(self.reader_user, self.reader_password)

    def _kwargs(self, user: str, password: SecretStr) -> dict[str, object]:
        # Passwords go as arguments, never inside a DSN that could end up in a log line.
        return {
            "host": self.host,
            "port": self.port,
            "database": self.database,
            "user": user,
            "password": password.get_secret_value(),
        }


class RuntimeSettings(BaseSettings):
    """Settings every process shares: log level and where local state lives."""

    model_config = SettingsConfigDict(env_prefix="JOBSTREAM_", frozen=True)

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="logs are JSON lines on stderr"
    )
    state_dir: Path = Field(
        default_factory=lambda: PROJECT_ROOT / ".stack",
        description="local state (Kafka and Postgres data, logs, inbox, faust data); git-ignored",
    )


class ServiceSettings(BaseSettings):
    """What every service has: the HTTP address of /metrics, /healthz and /readyz, and Kafka.

    Subclasses set `env_prefix` (`JOBSTREAM_PARSER_` ...) and a default `http_port`.
    """

    model_config = SettingsConfigDict(frozen=True)

    http_host: str = Field(
        "127.0.0.1", description="address of the service's /metrics, /healthz and /readyz"
    )
    http_port: int = Field(
        0, ge=0, le=65_535, description="the port of those endpoints (each service has its own)"
    )
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    runtime: RuntimeSettings = Field(default_factory=RuntimeSettings)


class StageSettings(ServiceSettings):
    """A consuming stage: what it reads comes in batches of up to `batch_size` records, or
    whatever arrived within `batch_seconds`."""

    batch_size: int = Field(500, ge=1, le=10_000, description="records handled together")
    # Under load batches fill up to batch_size long before; in a trickle each of the three
    # stages waits this long, so it adds up (20 ms rather than 50 cut the p50 latency by a
    # third or more at a few hundred postings/s, for up to ~10% more CPU: docs/benchmarks.md).
    batch_seconds: float = Field(
        0.02, gt=0, le=10, description="or what arrived within this long, when fewer"
    )
    lag_poll_seconds: float = Field(
        5.0, gt=0, le=300, description="how often the stage measures its consumer lag"
    )
    # The dead-letter brake (jobstream.brake): the stage stops, un-acknowledged and not ready,
    # when this many records in a row, or more than `brake_ratio` of the last `brake_window`,
    # failed with an unexpected error or as invalid events.
    brake_consecutive: int = Field(
        100, ge=0, description="records failing in a row that stop the stage (0: no limit)"
    )
    brake_window: int = Field(
        1_000, ge=1, le=1_000_000, description="the brake's window of recent records"
    )
    brake_ratio: float = Field(
        0.5, gt=0, le=1, description="share of the last brake_window records that stops it"
    )
