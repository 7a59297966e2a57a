"""The adapters the settings choose, and what the use cases share on top of them: the money
path's ports, its lease and its settlement.

Profiles pick adapters through Selector branches and builder functions (providers in
`provider_wiring`, the rest in `builders`); `Container` adds the use cases, which only see ports.
"""

from __future__ import annotations

from datetime import timedelta

from dependency_injector import containers, providers

from imagestudio.adapters.images.image_workers import ProcessImageWorkers
from imagestudio.adapters.images.pillow_inspector import PillowImageInspector
from imagestudio.adapters.images.pillow_processor import PillowImageProcessor
from imagestudio.adapters.local_files.asset_bytes import LocalFileAssetBytes
from imagestudio.adapters.memory.account_erasure import InMemoryAccountErasure
from imagestudio.adapters.memory.alert_log import InMemoryAlertLog
from imagestudio.adapters.memory.api_keys import InMemoryApiKeys
from imagestudio.adapters.memory.asset_bytes import InMemoryAssetBytes
from imagestudio.adapters.memory.asset_library import InMemoryAssetLibrary
from imagestudio.adapters.memory.browser_sessions import InMemoryBrowserSessions
from imagestudio.adapters.memory.ledger import InMemoryLedger
from imagestudio.adapters.memory.operation_store import InMemoryOperationStore
from imagestudio.adapters.memory.unit_of_work import InMemoryUnitOfWork
from imagestudio.adapters.memory.webhooks import InMemorySecretSeeds, InMemoryWebhookDeliveries
from imagestudio.adapters.sql.account_erasure import SqlAccountErasure
from imagestudio.adapters.sql.alert_log import SqlAlertLog
from imagestudio.adapters.sql.api_keys import SqlApiKeys
from imagestudio.adapters.sql.asset_library import SqlAssetLibrary
from imagestudio.adapters.sql.browser_sessions import SqlBrowserSessions
from imagestudio.adapters.sql.idempotency import SqlIdempotencyStore
from imagestudio.adapters.sql.ledger import SqlLedger
from imagestudio.adapters.sql.operation_store import SqlOperationStore
from imagestudio.adapters.sql.quota_store import SqlQuotaStore
from imagestudio.adapters.sql.webhook_secrets import SqlSecretSeeds
from imagestudio.adapters.sql.webhooks import SqlWebhookDeliveries
from imagestudio.adapters.system.clock import SystemClock
from imagestudio.adapters.system.ids import UuidIdGenerator
from imagestudio.adapters.system.keys import RandomKeyGenerator
from imagestudio.adapters.system.notifier import LoggingNotifier
from imagestudio.application.asset_vault import AssetVault
from imagestudio.application.key_issuing import KeyIssuer
from imagestudio.application.money_path.settle import Settle
from imagestudio.application.operation_ports import LeasePolicy, OperationPorts
from imagestudio.application.progress_notes import ProgressNotes
from imagestudio.application.threshold_alerts import ThresholdAlerts
from imagestudio.entrypoints.book_wiring import build_provider_books
from imagestudio.entrypoints.builders import (
    build_catalog,
    build_engine,
    build_idempotency,
    build_offline_provider,
    build_quota_store,
    build_s3_store,
    build_session_policy,
    build_sql_unit_of_work,
    state_kind,
    storage_kind,
)
from imagestudio.entrypoints.provider_wiring import (
    build_directory,
    stability_client,
    wavespeed_client,
)
from imagestudio.entrypoints.routing_setting import build_routing_rules
from imagestudio.entrypoints.settings import Settings
from imagestudio.entrypoints.webhook_wiring import (
    build_destinations,
)


