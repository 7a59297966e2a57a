"""Which of our adapters a host application may replace with its own, and the check that its
object can serve the port, made when the studio is built rather than at the first call."""

from __future__ import annotations

import inspect

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
from imagestudio.entrypoints.settings import SettingsError

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


IN_THE_UNIT_OF_WORK = (
    "quota",
    "ledger",
    "operations",
    "idempotency",
    "asset_library",
    "webhook_deliveries",
)
"""Stores the money path writes in one transaction: never replaced one by one."""


def check_adapter(name: str, adapter: object) -> None:
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
    if isinstance(adapter, type):
        # Its methods are there, unbound: every call would fail for want of `self`.
        raise SettingsError(
            f"the {name!r} adapter is the class {adapter.__name__}: give an instance of it"
        )
    declared = {method: waits for port in ports for method, waits in _methods_of(port).items()}
    missing = sorted(m for m in declared if not callable(getattr(adapter, m, None)))
    if missing:
        raise SettingsError(
            f"{type(adapter).__name__} cannot be the {name!r} adapter: it has no "
            + ", ".join(missing)
        )
    # Only this way round is sure: a plain `def` may hand back an awaitable, but a coroutine
    # function never answers at once (a clock's `now` would give a coroutine, not a time).
    awaited = sorted(
        method
        for method, waits in declared.items()
        if not waits and inspect.iscoroutinefunction(getattr(adapter, method))
    )
    if awaited:
        raise SettingsError(
            f"{type(adapter).__name__} cannot be the {name!r} adapter: "
            + ", ".join(awaited)
            + " must not be async (the port answers at once)"
        )


def _methods_of(port: type) -> dict[str, bool]:
    """The public methods a port declares (its own and its parent ports'), each with whether
    it is a coroutine function."""
    return {
        attribute: inspect.iscoroutinefunction(value)
        for declaring in port.__mro__
        if declaring.__module__.startswith("imagestudio.")
        for attribute, value in vars(declaring).items()
        if not attribute.startswith("_") and callable(value)
    }
