"""Who a tool call acts as, and with what: over stdio the one user the server was started for;
over HTTP the user whose API key the request carried (checked by `http_mount` before the call
reaches a tool). A tool never takes a user from its arguments."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError

from imagestudio.entrypoints.api import ImageStudio
from imagestudio.entrypoints.http.jobs import OperationJobs
from imagestudio.entrypoints.http.signed_urls import PATH, AssetLinks


@dataclass(frozen=True, slots=True)
class Links:
    """Signed asset links: whoever holds one may fetch that asset, with no key, for a while."""

    signer: AssetLinks
    redeem: Callable[[str], str]
    """The link that redeems a token."""

    def to(self, owner: str, asset_id: str) -> str:
        return self.redeem(self.signer.sign(owner, asset_id))

    @classmethod
    def below(cls, signer: AssetLinks, base_url: str | None) -> Links:
        """Links under the API's base URL (IMAGESTUDIO_PUBLIC_URL); relative when it is unknown."""
        base = (base_url or "").rstrip("/")
        return cls(signer, lambda token: f"{base}{PATH}{token}")


@dataclass(frozen=True, slots=True)
class Acting:
    """What one tool call works with."""

    studio: ImageStudio
    jobs: OperationJobs
    user: str
    links: Links
    wait_seconds: float
    """How long a paid tool waits for its operation before answering that it still runs."""


Resolve = Callable[[Context[Any, Any]], Acting]
"""How a server finds the `Acting` of each call (from its transport's request, or fixed)."""


def unauthenticated() -> ToolError:
    return ToolError("this call carries no authenticated user; send your API key as a bearer token")
