"""The Python API another application imports: every use case, wired for one profile.

    studio = ImageStudio.open()                      # settings from IMAGESTUDIO_* variables
    result = await studio.generate.execute(GenerateRequest(user_id="local", prompt="a fox"))

Each attribute is a use case with one `execute` method returning a `returns.Result`.
"""

from __future__ import annotations

from imagestudio.application.key_issuing import IssuedKey
from imagestudio.application.money_path.settle import Settled
from imagestudio.application.operation_views import Held, OperationView
from imagestudio.application.operation_waits import Wait, WaitReason
from imagestudio.application.ports.image_processor import (
    CompressSpec,
    ConvertSpec,
    Metadata,
    SocialFormat,
)
from imagestudio.application.requests import ImageInput, OperationRequest, OperationResult
from imagestudio.application.use_cases.adjust_charge import AdjustedCharge, Adjustment
from imagestudio.application.use_cases.collect_garbage import GarbageReport
from imagestudio.application.use_cases.control import ControlRequest
from imagestudio.application.use_cases.daily_spend import DailySpend
from imagestudio.application.use_cases.delete_user import UserDeletion
from imagestudio.application.use_cases.edit import EditRequest
from imagestudio.application.use_cases.export_usage import UsageExport
from imagestudio.application.use_cases.face_swap import FaceSwapRequest
from imagestudio.application.use_cases.generate import GenerateRequest
from imagestudio.application.use_cases.get_asset import AssetContent
from imagestudio.application.use_cases.get_thumbnail import Thumbnail
from imagestudio.application.use_cases.list_assets import AssetPage
from imagestudio.application.use_cases.list_budgets import BudgetUsage
from imagestudio.application.use_cases.list_ledger import LedgerPage
from imagestudio.application.use_cases.list_models import ModelListing
from imagestudio.application.use_cases.list_operations import OperationPage
from imagestudio.application.use_cases.quote import PriceQuote
from imagestudio.application.use_cases.reconcile import ReconcileReport
from imagestudio.application.use_cases.rotate_key import RotatedKey
from imagestudio.application.use_cases.show_asset import AssetDetails
from imagestudio.application.use_cases.sweep_storage import StorageSweepReport
from imagestudio.application.use_cases.to_3d import ImageTo3DRequest
from imagestudio.application.use_cases.to_video import ImageToVideoRequest
from imagestudio.application.use_cases.upscale import UpscaleRequest
from imagestudio.application.use_cases.usage import UsageReport, UsageRow
from imagestudio.domain.asset_query import AssetQuery, Relabel
from imagestudio.domain.operation import OperationStatus
from imagestudio.domain.operation_query import OperationQuery
from imagestudio.domain.plan_fit import PlanFit
from imagestudio.domain.webhook import WebhookSubscription
from imagestudio.entrypoints.settings import Profile, Settings
from imagestudio.entrypoints.studio import ImageStudio

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
