"""Query API settings (environment variables `JOBSTREAM_API_*`; PostgreSQL: `JOBSTREAM_PG_*`,
of which the API uses the reader role: `JOBSTREAM_PG_READER_USER` / `_PASSWORD`)."""

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from jobstream.settings import PostgresSettings, ServiceSettings
from jobstream.topology import service


class ApiSettings(ServiceSettings):
    # hide_input_in_errors: a refused api_token must not be echoed in the error.
    model_config = SettingsConfigDict(
        env_prefix="JOBSTREAM_API_", frozen=True, hide_input_in_errors=True
    )

    http_port: int = service("api").http_port
    postgres: PostgresSettings = Field(default_factory=PostgresSettings)
    token: SecretStr | None = Field(
        None,
        min_length=16,
        description="bearer token the data endpoints require (the page, /openapi.json and the "
        "ops endpoints stay open); unset: none needed",
    )
    statement_timeout_ms: int = Field(
        2_000, ge=100, le=60_000, description="PostgreSQL cancels a query running longer"
    )
    request_timeout_seconds: float = Field(
        5.0, gt=0, le=120, description="a request still unanswered after this gets 503"
    )
    max_connections: int = Field(8, ge=1, le=100, description="the reader's connection pool")
    item_cache_size: int = Field(
        5_000,
        ge=0,
        le=1_000_000,
        description="result items (a posting in a search's page) kept as JSON for the next page "
        "listing them; 0: none kept",
    )
    item_cache_seconds: float = Field(
        30.0,
        ge=0,
        le=3_600,
        description="an item kept longer is built again (a posting the store rewrites is "
        "built again at once)",
    )
    stats_cache_size: int = Field(
        1_000,
        ge=0,
        le=100_000,
        description="statistics answers kept until the store next refreshes the views; 0: none",
    )
