"""The composition root: one dependency-injector container, adapters chosen by settings.

Profiles pick adapters through Selector branches and builder functions (providers in
`provider_wiring`); the use cases below never change, since they only see ports.
"""

from __future__ import annotations

from collections.abc import Mapping
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
from imagestudio.adapters.sql.webhooks import SqlSecretSeeds, SqlWebhookDeliveries
from imagestudio.adapters.system.clock import SystemClock
from imagestudio.adapters.system.ids import UuidIdGenerator
from imagestudio.adapters.system.keys import RandomKeyGenerator, RandomTokens
from imagestudio.adapters.system.notifier import LoggingNotifier
from imagestudio.adapters.webhooks.sender import HttpWebhookSender
from imagestudio.application.asset_vault import AssetVault
from imagestudio.application.key_issuing import KeyIssuer
from imagestudio.application.money_path.settle import Settle
from imagestudio.application.operation_ports import LeasePolicy, OperationPorts
from imagestudio.application.ports.account_erasure import AccountErasure
from imagestudio.application.ports.alert_log import AlertLog
from imagestudio.application.ports.api_keys import ApiKeys
from imagestudio.application.ports.asset_bytes import AssetBytes
from imagestudio.application.ports.catalog import ModelCatalog
from imagestudio.application.ports.clock import Clock, IdGenerator
from imagestudio.application.ports.image_inspector import ImageInspector
from imagestudio.application.ports.image_processor import ImageProcessor
from imagestudio.application.ports.image_workers import ImageWorkers
from imagestudio.application.ports.notifier import Notifier
from imagestudio.application.ports.provider import ProviderDirectory
from imagestudio.application.ports.unit_of_work import UnitOfWork
from imagestudio.application.progress_notes import ProgressNotes
from imagestudio.application.threshold_alerts import ThresholdAlerts
from imagestudio.application.use_cases.add_user import AddUser
from imagestudio.application.use_cases.adjust_charge import AdjustCharge
from imagestudio.application.use_cases.audit_provider import AuditProvider
from imagestudio.application.use_cases.authenticate import Authenticate
from imagestudio.application.use_cases.browser_session import FindSession, SignOut
from imagestudio.application.use_cases.browser_sign_in import (
    IssueSignInLink,
    SessionOpener,
    SignInWithKey,
    SignInWithLink,
)
from imagestudio.application.use_cases.change_plan import ChangePlan
from imagestudio.application.use_cases.check_providers import CheckProviders
from imagestudio.application.use_cases.collect_garbage import CollectGarbage
from imagestudio.application.use_cases.control import ControlImage
from imagestudio.application.use_cases.daily_spend import ReadDailySpend
from imagestudio.application.use_cases.define_plan import DefinePlan
from imagestudio.application.use_cases.delete_asset import DeleteAsset
from imagestudio.application.use_cases.delete_plan import DeletePlan
from imagestudio.application.use_cases.delete_user import DeleteUser
from imagestudio.application.use_cases.deliver_webhooks import DeliverWebhooks
from imagestudio.application.use_cases.edit import EditImage
from imagestudio.application.use_cases.export_usage import ExportUsage
from imagestudio.application.use_cases.face_swap import SwapFace
from imagestudio.application.use_cases.follow_operation import FollowOperation, FollowTiming
from imagestudio.application.use_cases.generate import GenerateImages
from imagestudio.application.use_cases.get_asset import GetAsset
from imagestudio.application.use_cases.get_thumbnail import GetThumbnail
from imagestudio.application.use_cases.label_asset import LabelAsset
from imagestudio.application.use_cases.list_assets import ListAssets
from imagestudio.application.use_cases.list_budgets import ListBudgets
from imagestudio.application.use_cases.list_keys import ListKeys
from imagestudio.application.use_cases.list_ledger import ListLedger
from imagestudio.application.use_cases.list_models import ListModels
from imagestudio.application.use_cases.list_operations import ListOperations
from imagestudio.application.use_cases.list_plans import ListPlans
from imagestudio.application.use_cases.list_users import ListUsers
from imagestudio.application.use_cases.list_waiting import ListWaiting
from imagestudio.application.use_cases.local_operations import (
    CompressImage,
    ConvertImage,
    FitSocial,
    ListSocialFormats,
    RunLocalOperation,
)
from imagestudio.application.use_cases.quote import QuotePrice
from imagestudio.application.use_cases.reconcile import Reconcile
from imagestudio.application.use_cases.revoke_key import RevokeKey
from imagestudio.application.use_cases.rotate_key import RotateKey
from imagestudio.application.use_cases.run_operation import RunOperation
from imagestudio.application.use_cases.set_budget import SetBudget
from imagestudio.application.use_cases.show_asset import ShowAsset
from imagestudio.application.use_cases.show_operation import ShowOperation
from imagestudio.application.use_cases.sweep import SweepAbandoned
from imagestudio.application.use_cases.sweep_storage import SweepStorage
from imagestudio.application.use_cases.to_3d import ImageTo3D
from imagestudio.application.use_cases.to_video import ImageToVideo
from imagestudio.application.use_cases.upscale import UpscaleImage
from imagestudio.application.use_cases.usage import ReadUsage
from imagestudio.application.use_cases.webhook_secrets import WebhookSecrets
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
from imagestudio.entrypoints.http.signed_urls import AssetLinks
from imagestudio.entrypoints.provider_wiring import (
    build_directory,
    stability_client,
    wavespeed_client,
)
from imagestudio.entrypoints.settings import Settings, SettingsError
from imagestudio.entrypoints.webhook_wiring import (
    PublicAssetLinks,
    build_destinations,
    webhook_server_key,
)


