"""A provider's client closed with its studio (`ImageStudio.aclose`): nothing can leave it.

httpx refuses such a client's request with a RuntimeError, raised after the submit was reported
as leaving: the reservation of a request that never left was held as an unknown outcome until
reconciliation, then booked as a possible provider cost. A studio on a database refuses before
reserving (its engine is closed too); one whose state lives in the process reaches the provider.
"""

from __future__ import annotations

CLOSED = "nothing was sent: this ImageStudio was closed (aclose), with its connections"
