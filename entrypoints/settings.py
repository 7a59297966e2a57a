"""Settings from IMAGESTUDIO_* variables (and a `.env` file in the current folder, which the
environment overrides): a profile is a preset (profiles.py), single settings override it."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from imagestudio.application.routing import RoutingPolicy, RoutingRules
from imagestudio.domain.model import ModelTier
from imagestudio.entrypoints.durations import MOST_HOURS, MOST_SECONDS
from imagestudio.entrypoints.profiles import (
    OFFLINE_PROVIDER_BY_DEFAULT,
    PRESET_STORAGE,
    SQLITE_PROFILES,
    Profile,
    StorageKind,
    default_data_dir,
    profile_folder_in,
)
from imagestudio.entrypoints.setting_bounds import (
    MOST_MICROS_PER_CREDIT,
    MOST_PIXELS,
    MOST_PRICE_USD,
    MOST_REQUEST_BYTES,
    MOST_REQUESTS,
    MOST_TASKS,
)
from imagestudio.entrypoints.setting_types import (
    BlankIsUnset,
    DatabaseUrl,
    Folder,
    HttpAddress,
    NoFloat,
    SigningKey,
    UserId,
)

# Profile and StorageKind were defined here first; their importers may keep importing them here.
__all__ = ["Profile", "Settings", "SettingsError", "StorageKind"]


class SettingsError(ValueError):
    """The settings name something that does not exist (a plan, a profile, …)."""


class Settings(BaseSettings):
    # A `.env` file in the current folder fills in what the environment leaves unset.
    # An error names the setting and what is wrong with it, never the value given: several
    # settings are secrets, and a host application may log the error it catches.
    model_config = SettingsConfigDict(
        env_prefix="IMAGESTUDIO_",
        extra="ignore",
        env_file=".env",
        env_file_encoding="utf-8",
        hide_input_in_errors=True,
    )

    profile: Profile = Profile.LOCAL
    data_dir: Folder = Field(default_factory=default_data_dir)
    """The `local` profile's files; every other profile's are in a folder named after it here
    (`profile_dir`)."""
    database_url: DatabaseUrl | None = None
    """Overrides the profile's database: `sqlite:///path` or `postgresql://user@host/db`."""
    storage: StorageKind | None = None
    """Overrides the profile's asset storage."""
    database_pool: bool = True
    """Keep database connections open between calls; the CLI, one event loop per command, turns
    it off."""
    s3_bucket: str | None = None
    s3_prefix: str = ""
    s3_endpoint_url: HttpAddress | None = None
    """For S3-compatible servers (MinIO, Ceph…); AWS when unset."""
    s3_region: str | None = None
    s3_allow_http: bool = False
    default_user: UserId = "local"
    """A user who exists from the start, so a newcomer can run every command with no set-up."""
    default_plan: str = "local"
    offline_price_usd: Annotated[Decimal | None, NoFloat] = Field(
        default=None, ge=0, le=MOST_PRICE_USD, decimal_places=6
    )
    """A flat price per output for the offline models (free when unset); whole micro-dollars,
    as the catalog's prices."""
    micros_per_credit: int = Field(default=10_000, ge=1, le=MOST_MICROS_PER_CREDIT)
    """What one Stability credit costs, in micro-dollars ($0.01)."""
    # -- providers: a real provider is enabled when its key is set -----------------------------
    wavespeed_api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("IMAGESTUDIO_WAVESPEED_API_KEY", "WAVESPEED_API_KEY"),
    )
    stability_api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("IMAGESTUDIO_STABILITY_API_KEY", "STABILITY_API_KEY"),
    )
    wavespeed_base_url: HttpAddress = "https://api.wavespeed.ai"
    stability_base_url: HttpAddress = "https://api.stability.ai"
    sandbox_url: HttpAddress = "http://127.0.0.1:8765"
    """Where the `sandbox` profile finds `imagestudio sandbox`."""
    offline_provider: bool | None = None
    """Offer the offline provider; by default in the local, offline and test profiles only."""
    offline_slow_seconds: float = Field(default=0.2, ge=0, le=600)
    """How long the offline provider works on a prompt holding `[offline:slow]` (demos of
    progress and cancellation)."""
    provider_deadline_seconds: float = Field(default=600, gt=0, le=MOST_SECONDS)
    """How long one provider call may take from queueing to its outputs downloaded."""
    wavespeed_sync_mode: bool = False
    wavespeed_poll_seconds: float = Field(default=1.0, gt=0, le=MOST_SECONDS)
    wavespeed_concurrent_tasks: int = Field(default=3, ge=1, le=MOST_TASKS)
    """The account's concurrent-task limit (Bronze 3, Silver 100, Gold 2,000)."""
    wavespeed_submits_per_minute: int = Field(default=10, ge=1, le=MOST_REQUESTS)
    """The account's images per minute (Bronze 10, Silver 500, Gold 3,000)."""
    stability_poll_seconds: float = Field(default=10.0, gt=0, le=MOST_SECONDS)
    """Polling async results more often than every 10 s may be rate-limited."""
    stability_requests_per_10s: int = Field(default=150, ge=1, le=MOST_REQUESTS)
    """Stability locks the account out for 60 s past 150 requests in 10 s."""
    stability_concurrent_tasks: int = Field(default=10, ge=1, le=MOST_TASKS)
    routing: RoutingPolicy = RoutingPolicy.CHEAPEST
    """How model `auto` chooses: cheapest, quality (see routing_tier) or preference."""
    routing_tier: ModelTier = ModelTier.STANDARD
    routing_preference: str = ""
    """Comma-separated model ids or provider names, most preferred first."""
    reconcile_after_seconds: float = Field(default=1800, gt=0, le=MOST_SECONDS)
    """How long an operation whose submit was never confirmed waits before it is released as
    `unknown_unresolved`."""
    # -- local image work (compress, convert, social) ---------------------------------------
    image_workers: int = Field(default=2, ge=1, le=64)
    """How many pieces of local image work run at once in this process (each in a child
    process); more wait their turn."""
    image_seconds: float = Field(default=30, gt=0, le=MOST_SECONDS)
    """A piece of local image work still running after this long is stopped and refused."""
    image_max_pixels: int = Field(default=50_000_000, ge=1, le=MOST_PIXELS)
    """The most pixels an input of a local operation may have (read from its header, before
    any pixel is decoded)."""

    reconcile_recheck_seconds: float = Field(default=30, gt=0, le=MOST_SECONDS)
    """How long reconciliation waits before asking again about a task the provider still runs
    (or could not be reached about)."""
    # -- the HTTP API ---------------------------------------------------------------------
    admin_key: Annotated[SecretStr | None, BlankIsUnset] = None
    """The operator's key for `/v1/admin/*`; the admin API is off without it."""
    http_wait_seconds: float = Field(default=30, ge=0, le=MOST_SECONDS)
    """How long `POST /v1/operations` waits for the result before answering 202."""
    http_max_request_bytes: int = Field(default=25 * 1024 * 1024, gt=0, le=MOST_REQUEST_BYTES)
    http_read_seconds: float = Field(default=30, gt=0, le=MOST_SECONDS)
    """How long a request body may stop arriving before the request is answered 408."""
    http_shutdown_grace_seconds: float = Field(default=30, ge=0, le=MOST_SECONDS)
    """On shutdown, how long operations in flight may still finish before being cancelled."""
    studio_session_hours: float = Field(default=168, gt=0, le=MOST_HOURS)
    """How long a sign-in to the studio pages lasts (ended sooner by signing out, or by
    revoking or rotating the key it was opened with)."""
    studio_link_seconds: float = Field(default=600, gt=0, le=MOST_SECONDS)
    """How long the one-time sign-in link a local server prints at start works, unused."""
    signing_key: SigningKey | None = None
    """Signs the asset links of `/v1/images/*`; when unset each process draws its own, so links
    stop working on restart and are not shared between processes."""
    signed_url_seconds: int = Field(default=3600, gt=0, le=MOST_SECONDS)
    """How long a signed asset link works."""
    public_url: HttpAddress | None = None
    """The base URL the HTTP API is reached at (`https://studio.example.com/api`): links made
    where no request tells it (the MCP server over stdio, webhook bodies) start with it;
    relative otherwise, and webhook bodies carry no asset links without it."""
    idempotency_hours: int = Field(default=24, gt=0, le=MOST_HOURS)
    # -- completion webhooks --------------------------------------------------------------
    webhook_allow_http: bool = False
    """Let webhooks go to http:// URLs (development and tests only)."""
    webhook_allow_private: bool = False
    """Let webhooks go to private and loopback addresses (development and tests only)."""
    webhook_poll_seconds: float = Field(default=2, gt=0, le=MOST_SECONDS)
    """How often the delivery worker looks for deliveries due (settlements in this process
    wake it at once)."""
    storage_sweep_seconds: float = Field(default=3600, gt=0, le=MOST_SECONDS)
    """How often a long-running process deletes assets past their plan's retention."""
    gc_margin_seconds: float = Field(default=3600, ge=0, le=MOST_SECONDS)
    """`storage gc` leaves bytes without an asset row alone until they are this old (they may
    belong to an asset being saved right now)."""
    lease_seconds: float = Field(default=60, gt=0, le=MOST_SECONDS)
    """How long an operation stays leased to its process without renewal (renewed every third)."""
    events_poll_seconds: float = Field(default=0.25, gt=0, le=60)
    """How often `/v1/operations/{id}/events` reads a followed operation's row."""
    events_heartbeat_seconds: float = Field(default=15, gt=0, le=MOST_SECONDS)
    """How long an event stream may stay quiet before a comment tells the listener it waits."""
    events_longest_seconds: float = Field(default=3600, gt=0, le=MOST_SECONDS)
    """An event stream still waiting this long ends; its listener may resume it."""

    @property
    def routing_rules(self) -> RoutingRules:
        preference = tuple(p.strip() for p in self.routing_preference.split(",") if p.strip())
        return RoutingRules(policy=self.routing, tier=self.routing_tier, preference=preference)

    @property
    def offline_provider_enabled(self) -> bool:
        if self.offline_provider is not None:
            return self.offline_provider
        return self.profile in OFFLINE_PROVIDER_BY_DEFAULT

    @property
    def effective_storage(self) -> StorageKind:
        return self.storage or PRESET_STORAGE[self.profile]

    @property
    def effective_database_url(self) -> str | None:
        """Where state lives: None keeps it in the process (offline and test profiles)."""
        if self.database_url:
            return self.database_url
        if self.profile in SQLITE_PROFILES:
            return f"sqlite:///{self.profile_dir / 'imagestudio.db'}"
        if self.profile is Profile.POSTGRES:
            raise SettingsError("the postgres profile needs IMAGESTUDIO_DATABASE_URL")
        return None

    @property
    def profile_dir(self) -> Path:
        """Where this profile keeps its files (`profile_folder_in`)."""
        return profile_folder_in(self.data_dir, self.profile)

    @property
    def assets_dir(self) -> Path:
        return self.profile_dir / "assets"
