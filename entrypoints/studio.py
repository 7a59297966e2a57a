"""`ImageStudio`: every use case of imagestudio, built from one container, with what a host
application calls around them (start, close, background chores, listeners, asset bytes)."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from returns.result import Failure

from imagestudio.application.money_path.settle import Settled
from imagestudio.application.names import USER_ID_LENGTH, check_name
from imagestudio.application.use_cases.add_user import AddUser
from imagestudio.application.use_cases.adjust_charge import AdjustCharge
from imagestudio.application.use_cases.audit_provider import AuditProvider
from imagestudio.application.use_cases.authenticate import Authenticate
from imagestudio.application.use_cases.change_plan import ChangePlan
from imagestudio.application.use_cases.check_providers import CheckProviders
from imagestudio.application.use_cases.collect_garbage import CollectGarbage
from imagestudio.application.use_cases.control import ControlImage
from imagestudio.application.use_cases.daily_spend import ReadDailySpend
from imagestudio.application.use_cases.define_plan import DefinePlan
from imagestudio.application.use_cases.delete_asset import DeleteAsset
from imagestudio.application.use_cases.delete_plan import DeletePlan
from imagestudio.application.use_cases.delete_user import DeleteUser
from imagestudio.application.use_cases.edit import EditImage
from imagestudio.application.use_cases.export_usage import ExportUsage
from imagestudio.application.use_cases.face_swap import SwapFace
from imagestudio.application.use_cases.follow_operation import FollowOperation
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
from imagestudio.application.use_cases.local_operations import (
    CompressImage,
    ConvertImage,
    FitSocial,
    ListSocialFormats,
)
from imagestudio.application.use_cases.quote import QuotePrice
from imagestudio.application.use_cases.reconcile import Reconcile
from imagestudio.application.use_cases.revoke_key import RevokeKey
from imagestudio.application.use_cases.rotate_key import RotateKey
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
from imagestudio.domain.asset import Asset
from imagestudio.domain.errors import InvalidInput
from imagestudio.entrypoints import startup
from imagestudio.entrypoints.container import Container, build_container
from imagestudio.entrypoints.main_guard import refuse_in_a_starting_child
from imagestudio.entrypoints.setting_overrides import with_overrides
from imagestudio.entrypoints.settings import Settings
from imagestudio.entrypoints.studio_chores import StudioChores


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
        self._chores = StudioChores(container)
        self._closed = False

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
        (`{"ledger": MyLedger()}`; the names are `adapter_overrides.ADAPTER_PORTS`).

        Nothing is touched yet; `await studio.start()` (or `connect`) checks the schema.
        """
        refuse_in_a_starting_child()
        return cls(build_container(with_overrides(settings, overrides), adapters))

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
        """Refuse an out-of-date database schema; seed the reference plans and default user.
        A studio closed with `aclose` is not started again (RuntimeError): build a new one."""
        if self._closed:
            raise RuntimeError(startup.CLOSED)
        await startup.start(self.container)
        return self

    async def aclose(self) -> None:
        """Close the database pool and the providers' connection pools; a second call does
        nothing."""
        if self._closed:
            return
        self._closed = True
        await startup.stop(self.container)

    async def keep_sweeping(self, every: float | None = None) -> None:
        """Sweep operations whose process died and reconcile unknown outcomes, every `every`
        seconds (default: one lease), and delete assets past their plan's retention every
        `IMAGESTUDIO_STORAGE_SWEEP_SECONDS`, until cancelled; meanwhile deliver completion
        webhooks (`keep_delivering_webhooks`). A long-running process (a server, a worker)
        runs this as a background task. ValueError for an `every` not above 0."""
        await self._chores.keep_sweeping(every)

    async def keep_delivering_webhooks(self) -> None:
        """Deliver the webhook outbox until cancelled: at once after a settlement of this
        process that owes one, else every `IMAGESTUDIO_WEBHOOK_POLL_SECONDS` (rows written by
        other processes, retries coming due); deliveries past 30 days are deleted hourly."""
        await self._chores.keep_delivering_webhooks()

    async def wake_webhooks(self) -> None:
        """Make the delivery worker of this process look for due deliveries now."""
        await self._chores.wake_webhooks()

    def on_settled(self, listener: Callable[[Settled], Awaitable[None] | None]) -> None:
        """Call `listener` with what every committed settlement wrote (the ledger line, the
        operation, its assets), after the commit, in this process: how a host application
        mirrors our books into its own. A coroutine function is awaited, a plain function
        called, on the studio's loop; the caller's result waits for it (a caller cancelled
        meanwhile does not cut it short). A listener that raises is logged; the money path goes
        on (the settlement is already committed)."""

        async def heard(settled: Settled) -> None:
            answer = listener(settled)
            if inspect.isawaitable(answer):
                await answer

        self.container.settle().listen(heard)

    async def assign_plan(self, user_id: str, plan_name: str) -> None:
        """Put a user (new or existing) on a plan. Raises ValueError for a user id `add_user`
        would refuse (letters, digits and `_ . @ -`, at most 128), KeyError for no such plan."""
        # The id names the user's asset folder: a user made with an unsafe one would pay the
        # provider for every output and never get it stored.
        problem = (
            check_name("user id", user_id, USER_ID_LENGTH)
            if isinstance(user_id, str)
            else InvalidInput("user id", f"must be text, not {type(user_id).__name__}")
        )
        if problem is not None:
            raise ValueError(problem.message)
        await self.container.quota().assign(user_id, plan_name)

    async def read_asset(self, asset: Asset | str, *, user_id: str | None = None) -> bytes:
        """The bytes of `asset`: one an operation or `list_assets` returned, or an asset id of
        `user_id` (the default user when not given). Raises LookupError when there is no such
        asset (any more); `get_asset` is the same as a use case, with a Result."""
        default = self.container.settings().default_user
        owner, asset_id = _owner_and_id(asset, default if user_id is None else user_id)
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
