"""`imagestudio webhooks secret|rotate --user U`: each user's own secret, the same until it is
rotated; an unknown user is refused."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import Cli


def test_each_user_has_one_secret_until_it_is_rotated(cli: Cli) -> None:
    cli.ok("users", "add", "alice", "--plan", "pro")
    mine = cli.ok("webhooks", "secret", "--user", "alice").strip()
    local = cli.json("webhooks", "secret")

    assert mine.startswith("whsec_") and len(mine) >= len("whsec_") + 32
    assert local["user"] == "local" and local["secret"] != mine
    assert cli.ok("webhooks", "secret", "-u", "alice").strip() == mine  # made once

    rotated = cli.json("webhooks", "rotate", "--user", "alice")["secret"]
    assert rotated not in (mine, local["secret"])
    assert cli.ok("webhooks", "secret", "--user", "alice").strip() == rotated

    refused = cli.invoke("webhooks", "secret", "--user", "nobody")
    assert refused.exit_code != 0 and "unknown user 'nobody'" in refused.output
