"""The Python API another application imports: every use case, wired for one profile.

    studio = ImageStudio.open()                      # settings from IMAGESTUDIO_* variables
    result = await studio.generate.execute(GenerateRequest(user_id="local", prompt="a fox"))

Each attribute is a use case with one `execute` method returning a `returns.Result`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from typing import Any

from returns.result import Failure

from imagestudio.application.key_issuing import IssuedKey
from imagestudio.application.money_path.settle import Listener, Settled
from imagestudio.application.operation_views import Held, OperationView
from imagestudio.application.operation_waits import Wait, WaitReason
from imagestudio.application.ports.image_processor import (
    CompressSpec,
    ConvertSpec,
    Metadata,
    SocialFormat,
)
from imagestudio.application.requests import ImageInput, OperationRequest, OperationResult
from imagestudio.application.use_cases.add_user import AddUser
from imagestudio.application.use_cases.adjust_charge import AdjustCharge, AdjustedCharge, Adjustment
from imagestudio.application.use_cases.audit_provider import AuditProvider
from imagestudio.application.use_cases.authenticate import Authenticate
from imagestudio.application.use_cases.change_plan import ChangePlan
from imagestudio.application.use_cases.check_providers import CheckProviders
from imagestudio.application.use_cases.collect_garbage import CollectGarbage, GarbageReport
from imagestudio.application.use_cases.control import ControlImage, ControlRequest
from imagestudio.application.use_cases.daily_spend import DailySpend, ReadDailySpend
from imagestudio.application.use_cases.define_plan import DefinePlan
from imagestudio.application.use_cases.delete_asset import DeleteAsset
from imagestudio.application.use_cases.delete_plan import DeletePlan
from imagestudio.application.use_cases.delete_user import DeleteUser, UserDeletion
from imagestudio.application.use_cases.edit import EditImage, EditRequest
from imagestudio.application.use_cases.export_usage import ExportUsage, UsageExport
from imagestudio.application.use_cases.face_swap import FaceSwapRequest, SwapFace
from imagestudio.application.use_cases.follow_operation import FollowOperation
from imagestudio.application.use_cases.generate import GenerateImages, GenerateRequest
from imagestudio.application.use_cases.get_asset import AssetContent, GetAsset
from imagestudio.application.use_cases.get_thumbnail import GetThumbnail, Thumbnail
from imagestudio.application.use_cases.label_asset import LabelAsset
from imagestudio.application.use_cases.list_assets import AssetPage, ListAssets
from imagestudio.application.use_cases.list_budgets import BudgetUsage, ListBudgets
from imagestudio.application.use_cases.list_keys import ListKeys
from imagestudio.application.use_cases.list_ledger import LedgerPage, ListLedger
from imagestudio.application.use_cases.list_models import ListModels, ModelListing
from imagestudio.application.use_cases.list_operations import ListOperations, OperationPage
from imagestudio.application.use_cases.list_plans import ListPlans
from imagestudio.application.use_cases.list_users import ListUsers
from imagestudio.application.use_cases.local_operations import (
    CompressImage,
    ConvertImage,
    FitSocial,
    ListSocialFormats,
)
from imagestudio.application.use_cases.quote import PriceQuote, QuotePrice
from imagestudio.application.use_cases.reconcile import Reconcile, ReconcileReport
from imagestudio.application.use_cases.revoke_key import RevokeKey
from imagestudio.application.use_cases.rotate_key import RotatedKey, RotateKey
from imagestudio.application.use_cases.set_budget import SetBudget
from imagestudio.application.use_cases.show_asset import AssetDetails, ShowAsset
from imagestudio.application.use_cases.show_operation import ShowOperation
from imagestudio.application.use_cases.sweep import SweepAbandoned
from imagestudio.application.use_cases.sweep_storage import StorageSweepReport, SweepStorage
from imagestudio.application.use_cases.to_3d import ImageTo3D, ImageTo3DRequest
from imagestudio.application.use_cases.to_video import ImageToVideo, ImageToVideoRequest
from imagestudio.application.use_cases.upscale import UpscaleImage, UpscaleRequest
from imagestudio.application.use_cases.usage import ReadUsage, UsageReport, UsageRow
from imagestudio.application.use_cases.webhook_secrets import WebhookSecrets
from imagestudio.domain.asset import Asset
from imagestudio.domain.asset_query import AssetQuery, Relabel
from imagestudio.domain.operation import OperationStatus
from imagestudio.domain.operation_query import OperationQuery
from imagestudio.domain.plan_fit import PlanFit
from imagestudio.domain.webhook import WebhookSubscription
from imagestudio.entrypoints import startup
from imagestudio.entrypoints.container import Container, build_container
from imagestudio.entrypoints.settings import Profile, Settings

__all__ = [
    "AdjustedCharge",
    "Adjustment",
    "AssetContent",
    "AssetDetails",
    "AssetPage",
    "AssetQuery",
    "BudgetUsage",
    "CompressSpec",
    "ControlRequest",
    "ConvertSpec",
    "DailySpend",
    "EditRequest",
    "FaceSwapRequest",
    "GarbageReport",
    "GenerateRequest",
    "Held",
    "ImageInput",
    "ImageStudio",
    "ImageTo3DRequest",
    "ImageToVideoRequest",
    "IssuedKey",
    "LedgerPage",
    "Metadata",
    "ModelListing",
    "OperationPage",
    "OperationQuery",
    "OperationRequest",
    "OperationResult",
    "OperationStatus",
    "OperationView",
    "PlanFit",
    "PriceQuote",
    "Profile",
    "ReconcileReport",
    "Relabel",
    "RotatedKey",
    "Settings",
    "Settled",
    "SocialFormat",
    "StorageSweepReport",
    "Thumbnail",
    "UpscaleRequest",
    "UsageExport",
    "UsageReport",
    "UsageRow",
    "UserDeletion",
    "Wait",
    "WaitReason",
    "WebhookSubscription",
]


log = logging.getLogger(__name__)


class ImageStudio:
    """Every use case of imagestudio, built from one container."""

    def __init__(self, container: Container) -> None:
        self.container = container
        self.generate: GenerateImages = container.generate()
        self.edit: EditImage = container.edit()
        self.upscale: UpscaleImage = container.upscale()
        self.control: ControlImage = container.control()
        self.to_3d: ImageTo3D = container.to_3d()
        self.face_swap: SwapFace = container.face_swap()
        self.to_video: ImageToVideo = container.to_video()
        self.quote: QuotePrice = container.quote()
        self.usage: ReadUsage = container.usage()
        self.list_models: ListModels = container.list_models()
        self.list_plans: ListPlans = container.list_plans()
        self.define_plan: DefinePlan = container.define_plan()
        self.delete_plan: DeletePlan = container.delete_plan()
        self.list_users: ListUsers = container.list_users()
        self.add_user: AddUser = container.add_user()
        self.change_plan: ChangePlan = container.change_plan()
        self.rotate_key: RotateKey = container.rotate_key()
        self.revoke_key: RevokeKey = container.revoke_key()
        self.list_keys: ListKeys = container.list_keys()
        self.authenticate: Authenticate = container.authenticate()
        self.set_budget: SetBudget = container.set_budget()
        self.list_budgets: ListBudgets = container.list_budgets()
        self.adjust_charge: AdjustCharge = container.adjust_charge()
        self.export_usage: ExportUsage = container.export_usage()
        self.list_ledger: ListLedger = container.list_ledger()
        self.daily_spend: ReadDailySpend = container.daily_spend()
        self.get_asset: GetAsset = container.get_asset()
        self.get_thumbnail: GetThumbnail = container.get_thumbnail()
        self.list_assets: ListAssets = container.list_assets()
        self.show_asset: ShowAsset = container.show_asset()
        self.label_asset: LabelAsset = container.label_asset()
        self.delete_asset: DeleteAsset = container.delete_asset()
        self.list_operations: ListOperations = container.list_operations()
        self.show_operation: ShowOperation = container.show_operation()
        self.follow_operation: FollowOperation = container.follow_operation()
        self.sweep_storage: SweepStorage = container.sweep_storage()
        self.collect_garbage: CollectGarbage = container.collect_garbage()
        self.delete_user: DeleteUser = container.delete_user()
        self.compress: CompressImage = container.compress()
        self.convert: ConvertImage = container.convert()
        self.social: FitSocial = container.social()
        self.social_formats: ListSocialFormats = container.social_formats()
        self.sweep: SweepAbandoned = container.sweep()
        self.reconcile: Reconcile = container.reconcile()
        self.check_providers: CheckProviders = container.check_providers()
        self.audit_provider: AuditProvider = container.audit_provider()
        self.webhook_secrets: WebhookSecrets = container.webhook_secrets()
        self._webhooks_due = asyncio.Event()
        container.settle().listen(self._owes_webhook)

    @classmethod
    def open(
        cls,
        settings: Settings | None = None,
        *,
        adapters: Mapping[str, object] | None = None,
        **overrides: Any,
    ) -> ImageStudio:
        """Build from `settings`, or from the environment with keyword overrides applied;
        `adapters` puts the application's own objects in place of ours, by name
        (`{"ledger": MyLedger()}`; the names are `container.ADAPTER_PORTS`).

        Nothing is touched yet; `await studio.start()` (or `connect`) checks the schema.
        """
        if settings is None:
            settings = Settings(**overrides)
        elif overrides:
            settings = settings.model_copy(update=overrides)
        return cls(build_container(settings, adapters))

    @classmethod
    async def connect(
        cls,
        settings: Settings | None = None,
        *,
        adapters: Mapping[str, object] | None = None,
        **overrides: Any,
    ) -> ImageStudio:
        """`open`, then `start`: the usual way in for an application."""
        return await cls.open(settings, adapters=adapters, **overrides).start()

    async def start(self) -> ImageStudio:
        """Refuse an out-of-date database schema; seed the reference plans and default user."""
        await startup.start(self.container)
        return self

    async def aclose(self) -> None:
        """Close the database pool and the providers' connection pools."""
        await startup.stop(self.container)

    async def keep_sweeping(self, every: float | None = None) -> None:
        """Sweep operations whose process died and reconcile unknown outcomes, every `every`
        seconds (default: one lease), and delete assets past their plan's retention every
        `IMAGESTUDIO_STORAGE_SWEEP_SECONDS`, until cancelled; meanwhile deliver completion
        webhooks (`keep_delivering_webhooks`). A long-running process (a server, a worker)
        runs this as a background task."""
        async with asyncio.TaskGroup() as chores:
            chores.create_task(self.keep_delivering_webhooks(), name="webhooks")
            await self._keep_sweeping(every)

    async def keep_delivering_webhooks(self) -> None:
        """Deliver the webhook outbox until cancelled: at once after a settlement of this
        process that owes one, else every `IMAGESTUDIO_WEBHOOK_POLL_SECONDS` (rows written by
        other processes, retries coming due); deliveries past 30 days are deleted hourly."""
        settings = self.container.settings()
        worker = self.container.deliver_webhooks()
        loop = asyncio.get_running_loop()
        purge_due = loop.time()
        while True:
            try:
                done = await worker.execute()
                if loop.time() >= purge_due:
                    purge_due = loop.time() + 3600
                    await worker.purge()
            except Exception:  # a database hiccup must not end the loop
                log.exception("delivering webhooks failed; the next round retries")
                done = None
            if done is not None and done.claimed >= worker.batch:
                continue  # more may be due right now
            self._webhooks_due.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._webhooks_due.wait(), settings.webhook_poll_seconds)

    async def wake_webhooks(self) -> None:
        """Make the delivery worker of this process look for due deliveries now."""
        self._webhooks_due.set()

    async def _owes_webhook(self, settled: Settled) -> None:
        if settled.operation is not None and settled.operation.webhook is not None:
            self._webhooks_due.set()

    async def _keep_sweeping(self, every: float | None) -> None:
        settings = self.container.settings()
        interval = every or settings.lease_seconds
        loop = asyncio.get_running_loop()
        storage_due = loop.time()
        while True:
            for name, chore in (("sweeping", self.sweep), ("reconciling", self.reconcile)):
                try:
                    await chore.execute()
                except Exception:  # a database or network hiccup must not end the loop
                    log.exception("%s operations failed; the next round retries", name)
            if loop.time() >= storage_due:
                # Retention is counted in days: once in a while is often enough.
                storage_due = loop.time() + settings.storage_sweep_seconds
                try:
                    await self.sweep_storage.execute()
                except Exception:
                    log.exception("the storage sweep failed; the next round retries")
            await asyncio.sleep(interval)

    def on_settled(self, listener: Listener) -> None:
        """Call `listener` with what every committed settlement wrote (the ledger line, the
        operation, its assets), after the commit, in this process: how a host application
        mirrors our books into its own. A listener that raises is logged; the money path goes
        on (the settlement is already committed)."""
        self.container.settle().listen(listener)

    async def assign_plan(self, user_id: str, plan_name: str) -> None:
        """Put a user (new or existing) on a plan."""
        await self.container.quota().assign(user_id, plan_name)

    async def read_asset(self, asset: Asset | str, *, user_id: str | None = None) -> bytes:
        """The bytes of `asset`: one an operation or `list_assets` returned, or an asset id of
        `user_id` (the default user when not given). Raises LookupError when there is no such
        asset (any more); `get_asset` is the same as a use case, with a Result."""
        owner, asset_id = _owner_and_id(asset, user_id or self.container.settings().default_user)
        found = await self.get_asset.execute(owner, asset_id)
        if isinstance(found, Failure):
            raise LookupError(found.failure().message)
        return found.unwrap().data

    def asset_location(self, asset: Asset) -> str:
        """Where `asset`'s bytes are stored, without reading them: a file path with the `local`
        storage, an `s3://` URL, or a `memory://` name."""
        return self.container.assets().location(asset)


def _owner_and_id(asset: Asset | str, user_id: str) -> tuple[str, str]:
    if isinstance(asset, Asset):
        return asset.owner, asset.id
    return user_id, asset
