"""Webhooks go to public https addresses only, checked after DNS, and the connection is made to
the address that was checked; redirects are answers, never followed."""

from __future__ import annotations

import ipaddress

import pytest
from support.webhook_receiver import receiving

from imagestudio.adapters.webhooks.destinations import Destinations, Resolver
from imagestudio.adapters.webhooks.sender import HttpWebhookSender
from imagestudio.application.ports.webhooks import Sent

REFUSED_ALWAYS = [
    "169.254.169.254",
    "[fd00:ec2::254]",
    "169.254.1.1",
    "224.0.0.1",
    "0.0.0.0",
    "[::]",
]
PRIVATE = [
    "127.0.0.1",
    "[::1]",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "100.64.0.1",
    "[fd12::1]",
    "[::ffff:127.0.0.1]",
]


def stub(table: dict[str, list[str]]) -> Resolver:
    """A resolver answering from `table` (a literal address stands for itself)."""

    async def resolve(host: str, port: int) -> list[str]:  # noqa: ARG001
        return table.get(host, [host.strip("[]")])

    return resolve


@pytest.mark.parametrize("host", REFUSED_ALWAYS + PRIVATE)
async def test_literal_addresses_that_are_not_public_are_refused(host: str) -> None:
    check = Destinations(resolver=stub({}))
    assert await check.refusal(f"https://{host}/hook") is not None


@pytest.mark.parametrize("host", REFUSED_ALWAYS)
async def test_metadata_link_local_and_multicast_stay_refused_when_private_is_allowed(
    host: str,
) -> None:
    check = Destinations(allow_private=True, resolver=stub({}))
    assert await check.refusal(f"https://{host}/hook") is not None


@pytest.mark.parametrize("host", PRIVATE[:-1])
async def test_allow_private_lets_private_and_loopback_through(host: str) -> None:
    check = Destinations(allow_private=True, resolver=stub({}))
    assert await check.refusal(f"https://{host}/hook") is None


async def test_a_name_is_judged_by_every_address_it_resolves_to() -> None:
    check = Destinations(
        resolver=stub(
            {
                "hooks.example.com": ["93.184.216.34"],
                "sneaky.example.com": ["93.184.216.34", "10.0.0.7"],
            }
        )
    )
    assert await check.refusal("https://hooks.example.com/in") is None
    refusal = await check.refusal("https://sneaky.example.com/in")
    assert refusal is not None and "10.0.0.7" in refusal


async def test_localhost_resolved_for_real_is_refused() -> None:
    refusal = await Destinations().refusal("https://localhost/hook")
    assert refusal is not None
    assert "127.0.0.1" in refusal or "::1" in refusal


async def test_http_needs_allowing() -> None:
    public = stub({"hooks.example.com": ["93.184.216.34"]})
    assert await Destinations(resolver=public).refusal("http://hooks.example.com/") is not None
    allowed = Destinations(allow_http=True, resolver=public)
    assert await allowed.refusal("http://hooks.example.com/") is None
    assert await allowed.refusal("ftp://hooks.example.com/") is not None


@pytest.mark.parametrize(
    "url", ["https://u:p@hooks.example.com/", "https://token@hooks.example.com/"]
)
async def test_credentials_in_the_url_are_refused_whatever_is_allowed(url: str) -> None:
    public = stub({"hooks.example.com": ["93.184.216.34"]})
    check = Destinations(allow_http=True, allow_private=True, resolver=public)
    assert await check.refusal(url) == "credentials in the URL are not taken"
    assert await check.refusal("https://hooks.example.com/") is None


async def test_the_connection_goes_to_the_address_checked_with_the_name_as_host() -> None:
    with receiving() as receiver:
        # The name resolves (for this check only) to the receiver's loopback address: the
        # request reaches it, though no DNS knows the name, and says the name as its Host.
        check = Destinations(
            allow_http=True,
            allow_private=True,
            resolver=stub({"hooks.example.test": ["127.0.0.1"]}),
        )
        url = f"http://hooks.example.test:{receiver.port}/in"
        sent = await HttpWebhookSender(check).post(url, {"webhook-id": "msg_1"}, b"{}")

        assert sent == Sent(200)
        (got,) = receiver.wait_for(1)
        assert got.headers["host"] == f"hooks.example.test:{receiver.port}"
        assert got.path == "/in"


