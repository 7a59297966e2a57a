"""The composition root: the use cases of accounts, plans, keys, budgets, the ledger, assets,
the studio's sign-in and webhooks, on top of the operations' (`OperationCases`) and the adapters
`Adapters` chose from settings.

A host application's own adapters replace ours by name (`adapter_overrides`).
"""

from __future__ import annotations

from collections.abc import Mapping

from dependency_injector import providers

from imagestudio.adapters.system.keys import RandomTokens
from imagestudio.adapters.webhooks.sender import HttpWebhookSender
from imagestudio.application.use_cases.add_user import AddUser
from imagestudio.application.use_cases.adjust_charge import AdjustCharge
from imagestudio.application.use_cases.authenticate import Authenticate
from imagestudio.application.use_cases.browser_session import FindSession, SignOut
from imagestudio.application.use_cases.browser_sign_in import (
    IssueSignInLink,
    SessionOpener,
    SignInWithKey,
    SignInWithLink,
)
from imagestudio.application.use_cases.change_plan import ChangePlan
from imagestudio.application.use_cases.collect_garbage import CollectGarbage
from imagestudio.application.use_cases.daily_spend import ReadDailySpend
from imagestudio.application.use_cases.define_plan import DefinePlan
from imagestudio.application.use_cases.delete_asset import DeleteAsset
from imagestudio.application.use_cases.delete_plan import DeletePlan
from imagestudio.application.use_cases.delete_user import DeleteUser
from imagestudio.application.use_cases.deliver_webhooks import DeliverWebhooks
from imagestudio.application.use_cases.export_usage import ExportUsage
from imagestudio.application.use_cases.get_asset import GetAsset
from imagestudio.application.use_cases.get_thumbnail import GetThumbnail
from imagestudio.application.use_cases.label_asset import LabelAsset
from imagestudio.application.use_cases.list_assets import ListAssets
from imagestudio.application.use_cases.list_budgets import ListBudgets
from imagestudio.application.use_cases.list_keys import ListKeys
from imagestudio.application.use_cases.list_ledger import ListLedger
from imagestudio.application.use_cases.list_models import ListModels
from imagestudio.application.use_cases.list_plans import ListPlans
from imagestudio.application.use_cases.list_users import ListUsers
from imagestudio.application.use_cases.revoke_key import RevokeKey
from imagestudio.application.use_cases.rotate_key import RotateKey
from imagestudio.application.use_cases.set_budget import SetBudget
from imagestudio.application.use_cases.show_asset import ShowAsset
from imagestudio.application.use_cases.sweep_storage import SweepStorage
from imagestudio.application.use_cases.usage import ReadUsage
from imagestudio.application.use_cases.webhook_secrets import WebhookSecrets
from imagestudio.entrypoints.adapter_container import Adapters
from imagestudio.entrypoints.adapter_overrides import check_adapter
from imagestudio.entrypoints.http.signed_urls import AssetLinks
from imagestudio.entrypoints.operation_container import OperationCases
from imagestudio.entrypoints.setting_overrides import check_settings
from imagestudio.entrypoints.settings import Settings
from imagestudio.entrypoints.webhook_wiring import (
    PublicAssetLinks,
    webhook_server_key,
)