class Container(containers.DeclarativeContainer):
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
        routing=settings.provided.routing_rules,
        progress=progress_notes,
    )
    lease = providers.Singleton(
        LeasePolicy,
        holder=providers.Callable(lambda ids: ids.new_id("worker"), ids),
        ttl=providers.Callable(lambda s: timedelta(seconds=s.lease_seconds), settings),
    )
    run_operation = providers.Singleton(RunOperation, ports, lease, settle)
    sweep = providers.Singleton(SweepAbandoned, ports, lease, settle, idempotency)
    reconcile = providers.Singleton(
        Reconcile,
        ports,
        run_operation,
        lease,
        unresolved_after=providers.Callable(
            lambda s: timedelta(seconds=s.reconcile_after_seconds), settings
        ),
        recheck_after=providers.Callable(
            lambda s: timedelta(seconds=s.reconcile_recheck_seconds), settings
        ),
    )
    check_providers = providers.Singleton(CheckProviders, provider_directory)
    provider_books = providers.Singleton(
        build_provider_books, settings, wavespeed_http, stability_http
    )
    audit_provider = providers.Singleton(
        AuditProvider, ledger, operations, catalog, provider_books, clock
    )
    timing = reconcile.provided.timing
    list_operations = providers.Singleton(ListOperations, operations, quota, clock, timing)
    list_waiting = providers.Singleton(ListWaiting, operations, quota, clock, timing)
    show_operation = providers.Singleton(ShowOperation, operations, quota, clock, timing)
    follow_operation = providers.Singleton(
        FollowOperation,
        operations,
        clock,
        progress_notes,
        providers.Factory(
            FollowTiming,
            poll_seconds=settings.provided.events_poll_seconds,
            longest_seconds=settings.provided.events_longest_seconds,
        ),
    )

    generate = providers.Singleton(GenerateImages, run_operation)
    edit = providers.Singleton(EditImage, run_operation)
    upscale = providers.Singleton(UpscaleImage, run_operation)
    control = providers.Singleton(ControlImage, run_operation)
    to_3d = providers.Singleton(ImageTo3D, run_operation)
    face_swap = providers.Singleton(SwapFace, run_operation)
    to_video = providers.Singleton(ImageToVideo, run_operation)
    quote = providers.Singleton(QuotePrice, ports)
    usage = providers.Singleton(ReadUsage, quota, clock, alert_log, asset_library)
    list_models = providers.Singleton(ListModels, catalog, provider_directory)
    list_plans = providers.Singleton(ListPlans, quota)
    define_plan = providers.Singleton(DefinePlan, quota)
    delete_plan = providers.Singleton(DeletePlan, quota, settings.provided.default_plan)
    list_users = providers.Singleton(ListUsers, quota, quota, api_keys, clock)
    add_user = providers.Singleton(AddUser, quota, api_keys, key_issuer)
    change_plan = providers.Singleton(ChangePlan, quota, quota)
    rotate_key = providers.Singleton(RotateKey, quota, api_keys, key_issuer)
    revoke_key = providers.Singleton(RevokeKey, api_keys, clock)
    list_keys = providers.Singleton(ListKeys, quota, api_keys)
    authenticate = providers.Singleton(Authenticate, api_keys)
    set_budget = providers.Singleton(SetBudget, quota, catalog)
    list_budgets = providers.Singleton(ListBudgets, quota, clock)
    adjust_charge = providers.Singleton(AdjustCharge, quota, settle, ids, clock)
    export_usage = providers.Singleton(ExportUsage, ledger)
    list_ledger = providers.Singleton(ListLedger, ledger, quota, clock)
    daily_spend = providers.Singleton(ReadDailySpend, ledger, quota, clock)
    get_asset = providers.Singleton(GetAsset, assets)
    get_thumbnail = providers.Singleton(GetThumbnail, assets, image_processor, image_workers)
    list_assets = providers.Singleton(ListAssets, assets)
    show_asset = providers.Singleton(ShowAsset, assets)
    label_asset = providers.Singleton(LabelAsset, assets)
    delete_asset = providers.Singleton(DeleteAsset, assets)
    sweep_storage = providers.Singleton(SweepStorage, assets, quota, clock)
    collect_garbage = providers.Singleton(CollectGarbage, assets, clock)
    delete_user = providers.Singleton(DeleteUser, assets, account_erasure, quota, ids)
    local_operation = providers.Singleton(
        RunLocalOperation, ports, image_processor, lease, settle, image_workers
    )
    compress = providers.Singleton(CompressImage, local_operation)
    convert = providers.Singleton(ConvertImage, local_operation)
    social = providers.Singleton(FitSocial, local_operation)
    social_formats = providers.Singleton(ListSocialFormats, local_operation)

    # The studio pages' sign-in (entrypoints/http/pages)
    browser_sessions = providers.Selector(
        state,
        memory=providers.Singleton(InMemoryBrowserSessions),
        sql=providers.Singleton(SqlBrowserSessions, engine),
    )
    session_policy = providers.Singleton(build_session_policy, settings)
    session_opener = providers.Singleton(
        SessionOpener, browser_sessions, providers.Singleton(RandomTokens), clock, session_policy
    )
    sign_in_with_key = providers.Singleton(SignInWithKey, session_opener, api_keys)
    sign_in_with_link = providers.Singleton(SignInWithLink, session_opener)
    issue_sign_in_link = providers.Singleton(IssueSignInLink, session_opener)
    find_session = providers.Singleton(
        FindSession, browser_sessions, api_keys, quota, clock, session_policy
    )
    sign_out = providers.Singleton(SignOut, browser_sessions)
    asset_links = providers.Singleton(AssetLinks.from_settings, settings)
    webhook_secrets = providers.Singleton(
        WebhookSecrets,
        webhook_seeds,
        providers.Singleton(webhook_server_key, settings),
        clock,
    )
    deliver_webhooks = providers.Singleton(
        DeliverWebhooks,
        webhook_deliveries,
        operations,
        assets,
        webhook_secrets,
        providers.Singleton(HttpWebhookSender, webhook_destinations),
        providers.Singleton(PublicAssetLinks, asset_links, settings.provided.public_url),
        clock,
        providers.Callable(lambda ids: ids.new_id("webhooks"), ids),
    )