async def test_a_refused_name_is_never_connected_to() -> None:
    with receiving() as receiver:
        check = Destinations(allow_http=True, resolver=stub({"hooks.example.test": ["127.0.0.1"]}))
        url = f"http://hooks.example.test:{receiver.port}/in"
        sent = await HttpWebhookSender(check).post(url, {}, b"{}")

        assert sent.status_code is None and "refused" in str(sent.error)
        assert receiver.received == []


async def test_redirects_are_not_followed() -> None:
    with receiving() as receiver:
        receiver.script = [307]
        receiver.location = "http://169.254.169.254/latest/meta-data/"
        check = Destinations(allow_http=True, allow_private=True)
        sent = await HttpWebhookSender(check).post(receiver.url, {}, b"{}")

        assert sent == Sent(307)
        assert len(receiver.received) == 1


UNSENDABLE = [
    "http://127.0.0.1:9/a\tb",
    "http://127.0.0.1:9/a\r\nx-forged: 1",
    "http://127.0.0.1:9/\x7f",
    "http://127.0.0.1:9/a\x00b",
    "http://127.0.0.1:9/" + "a" * 70_000,
    "http://127.0.0.1:0/",
]


@pytest.mark.parametrize("url", UNSENDABLE, ids=lambda url: repr(url[:30]))
async def test_a_url_no_request_can_go_to_is_refused_and_never_raises(url: str) -> None:
    check = Destinations(allow_http=True, allow_private=True)

    assert await check.refusal(url) is not None
    sent = await HttpWebhookSender(check).post(url, {}, b"{}")
    assert sent.status_code is None and str(sent.error).startswith("destination refused")


EMBEDDINGS = {
    "mapped": lambda v4: f"::ffff:{v4}",
    "translated": lambda v4: f"::ffff:0:{v4}",
    "compatible": lambda v4: f"::{v4}",
    "nat64": lambda v4: f"64:ff9b::{v4}",
    "6to4": lambda v4: str(ipaddress.IPv6Address((0x2002 << 112) | (_bits(v4) << 80) | 1)),
    "teredo": lambda v4: str(
        ipaddress.IPv6Address((0x2001 << 112) | (_bits("65.54.227.120") << 64) | _bits(v4) ^ MASK)
    ),
}
"""Every way an IPv6 address carries an IPv4 one a gateway, relay or tunnel connects to."""
MASK = 0xFFFF_FFFF
IPV4 = [
    "169.254.169.254",
    "169.254.1.1",
    "224.0.0.1",
    "0.0.0.0",
    "127.0.0.1",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "100.64.0.1",
    "240.0.0.1",
    "93.184.216.34",
]


def _bits(v4: str) -> int:
    return int(ipaddress.IPv4Address(v4))


@pytest.mark.parametrize("allow_private", [False, True])
@pytest.mark.parametrize("embedding", sorted(EMBEDDINGS))
@pytest.mark.parametrize("v4", IPV4)
async def test_an_ipv6_address_carrying_an_ipv4_one_is_judged_as_that_ipv4_address(
    v4: str, embedding: str, *, allow_private: bool
) -> None:
    """On a NAT64 network 64:ff9b::a9fe:a9fe is the metadata service, a 6to4 or Teredo address
    reaches the IPv4 address it names through a relay: each passed as a public IPv6 address."""
    check = Destinations(allow_private=allow_private, resolver=stub({}))
    v6 = EMBEDDINGS[embedding](v4)
    carried = check.refused_address(ipaddress.ip_address(v6))
    assert (carried is None) == (check.refused_address(ipaddress.ip_address(v4)) is None), v6
    assert (await check.refusal(f"https://[{v6}]/hook") is None) == (carried is None), v6


@pytest.mark.parametrize("allow_private", [False, True])
async def test_a_local_nat64_address_is_refused_whatever_is_allowed(*, allow_private: bool) -> None:
    check = Destinations(allow_private=allow_private, resolver=stub({}))
    assert await check.refusal("https://[64:ff9b:1::5db8:d822]/hook") is not None
