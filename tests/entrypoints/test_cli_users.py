"""`imagestudio users …` and `keys …`: a key printed once, stored as a hash, revocable."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from returns.result import Success

from imagestudio.entrypoints.cli.studio import studio

if TYPE_CHECKING:
    from conftest import Cli


def user_of(secret: str) -> str | None:
    found = asyncio.run(studio().authenticate.execute(secret))
    return found.unwrap() if isinstance(found, Success) else None


def test_users_add_prints_a_key_that_authenticates_the_user(local_cli: Cli) -> None:
    added = local_cli.json("users", "add", "alice", "--plan", "pro")

    assert added["api_key"].startswith("isk_") and len(added["api_key"]) >= 40
    assert user_of(added["api_key"]) == "alice"
    assert local_cli.json("usage", "--user", "alice")["plan"] == "pro"


def test_users_add_shows_the_key_once_in_words(local_cli: Cli) -> None:
    out = local_cli.ok("users", "add", "alice", "--plan", "pro")

    assert "shown only now" in out and "isk_" in out


def test_the_database_never_holds_the_key_itself(local_cli: Cli, tmp_path: Path) -> None:
    secret = local_cli.json("users", "add", "alice", "--plan", "pro")["api_key"]

    files = list((tmp_path / "data").glob("imagestudio.db*"))
    assert files
    assert all(secret.encode() not in path.read_bytes() for path in files)


def test_adding_a_user_who_exists_exits_6_saying_so(local_cli: Cli) -> None:
    local_cli.ok("users", "add", "alice", "--plan", "pro")

    result = local_cli.invoke("users", "add", "alice", "--plan", "free")

    assert result.exit_code == 6
    assert "already exists" in result.stderr


def test_adding_a_user_on_an_unknown_plan_exits_7_naming_it(local_cli: Cli) -> None:
    result = local_cli.invoke("users", "add", "alice", "--plan", "gold")

    assert result.exit_code == 7
    assert "gold" in result.stderr
    assert local_cli.invoke("usage", "--user", "alice").exit_code == 7


def test_set_plan_moves_the_user_now(local_cli: Cli) -> None:
    local_cli.ok("users", "add", "alice", "--plan", "free")

    local_cli.ok("users", "set-plan", "alice", "basic")

    assert local_cli.json("usage", "--user", "alice")["plan"] == "basic"


def test_set_plan_of_an_unknown_user_exits_7(local_cli: Cli) -> None:
    assert local_cli.invoke("users", "set-plan", "nobody", "basic").exit_code == 7


def test_keys_rotate_revokes_the_old_key_and_prints_a_new_one(local_cli: Cli) -> None:
    old = local_cli.json("users", "add", "alice", "--plan", "pro")["api_key"]

    rotated = local_cli.json("keys", "rotate", "alice")

    assert user_of(old) is None
    assert user_of(rotated["api_key"]) == "alice"


def test_keys_revoke_by_the_key_itself(local_cli: Cli) -> None:
    secret = local_cli.json("users", "add", "alice", "--plan", "pro")["api_key"]

    local_cli.ok("keys", "revoke", secret)

    assert user_of(secret) is None


def test_keys_revoke_by_the_prefix_keys_list_shows(local_cli: Cli) -> None:
    secret = local_cli.json("users", "add", "alice", "--plan", "pro")["api_key"]
    (listed,) = local_cli.json("keys", "list", "alice")

    revoked = local_cli.json("keys", "revoke", listed["prefix"])

    assert revoked["revoked_at"] is not None
    assert user_of(secret) is None


def test_revoking_an_unknown_key_exits_7(local_cli: Cli) -> None:
    result = local_cli.invoke("keys", "revoke", "key_nothing")

    assert result.exit_code == 7
    assert "no API key matches" in result.stderr


def test_a_deleted_user_leaves_no_name_on_disk(local_cli: Cli, tmp_path: Path) -> None:
    # Every file and folder name under the data directory, whoever wrote it: a new kind of
    # per-user file is held to the same rule without editing this test.
    local_cli.ok("users", "add", "carol.k@example.com", "--plan", "pro")
    local_cli.ok("generate", "a heron", "--user", "carol.k@example.com", "-n", "2")
    (asset, *_) = local_cli.json("assets", "list", "--user", "carol.k@example.com")["items"]
    thumbnail = str(tmp_path / "thumbnail.webp")
    local_cli.ok(
        "assets", "thumbnail", asset["id"], "--user", "carol.k@example.com", "-o", thumbnail
    )
    named = [p for p in (tmp_path / "data").rglob("*") if "carol" in p.name]
    assert named, "the user's files were written under their name"

    local_cli.ok("users", "delete", "carol.k@example.com")

    assert [p for p in (tmp_path / "data").rglob("*") if "carol" in p.name] == []


def test_deleting_the_default_user_exits_2_and_deletes_nothing(
    local_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Deleted, they were made again by the next command, on the default plan, as if new: the
    # deletion said it was done and undid nothing the user would notice but their history.
    local_cli.ok("generate", "a heron")
    before = local_cli.json("assets", "list"), local_cli.json("operations", "list")

    refused = local_cli.invoke("users", "delete", "local")

    assert refused.exit_code == 2, refused.output
    assert refused.stderr == (
        "error: invalid user: 'local' is the default user (IMAGESTUDIO_DEFAULT_USER), who every "
        "command without --user acts as and the next start would make again: set another first\n"
    )
    assert (local_cli.json("assets", "list"), local_cli.json("operations", "list")) == before

    monkeypatch.setenv("IMAGESTUDIO_DEFAULT_USER", "studio")  # what the refusal says to do
    local_cli.ok("users", "delete", "local")
    users = [row["user"] for row in local_cli.json("users", "list")]
    assert "local" not in users and "studio" in users
