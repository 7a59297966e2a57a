"""Which addresses may receive webhooks: public ones only, checked after resolving the name.

Refused: credentials in the URL, a scheme other than https (or http when allowed), and the
addresses: loopback, private (RFC 1918, unique-local), link-local (cloud metadata among them),
carrier-grade NAT, multicast, unspecified and reserved addresses. An IPv6 address that carries
an IPv4 one (mapped, translated, IPv4-compatible, NAT64, 6to4, Teredo) is judged as that IPv4
address, where a gateway or tunnel takes the connection. A name is refused if any address it
resolves to is. `allow_private` lets private, loopback and
CGNAT addresses through (development, tests); link-local and metadata never pass.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]
"""A name and port to the addresses it resolves to."""

METADATA = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)
CGNAT = ipaddress.ip_network("100.64.0.0/10")
CARRYING_IPV4 = tuple(
    ipaddress.ip_network(prefix) for prefix in ("::ffff:0:0:0/96", "64:ff9b::/96", "::/96")
)
"""IPv4-translated (SIIT), the well-known NAT64 prefix and IPv4-compatible: the IPv4 address is
the last 32 bits. (IPv4-mapped, 6to4 and Teredo are read by `ipaddress`.)"""
LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")
"""A network's own NAT64 prefix, whose IPv4 address may sit at any of several places."""
RESOLVE_SECONDS = 5.0


async def system_resolver(host: str, port: int) -> list[str]:
    found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in found))


@dataclass(frozen=True, slots=True)
class Resolved:
    """A destination that passed: the address to connect to, and the name it came from."""

    scheme: str
    host: str
    port: int
    address: str


class Destinations:
    """The `DestinationCheck` port, and the address a sender connects to."""

    def __init__(
        self,
        *,
        allow_http: bool = False,
        allow_private: bool = False,
        resolver: Resolver = system_resolver,
    ) -> None:
        self._allow_http = allow_http
        self._allow_private = allow_private
        self._resolver = resolver

    async def refusal(self, url: str) -> str | None:
        resolved = await self.resolve(url)
        return resolved if isinstance(resolved, str) else None

    async def resolve(self, url: str) -> Resolved | str:
        """Where to connect for `url`, or why not."""
        try:
            parts = urlsplit(url)
            port = parts.port
            # What urlsplit takes and no request can carry (a tab, CR LF, DEL, a NUL, 64 KiB):
            # refused here, or the operation would run and its deliveries fail for ever.
            httpx.URL(url)
        except (ValueError, httpx.InvalidURL) as error:
            return f"is not a URL: {error}"
        if port == 0:
            return "port 0 is no destination"
        if parts.username is not None:
            # Secrets in a URL end up in logs and the deliveries list: the secret signs instead.
            return "credentials in the URL are not taken"
        schemes = ("https", "http") if self._allow_http else ("https",)
        if parts.scheme not in schemes:
            return f"must be {' or '.join(schemes)}"
        host = parts.hostname
        if not host:
            return "names no host"
        port = port or (443 if parts.scheme == "https" else 80)
        try:
            found = await asyncio.wait_for(self._resolver(host, port), RESOLVE_SECONDS)
        except TimeoutError:
            return f"{host} did not resolve within {RESOLVE_SECONDS:g} s"
        except (OSError, UnicodeError) as error:
            return f"{host} does not resolve ({error})"
        if not found:
            return f"{host} does not resolve"
        for text in found:
            why = self.refused_address(ipaddress.ip_address(text.partition("%")[0]))
            if why is not None:
                return f"{host} resolves to {text}, {why}"
        return Resolved(scheme=parts.scheme, host=host, port=port, address=found[0])

    def refused_address(self, address: Address) -> str | None:
        """Why webhooks may not go to `address`, or None."""
        if isinstance(address, ipaddress.IPv6Address):
            if address in LOCAL_NAT64:
                return "a local NAT64 address, which may stand for any IPv4 address"
            address = carried_ipv4(address) or address
        if address in METADATA:
            return "a cloud metadata address"
        if address.is_multicast or address.is_unspecified or address.is_link_local:
            return "a multicast, unspecified or link-local address"
        if address.is_global and not address.is_reserved:
            return None
        near = address.is_private or address.is_loopback or address in CGNAT
        if near and self._allow_private:
            return None
        return "not a public address (IMAGESTUDIO_WEBHOOK_ALLOW_PRIVATE allows private ones)"


def carried_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address `address` leads to, when it carries one (`::` and `::1` carry none)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]  # the client: where the relay delivers
    if int(address) > 1 and any(address in prefix for prefix in CARRYING_IPV4):
        return ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF)
    return None
