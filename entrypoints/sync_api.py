"""The Python API for code without an event loop (a script, Django, Flask, a notebook cell).

    with SyncImageStudio(profile="test") as studio:
        result = studio.generate.execute(GenerateRequest(user_id="local", prompt="a fox"))

The same use cases as `ImageStudio`, same names and arguments, each `execute` blocking until its
result. They run on one private event loop in a thread of their own, kept for the facade's whole
life, since the database pool and the provider-account limiters belong to the loop that made them.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from types import TracebackType
from typing import Any, ParamSpec, TypeVar

from imagestudio.application.money_path.settle import Settled
from imagestudio.domain.asset import Asset
from imagestudio.entrypoints.api import ImageStudio
from imagestudio.entrypoints.blocking_use_cases import (
    BlockingFollow,
    BlockingUseCase,
    BlockingWebhookSecrets,
)
from imagestudio.entrypoints.main_guard import refuse_in_a_starting_child
from imagestudio.entrypoints.settings import Settings
from imagestudio.entrypoints.studio_chores import check_every

P = ParamSpec("P")
CLOSED = "this SyncImageStudio is closed: build a new one"
R = TypeVar("R")


class SyncImageStudio:
    """Every use case of `ImageStudio`, blocking; `close()` (or the `with` block's end) stops
    background work, closes the pools and ends the thread."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        adapters: Mapping[str, object] | None = None,
        **overrides: Any,
    ) -> None:
        """As `ImageStudio.connect`: settings, or the environment with keyword overrides, and
        the application's own adapters by name."""
        refuse_in_a_starting_child()  # here: the loop's thread does not see its caller's frames
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="imagestudio-loop", daemon=True
        )
        self._thread.start()
        self._closed = False
        try:
            self.studio = self.call(ImageStudio.connect(settings, adapters=adapters, **overrides))
        except BaseException:
            self._stop_loop()
            raise
        studio = self.studio
        self.generate = self._blocking(studio.generate.execute)
        self.edit = self._blocking(studio.edit.execute)
        self.upscale = self._blocking(studio.upscale.execute)
        self.control = self._blocking(studio.control.execute)
        self.to_3d = self._blocking(studio.to_3d.execute)
        self.face_swap = self._blocking(studio.face_swap.execute)
        self.to_video = self._blocking(studio.to_video.execute)
        self.quote = self._blocking(studio.quote.execute)
        self.usage = self._blocking(studio.usage.execute)
        self.list_models = self._blocking(studio.list_models.execute)
        self.list_plans = self._blocking(studio.list_plans.execute)
        self.define_plan = self._blocking(studio.define_plan.execute)
        self.delete_plan = self._blocking(studio.delete_plan.execute)
        self.list_users = self._blocking(studio.list_users.execute)
        self.add_user = self._blocking(studio.add_user.execute)
        self.change_plan = self._blocking(studio.change_plan.execute)
        self.rotate_key = self._blocking(studio.rotate_key.execute)
        self.revoke_key = self._blocking(studio.revoke_key.execute)
        self.list_keys = self._blocking(studio.list_keys.execute)
        self.authenticate = self._blocking(studio.authenticate.execute)
        self.set_budget = self._blocking(studio.set_budget.execute)
        self.list_budgets = self._blocking(studio.list_budgets.execute)
        self.adjust_charge = self._blocking(studio.adjust_charge.execute)
        self.export_usage = self._blocking(studio.export_usage.execute)
        self.list_ledger = self._blocking(studio.list_ledger.execute)
        self.daily_spend = self._blocking(studio.daily_spend.execute)
        self.get_asset = self._blocking(studio.get_asset.execute)
        self.get_thumbnail = self._blocking(studio.get_thumbnail.execute)
        self.list_assets = self._blocking(studio.list_assets.execute)
        self.show_asset = self._blocking(studio.show_asset.execute)
        self.label_asset = self._blocking(studio.label_asset.execute)
        self.delete_asset = self._blocking(studio.delete_asset.execute)
        self.list_operations = self._blocking(studio.list_operations.execute)
        self.show_operation = self._blocking(studio.show_operation.execute)
        self.follow_operation = BlockingFollow(self, studio.follow_operation)
        self.sweep_storage = self._blocking(studio.sweep_storage.execute)
        self.collect_garbage = self._blocking(studio.collect_garbage.execute)
        self.delete_user = self._blocking(studio.delete_user.execute)
        self.compress = self._blocking(studio.compress.execute)
        self.convert = self._blocking(studio.convert.execute)
        self.social = self._blocking(studio.social.execute)
        self.social_formats = self._blocking(studio.social_formats.execute)
        self.sweep = self._blocking(studio.sweep.execute)
        self.reconcile = self._blocking(studio.reconcile.execute)
        self.check_providers = self._blocking(studio.check_providers.execute)
        self.audit_provider = self._blocking(studio.audit_provider.execute)
        self.webhook_secrets = BlockingWebhookSecrets(self, studio.webhook_secrets)

    @property
    def closed(self) -> bool:
        return self._closed

    def _blocking(self, execute: Callable[P, Coroutine[Any, Any, R]]) -> BlockingUseCase[P, R]:
        return BlockingUseCase(self, execute)

    def call(self, work: Coroutine[Any, Any, R]) -> R:
        """Run `work` (a coroutine using `self.studio`) on the facade's loop; its result, or
        its exception. Interrupted while waiting (Ctrl-C), the work is cancelled."""
        if self._closed:
            work.close()
            raise RuntimeError(CLOSED)
        if threading.current_thread() is self._thread:
            work.close()
            raise RuntimeError("SyncImageStudio called from its own loop: await `studio` instead")
        done = asyncio.run_coroutine_threadsafe(work, self._loop)
        try:
            return done.result()
        except BaseException:
            done.cancel()
            raise

    def assign_plan(self, user_id: str, plan_name: str) -> None:
        """As `ImageStudio.assign_plan`: put a user (new or existing) on a plan (ValueError for
        a user id `add_user` would refuse, KeyError for no such plan)."""
        self.call(self.studio.assign_plan(user_id, plan_name))

    def read_asset(self, asset: Asset | str, *, user_id: str | None = None) -> bytes:
        """As `ImageStudio.read_asset`: the bytes of an asset (or of an asset id)."""
        return self.call(self.studio.read_asset(asset, user_id=user_id))

    def asset_location(self, asset: Asset) -> str:
        """As `ImageStudio.asset_location`: where the asset's bytes are stored."""
        return self.studio.asset_location(asset)

    def on_settled(self, listener: Callable[[Settled], Awaitable[None] | None]) -> None:
        """As `ImageStudio.on_settled`: `listener` (a plain or a coroutine function) runs on the
        facade's loop, in its thread, after every committed settlement; it may not call the
        facade (that would wait on the loop it runs on: RuntimeError, logged), and while it
        runs the facade's other calls wait."""
        self.studio.on_settled(listener)

    def keep_sweeping(self, every: float | None = None) -> None:
        """Sweep dead operations and reconcile unknown outcomes in the background, every
        `every` seconds, until `close()`: what a long-running application does."""
        check_every(every)  # here: raised in the loop's task, nobody would hear it
        self._in_background(lambda: self.studio.keep_sweeping(every), "sweeping")

    def keep_delivering_webhooks(self) -> None:
        """Deliver completion webhooks in the background until `close()` (`keep_sweeping`
        does it too)."""
        self._in_background(self.studio.keep_delivering_webhooks, "webhooks")

    def _in_background(self, work: Callable[[], Coroutine[Any, Any, None]], name: str) -> None:
        # Closed, the loop is gone: its own "Event loop is closed" said nothing of why.
        if self._closed:
            raise RuntimeError(CLOSED)
        self._loop.call_soon_threadsafe(lambda: self._loop.create_task(work(), name=name))

    def wake_webhooks(self) -> None:
        """As `ImageStudio.wake_webhooks`: look for due webhook deliveries now."""
        self.call(self.studio.wake_webhooks())

    def close(self) -> None:
        """Cancel background work, close the pools, stop the loop and its thread. Idempotent."""
        if self._closed:
            return
        try:
            self.call(self._wind_down())
        finally:
            self._closed = True
            self._stop_loop()

    async def _wind_down(self) -> None:
        others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)
        await self.studio.aclose()

    def _stop_loop(self) -> None:
        self._closed = True
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.run_until_complete(self._loop.shutdown_asyncgens())
        self._loop.run_until_complete(self._loop.shutdown_default_executor())
        self._loop.close()

    def __enter__(self) -> SyncImageStudio:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