class Container(OperationCases):
    usage = providers.Singleton(
        ReadUsage, Adapters.quota, Adapters.clock, Adapters.alert_log, Adapters.asset_library
    )
    list_models = providers.Singleton(ListModels, Adapters.catalog, Adapters.provider_directory)
    list_plans = providers.Singleton(ListPlans, Adapters.quota)
    define_plan = providers.Singleton(DefinePlan, Adapters.quota)
    delete_plan = providers.Singleton(
        DeletePlan, Adapters.quota, Adapters.settings.provided.default_plan
    )
    list_users = providers.Singleton(
        ListUsers, Adapters.quota, Adapters.quota, Adapters.api_keys, Adapters.clock
    )
    add_user = providers.Singleton(AddUser, Adapters.quota, Adapters.api_keys, Adapters.key_issuer)
    change_plan = providers.Singleton(ChangePlan, Adapters.quota, Adapters.quota)
    rotate_key = providers.Singleton(
        RotateKey, Adapters.quota, Adapters.api_keys, Adapters.key_issuer
    )
    revoke_key = providers.Singleton(RevokeKey, Adapters.api_keys, Adapters.clock)
    list_keys = providers.Singleton(ListKeys, Adapters.quota, Adapters.api_keys)
    authenticate = providers.Singleton(Authenticate, Adapters.api_keys)
    set_budget = providers.Singleton(
        SetBudget, Adapters.quota, Adapters.catalog, Adapters.ledger, Adapters.clock
    )
    list_budgets = providers.Singleton(ListBudgets, Adapters.quota, Adapters.clock)
    adjust_charge = providers.Singleton(
        AdjustCharge, Adapters.quota, Adapters.settle, Adapters.ids, Adapters.clock
    )
    export_usage = providers.Singleton(ExportUsage, Adapters.ledger, Adapters.clock)
    list_ledger = providers.Singleton(ListLedger, Adapters.ledger, Adapters.quota, Adapters.clock)
    daily_spend = providers.Singleton(
        ReadDailySpend, Adapters.ledger, Adapters.quota, Adapters.clock
    )
    get_asset = providers.Singleton(GetAsset, Adapters.assets)
    get_thumbnail = providers.Singleton(
        GetThumbnail, Adapters.assets, Adapters.image_processor, Adapters.image_workers
    )
    list_assets = providers.Singleton(ListAssets, Adapters.assets)
    show_asset = providers.Singleton(ShowAsset, Adapters.assets)
    label_asset = providers.Singleton(LabelAsset, Adapters.assets)
    delete_asset = providers.Singleton(DeleteAsset, Adapters.assets)
    sweep_storage = providers.Singleton(
        SweepStorage, Adapters.assets, Adapters.quota, Adapters.clock
    )
    collect_garbage = providers.Singleton(CollectGarbage, Adapters.assets, Adapters.clock)
    delete_user = providers.Singleton(
        DeleteUser,
        Adapters.assets,
        Adapters.account_erasure,
        Adapters.quota,
        Adapters.ids,
        Adapters.settings.provided.default_user,
    )
    session_opener = providers.Singleton(
        SessionOpener,
        Adapters.browser_sessions,
        providers.Singleton(RandomTokens),
        Adapters.clock,
        Adapters.session_policy,
    )
    sign_in_with_key = providers.Singleton(SignInWithKey, session_opener, Adapters.api_keys)
    sign_in_with_link = providers.Singleton(SignInWithLink, session_opener)
    issue_sign_in_link = providers.Singleton(IssueSignInLink, session_opener)
    find_session = providers.Singleton(
        FindSession,
        Adapters.browser_sessions,
        Adapters.api_keys,
        Adapters.quota,
        Adapters.clock,
        Adapters.session_policy,
    )
    sign_out = providers.Singleton(SignOut, Adapters.browser_sessions)
    asset_links = providers.Singleton(AssetLinks.from_settings, Adapters.settings)
    webhook_secrets = providers.Singleton(
        WebhookSecrets,
        Adapters.webhook_seeds,
        providers.Singleton(webhook_server_key, Adapters.settings),
        Adapters.clock,
    )
    deliver_webhooks = providers.Singleton(
        DeliverWebhooks,
        Adapters.webhook_deliveries,
        Adapters.operations,
        Adapters.assets,
        webhook_secrets,
        providers.Singleton(HttpWebhookSender, Adapters.webhook_destinations),
        providers.Singleton(
            PublicAssetLinks, asset_links.provider, Adapters.settings.provided.public_url
        ),
        Adapters.clock,
        providers.Callable(lambda ids: ids.new_id("webhooks"), Adapters.ids),
    )


def build_container(
    settings: Settings | None = None, adapters: Mapping[str, object] | None = None
) -> Container:
    """A container for `settings` (read from the environment when not given), with the host
    application's own `adapters` in place of ours, by name (`ADAPTER_PORTS`). Each replaces
    ours everywhere it is used; a name we do not have, or an object lacking a method of the
    port, is refused here rather than at the first call."""
    # Said here: dependency_injector's own "x is not an instance of Settings" and a list's
    # AttributeError named neither the argument nor what it takes.
    check_settings(settings)
    if adapters is not None and not isinstance(adapters, Mapping):
        raise TypeError(
            f"adapters must be a mapping of names to objects, not {type(adapters).__name__}"
        )
    container = Container(settings=settings or Settings())
    for name, adapter in (adapters or {}).items():
        check_adapter(name, adapter)
        getattr(container, name).override(providers.Object(adapter))
    return container
