"""The offline provider: real, deterministic image operations with no network (see `faults`)."""

from imagestudio.adapters.offline_provider.faults import FaultMarker
from imagestudio.adapters.offline_provider.provider import OfflineProvider

__all__ = ["FaultMarker", "OfflineProvider"]