ADAPTER_PORTS: dict[str, tuple[type, ...]] = {
    "clock": (Clock,),
    "ids": (IdGenerator,),
    "catalog": (ModelCatalog,),
    "provider_directory": (ProviderDirectory,),
    "unit_of_work": (UnitOfWork,),
    "asset_bytes": (AssetBytes,),
    "account_erasure": (AccountErasure,),
    "image_processor": (ImageProcessor,),
    "image_workers": (ImageWorkers,),
    "alert_log": (AlertLog,),
    "notifier": (Notifier,),
    "api_keys": (ApiKeys,),
    "inspector": (ImageInspector,),
}
"""The adapters a host application may replace with its own, and the ports each must serve.

The stores the money path writes in one transaction (quota, ledger, operations, idempotency
keys, asset rows) are not here one by one: a store inside the unit of work cannot be swapped
alone. Replace the whole `unit_of_work`, or listen to committed settlements
(`ImageStudio.on_settled`)."""


def build_container(
    settings: Settings | None = None, adapters: Mapping[str, object] | None = None
) -> Container:
    """A container for `settings` (read from the environment when not given), with the host
    application's own `adapters` in place of ours, by name (`ADAPTER_PORTS`). Each replaces
    ours everywhere it is used; a name we do not have, or an object lacking a method of the
    port, is refused here rather than at the first call."""
    container = Container(settings=settings or Settings())
    for name, adapter in (adapters or {}).items():
        _check_adapter(name, adapter)
        getattr(container, name).override(providers.Object(adapter))
    return container


IN_THE_UNIT_OF_WORK = (
    "quota",
    "ledger",
    "operations",
    "idempotency",
    "asset_library",
    "webhook_deliveries",
)
"""Stores the money path writes in one transaction: never replaced one by one."""


def _check_adapter(name: str, adapter: object) -> None:
    ports = ADAPTER_PORTS.get(name)
    if name in IN_THE_UNIT_OF_WORK:
        raise SettingsError(
            f"{name!r} is written in the money path's unit of work, with the other stores of "
            "one settlement, so it cannot be replaced alone: replace 'unit_of_work', or hear "
            "every committed settlement with ImageStudio.on_settled(listener)"
        )
    if ports is None:
        raise SettingsError(
            f"no adapter {name!r} to replace (adapters: {', '.join(sorted(ADAPTER_PORTS))})"
        )
    missing = sorted(
        method
        for port in ports
        for method in _methods_of(port)
        if not callable(getattr(adapter, method, None))
    )
    if missing:
        raise SettingsError(
            f"{type(adapter).__name__} cannot be the {name!r} adapter: it has no "
            + ", ".join(missing)
        )


def _methods_of(port: type) -> set[str]:
    """The public methods a port declares (its own and its parent ports')."""
    return {
        attribute
        for declaring in port.__mro__
        if declaring.__module__.startswith("imagestudio.")
        for attribute, value in vars(declaring).items()
        if not attribute.startswith("_") and callable(value)
    }
