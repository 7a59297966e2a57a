"""The operations' use cases: running one (each kind), sweeping and reconciling them, reading
and following them, quoting, and the local image operations."""

from __future__ import annotations

from datetime import timedelta

from dependency_injector import providers

from imagestudio.application.use_cases.audit_provider import AuditProvider
from imagestudio.application.use_cases.check_providers import CheckProviders
from imagestudio.application.use_cases.control import ControlImage
from imagestudio.application.use_cases.edit import EditImage
from imagestudio.application.use_cases.face_swap import SwapFace
from imagestudio.application.use_cases.follow_operation import FollowOperation, FollowTiming
from imagestudio.application.use_cases.generate import GenerateImages
from imagestudio.application.use_cases.list_operations import ListOperations
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
from imagestudio.application.use_cases.run_operation import RunOperation
from imagestudio.application.use_cases.show_operation import ShowOperation
from imagestudio.application.use_cases.sweep import SweepAbandoned
from imagestudio.application.use_cases.to_3d import ImageTo3D
from imagestudio.application.use_cases.to_video import ImageToVideo
from imagestudio.application.use_cases.upscale import UpscaleImage
from imagestudio.entrypoints.adapter_container import Adapters


class OperationCases(Adapters):
    run_operation = providers.Singleton(
        RunOperation, Adapters.ports, Adapters.lease, Adapters.settle
    )
    sweep = providers.Singleton(
        SweepAbandoned, Adapters.ports, Adapters.lease, Adapters.settle, Adapters.idempotency
    )
    reconcile = providers.Singleton(
        Reconcile,
        Adapters.ports,
        run_operation,
        Adapters.lease,
        unresolved_after=providers.Callable(
            lambda s: timedelta(seconds=s.reconcile_after_seconds), Adapters.settings
        ),
        recheck_after=providers.Callable(
            lambda s: timedelta(seconds=s.reconcile_recheck_seconds), Adapters.settings
        ),
    )
    check_providers = providers.Singleton(CheckProviders, Adapters.provider_directory)
    audit_provider = providers.Singleton(
        AuditProvider,
        Adapters.ledger,
        Adapters.operations,
        Adapters.catalog,
        Adapters.provider_books,
        Adapters.clock,
    )
    timing = reconcile.provided.timing
    list_operations = providers.Singleton(
        ListOperations, Adapters.operations, Adapters.quota, Adapters.clock, timing
    )
    list_waiting = providers.Singleton(
        ListWaiting, Adapters.operations, Adapters.quota, Adapters.clock, timing
    )
    show_operation = providers.Singleton(
        ShowOperation, Adapters.operations, Adapters.quota, Adapters.clock, timing
    )
    follow_operation = providers.Singleton(
        FollowOperation,
        Adapters.operations,
        Adapters.clock,
        Adapters.progress_notes,
        providers.Factory(
            FollowTiming,
            poll_seconds=Adapters.settings.provided.events_poll_seconds,
            longest_seconds=Adapters.settings.provided.events_longest_seconds,
        ),
    )
    generate = providers.Singleton(GenerateImages, run_operation)
    edit = providers.Singleton(EditImage, run_operation)
    upscale = providers.Singleton(UpscaleImage, run_operation)
    control = providers.Singleton(ControlImage, run_operation)
    to_3d = providers.Singleton(ImageTo3D, run_operation)
    face_swap = providers.Singleton(SwapFace, run_operation)
    to_video = providers.Singleton(ImageToVideo, run_operation)
    quote = providers.Singleton(QuotePrice, Adapters.ports)
    local_operation = providers.Singleton(
        RunLocalOperation,
        Adapters.ports,
        Adapters.image_processor,
        Adapters.lease,
        Adapters.settle,
        Adapters.image_workers,
    )
    compress = providers.Singleton(CompressImage, local_operation)
    convert = providers.Singleton(ConvertImage, local_operation)
    social = providers.Singleton(FitSocial, local_operation)
    social_formats = providers.Singleton(ListSocialFormats, local_operation)