class Adapters(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)

    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(UuidIdGenerator)
    catalog = providers.Singleton(build_catalog, settings)
    offline_provider = providers.Singleton(build_offline_provider, settings)
    wavespeed_http = providers.Singleton(wavespeed_client, settings)
    stability_http = providers.Singleton(stability_client, settings)
    provider_directory = providers.Singleton(
        build_directory, settings, offline_provider, wavespeed_http, stability_http
    )
    state = providers.Callable(state_kind, settings)
    engine = providers.Singleton(build_engine, settings)
    quota = providers.Selector(
        state,
        memory=providers.Singleton(build_quota_store, settings),
        sql=providers.Singleton(SqlQuotaStore, engine, clock),
    )
    ledger = providers.Selector(
        state,
        memory=providers.Singleton(InMemoryLedger),
        sql=providers.Singleton(SqlLedger, engine),
    )
    operations = providers.Selector(
        state,
        memory=providers.Singleton(InMemoryOperationStore),
        sql=providers.Singleton(SqlOperationStore, engine),
    )
    idempotency = providers.Selector(
        state,
        memory=providers.Singleton(build_idempotency, settings),
        sql=providers.Singleton(
            SqlIdempotencyStore,
            engine,
            retention=providers.Callable(lambda s: timedelta(hours=s.idempotency_hours), settings),
        ),
    )
    asset_bytes = providers.Selector(
        providers.Callable(storage_kind, settings),
        local=providers.Singleton(LocalFileAssetBytes, root=settings.provided.assets_dir),
        memory=providers.Singleton(InMemoryAssetBytes),
        s3=providers.Singleton(build_s3_store, settings),
    )
    asset_library = providers.Selector(
        state,
        memory=providers.Singleton(InMemoryAssetLibrary),
        sql=providers.Singleton(SqlAssetLibrary, engine),
    )
    assets = providers.Singleton(AssetVault, asset_library, asset_bytes)
    alert_log = providers.Selector(
        state,
        memory=providers.Singleton(InMemoryAlertLog),
        sql=providers.Singleton(SqlAlertLog, engine),
    )
    notifier = providers.Singleton(LoggingNotifier)
    threshold_alerts = providers.Singleton(ThresholdAlerts, quota, alert_log, notifier, clock)
    webhook_deliveries = providers.Selector(
        state,
        memory=providers.Singleton(InMemoryWebhookDeliveries),
        sql=providers.Singleton(SqlWebhookDeliveries, engine),
    )
    webhook_seeds = providers.Selector(
        state,
        memory=providers.Singleton(InMemorySecretSeeds),
        sql=providers.Singleton(SqlSecretSeeds, engine),
    )
    unit_of_work = providers.Selector(
        state,
        memory=providers.Singleton(
            InMemoryUnitOfWork,
            quota,
            ledger,
            operations,
            idempotency,
            asset_library,
            webhook_deliveries,
        ),
        sql=providers.Singleton(build_sql_unit_of_work, settings),
    )
    settle = providers.Singleton(Settle, unit_of_work, threshold_alerts)
    api_keys = providers.Selector(
        state,
        memory=providers.Singleton(InMemoryApiKeys),
        sql=providers.Singleton(SqlApiKeys, engine),
    )
    key_issuer = providers.Singleton(
        KeyIssuer, generator=providers.Singleton(RandomKeyGenerator), ids=ids, clock=clock
    )
    inspector = providers.Singleton(PillowImageInspector)
    image_processor = providers.Singleton(
        PillowImageProcessor, max_pixels=settings.provided.image_max_pixels
    )
    image_workers = providers.Singleton(
        ProcessImageWorkers,
        workers=settings.provided.image_workers,
        seconds=settings.provided.image_seconds,
    )
    account_erasure = providers.Selector(
        state,
        memory=providers.Singleton(
            InMemoryAccountErasure,
            quota,
            ledger,
            operations,
            idempotency,
            api_keys,
            alert_log,
            webhook_deliveries,
            webhook_seeds,
        ),
        sql=providers.Singleton(SqlAccountErasure, engine),
    )

    progress_notes = providers.Singleton(ProgressNotes)
    webhook_destinations = providers.Singleton(build_destinations, settings)
    ports = providers.Singleton(
        OperationPorts,
        catalog=catalog,
        providers=provider_directory,
        quota=quota,
        assets=assets,
        operations=operations,
        leases=operations,
        unit_of_work=unit_of_work,
        inspector=inspector,
        clock=clock,
        ids=ids,
        destinations=webhook_destinations,
        routing=providers.Singleton(build_routing_rules, settings, catalog),
        progress=progress_notes,
    )
    lease = providers.Singleton(
        LeasePolicy,
        holder=providers.Callable(lambda ids: ids.new_id("worker"), ids),
        ttl=providers.Callable(lambda s: timedelta(seconds=s.lease_seconds), settings),
    )

    provider_books = providers.Singleton(
        build_provider_books, settings, wavespeed_http, stability_http
    )

    # The studio pages' sign-in (entrypoints/http/pages)
    browser_sessions = providers.Selector(
        state,
        memory=providers.Singleton(InMemoryBrowserSessions),
        sql=providers.Singleton(SqlBrowserSessions, engine),
    )
    session_policy = providers.Singleton(build_session_policy, settings)
