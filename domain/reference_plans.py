"""The plans of the system we replace, mapped onto our quota categories, plus `local`.

Each category takes the counter that actually governed it in the reference system:
image-generation, upscale and control were checked against `stability_calls`; image-edit
against `image_edit_calls`; video against `video_calls`; face swap and image-to-3D ran on
WaveSpeed, so they take `wavespeed_calls`, where Free's 0 is read as its docstring meant it
("disabled"), not as the unlimited the code made of it. Enterprise's zeros meant unlimited
and are said so explicitly. The reference had no request-rate or concurrency limits, nor
storage limits or retention (it kept nothing itself); ours are new and modest.
"""

from __future__ import annotations

from imagestudio.domain.limit import UNLIMITED, Limit
from imagestudio.domain.money import usd_to_micros
from imagestudio.domain.operation_kind import QuotaCategory as C
from imagestudio.domain.plan import Plan

MB = 1024 * 1024
GB = 1024 * MB


def _calls(generation: int, edit: int, wavespeed: int, video: int) -> dict[C, Limit]:
    return {
        C.IMAGE_GENERATION: Limit.of(generation),
        C.UPSCALE: Limit.of(generation),
        C.CONTROL: Limit.of(generation),
        C.IMAGE_EDIT: Limit.of(edit),
        C.FACE_SWAP: Limit.of(wavespeed),
        C.IMAGE_TO_3D: Limit.of(wavespeed),
        C.VIDEO: Limit.of(video),
        C.LOCAL: UNLIMITED,  # free work on this machine: counted, never limited by default
    }


FREE = Plan(
    name="free",
    calls=_calls(generation=10, edit=5, wavespeed=0, video=2),
    spend_cap=Limit.of(usd_to_micros("2")),
    requests_per_minute=Limit.of(10),
    concurrent_operations=Limit.of(1),
    monthly_price=0,
    storage_bytes=Limit.of(250 * MB),
    retention_days=30,
)
BASIC = Plan(
    name="basic",
    calls=_calls(generation=25, edit=25, wavespeed=200, video=10),
    spend_cap=Limit.of(usd_to_micros("25")),
    requests_per_minute=Limit.of(30),
    concurrent_operations=Limit.of(2),
    monthly_price=usd_to_micros("29"),
    storage_bytes=Limit.of(2 * GB),
    retention_days=180,
)
PRO = Plan(
    name="pro",
    calls=_calls(generation=100, edit=100, wavespeed=500, video=30),
    spend_cap=Limit.of(usd_to_micros("100")),
    requests_per_minute=Limit.of(60),
    concurrent_operations=Limit.of(4),
    monthly_price=usd_to_micros("79"),
    storage_bytes=Limit.of(10 * GB),
    retention_days=365,
)
ENTERPRISE = Plan(
    name="enterprise",
    calls=dict.fromkeys(C, UNLIMITED),
    spend_cap=Limit.of(usd_to_micros("500")),
    requests_per_minute=Limit.of(120),
    concurrent_operations=Limit.of(8),
    monthly_price=usd_to_micros("199"),
    storage_bytes=Limit.of(100 * GB),
)
LOCAL = Plan(
    name="local",
    calls=dict.fromkeys(C, UNLIMITED),
    spend_cap=UNLIMITED,
    requests_per_minute=UNLIMITED,
    concurrent_operations=UNLIMITED,
)

REFERENCE_PLANS: tuple[Plan, ...] = (FREE, BASIC, PRO, ENTERPRISE, LOCAL)
