"""How the container builds the adapters that need more than a constructor: the catalog, the
in-memory stores seeded from settings, the engines, the offline provider and the S3 store."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import NullPool

from imagestudio.adapters.catalog.toml_catalog import TomlModelCatalog, load_catalog
from imagestudio.adapters.memory.idempotency import InMemoryIdempotencyStore
from imagestudio.adapters.memory.quota_store import InMemoryQuotaStore
from imagestudio.adapters.offline_provider.provider import OfflineProvider
from imagestudio.adapters.s3.asset_bytes import S3AssetBytes
from imagestudio.adapters.sql.engine import create_engine
from imagestudio.adapters.sql.unit_of_work import SqlUnitOfWork
from imagestudio.application.operation_ports import StoredOutcome
from imagestudio.application.use_cases.browser_sign_in import SessionPolicy
from imagestudio.domain.api_key import key_hash
from imagestudio.domain.money import usd_to_micros
from imagestudio.domain.reference_plans import REFERENCE_PLANS
from imagestudio.entrypoints.settings import Settings, SettingsError


def build_catalog(settings: Settings) -> TomlModelCatalog:
    offline_price = (
        None if settings.offline_price_usd is None else usd_to_micros(settings.offline_price_usd)
    )
    return load_catalog(micros_per_credit=settings.micros_per_credit, offline_price=offline_price)


def build_quota_store(settings: Settings) -> InMemoryQuotaStore:
    names = [plan.name for plan in REFERENCE_PLANS]
    if settings.default_plan not in names:
        raise SettingsError(no_such_plan(names))
    return InMemoryQuotaStore(REFERENCE_PLANS, users={settings.default_user: settings.default_plan})


def no_such_plan(names: list[str]) -> str:
    """The default plan's refusal: what the setting takes, not the value given (a setting's
    error never echoes it)."""
    return f"IMAGESTUDIO_DEFAULT_PLAN: no such plan; give one of {', '.join(names)}"


def build_idempotency(settings: Settings) -> InMemoryIdempotencyStore[StoredOutcome]:
    return InMemoryIdempotencyStore(retention=timedelta(hours=settings.idempotency_hours))


def storage_kind(settings: Settings) -> str:
    return settings.effective_storage.value


def state_kind(settings: Settings) -> str:
    """Where quota, ledger, operations and keys live: "sql" or "memory"."""
    return "sql" if settings.effective_database_url else "memory"


def profile_folder(settings: Settings) -> Path:
    """The profile's folder, made if missing; a data directory that cannot be made is a bad
    setting, named as one (not an `OSError` from deep inside start-up)."""
    folder = settings.profile_dir
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SettingsError(
            f"IMAGESTUDIO_DATA_DIR: cannot make {folder}: {error.strerror or error}"
        ) from None
    return folder


def build_engine(settings: Settings) -> AsyncEngine:
    url = settings.effective_database_url
    assert url is not None
    if url.startswith("sqlite"):
        profile_folder(settings)
        _sqlite_folder_exists(url)
        _sqlite_file_is_a_file(url, settings)
    # Pooled connections belong to the event loop that opened them.
    return create_engine(url) if settings.database_pool else create_engine(url, poolclass=NullPool)


def _sqlite_folder_exists(url: str) -> None:
    # SQLite makes a missing file, not a missing folder: its "unable to open database file"
    # would come at the first statement, far from the setting that caused it.
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        folder = Path(database).expanduser().absolute().parent
        if not folder.is_dir():
            raise SettingsError(f"IMAGESTUDIO_DATABASE_URL: no folder {folder} for the database")


def _sqlite_file_is_a_file(url: str, settings: Settings) -> None:
    # A folder (or a device) where the file should be: SQLite's "unable to open database file"
    # came with a traceback from its driver's thread, which outlived the command's event loop.
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        path = Path(database).expanduser()
        if path.exists() and not path.is_file():
            setting = (
                "IMAGESTUDIO_DATABASE_URL" if settings.database_url else "IMAGESTUDIO_DATA_DIR"
            )
            raise SettingsError(f"{setting}: the database {path} is not a file")


def build_offline_provider(settings: Settings) -> OfflineProvider:
    """Where the state survives the process (a database), the offline provider keeps its
    tasks' input images beside it, so reconciliation in another process can look them up."""
    slow = settings.offline_slow_seconds
    if state_kind(settings) == "memory":
        return OfflineProvider(slow_seconds=slow)
    return OfflineProvider(slow_seconds=slow, folder=settings.profile_dir / "offline-tasks")


def build_sql_unit_of_work(settings: Settings) -> SqlUnitOfWork:
    """The money path's transactions: their own engine (SQLite: one connection on one worker
    thread; PostgreSQL: no pre-ping, no reset on return), beside the readers' engine."""
    url = settings.effective_database_url
    assert url is not None
    retention = timedelta(hours=settings.idempotency_hours)
    if settings.database_pool or url.startswith("sqlite"):
        return SqlUnitOfWork(url, retention=retention)
    return SqlUnitOfWork(url, retention=retention, poolclass=NullPool)


def build_s3_store(settings: Settings) -> S3AssetBytes:
    if not settings.s3_bucket:
        raise SettingsError("IMAGESTUDIO_STORAGE=s3 needs IMAGESTUDIO_S3_BUCKET")
    return S3AssetBytes(
        settings.s3_bucket,
        prefix=settings.s3_prefix,
        endpoint_url=settings.s3_endpoint_url,
        region=settings.s3_region,
        allow_http=settings.s3_allow_http,
    )


def build_session_policy(settings: Settings) -> SessionPolicy:
    admin = settings.admin_key
    return SessionPolicy(
        lifetime=timedelta(hours=settings.studio_session_hours),
        link_lifetime=timedelta(seconds=settings.studio_link_seconds),
        admin_key_hash=None if admin is None else key_hash(admin.get_secret_value()),
    )
