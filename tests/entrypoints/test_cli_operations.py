"""`imagestudio operations list|show` and what `reconcile` says it waits for, on the SQLite profile,
each command a fresh process: an operation left unknown is never out of sight."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conftest import Cli

EXIT_INPUT, EXIT_UNKNOWN_OUTCOME, EXIT_NOT_FOUND = 2, 5, 7


def left_unknown(cli: Cli, marker: str, user: str = "local") -> str:
    """Run an operation the offline provider leaves unknown; its id."""
    result = cli.invoke("generate", f"a kite {marker}", "--user", user, "--json")
    assert result.exit_code == EXIT_UNKNOWN_OUTCOME, result.output
    [found] = cli.json("operations", "list", "--user", user, "--status", "unknown")["items"]
    return str(found["id"])


def held(cli: Cli) -> dict[str, Any]:
    usage = cli.json("usage")
    return {row["name"]: row["held"] for row in usage["rows"] if row["held"]}


def ids(page: dict[str, Any]) -> list[str]:
    return [item["id"] for item in page["items"]]


def test_an_unknown_outcome_is_listed_with_what_it_holds_and_reconcile_says_why(
    local_cli: Cli,
) -> None:
    operation_id = left_unknown(local_cli, "[offline:unknown]")

    listed = local_cli.json("operations", "list")["items"]
    shown = local_cli.json("operations", "show", operation_id)
    first = local_cli.json("reconcile")
    # A reconciler that left it pending holds it until its re-check: the next round takes
    # nothing, and still says what is waiting (not "0 still pending" while 1 is held).
    again = local_cli.invoke("reconcile")
    table = local_cli.ok("operations", "list")

    assert [item["id"] for item in listed] == [operation_id]
    [item] = listed
    assert item == shown
    assert item["status"] == "unknown"
    assert item["held"] == {
        "category": "image-generation",
        "outputs": 1,
        "spend_micros": 0,
        "spend_usd": "$0.00",
        "concurrency": 1,
    }
    assert held(local_cli) == {"image-generation": 1, "concurrency": 1}
    assert item["waiting"]["reason"] == "unconfirmed"
    assert item["waiting"]["until"] == item["waiting"]["next_at"]
    assert first["pending"] == [operation_id]
    assert [view["id"] for view in first["waiting"]] == [operation_id]
    assert first["waiting"][0]["waiting"] == item["waiting"]
    assert again.exit_code == 0
    assert "0 still pending" in again.stdout
    assert operation_id in again.stdout and "never confirmed" in again.stdout
    assert "1 image-generation call" in again.stdout
    assert operation_id in table and "unconfirmed" in table


def test_a_lost_result_waits_on_its_task_until_reconcile_settles_it(local_cli: Cli) -> None:
    operation_id = left_unknown(local_cli, "[offline:lost]")
    waiting = local_cli.json("operations", "show", operation_id)["waiting"]
    text = local_cli.ok("operations", "show", operation_id)

    report = local_cli.json("reconcile")
    after = local_cli.json("operations", "show", operation_id)

    assert waiting["reason"] == "provider-task"
    [task_id] = waiting["task_ids"]
    assert task_id in text and "waits for" in text
    assert report["succeeded"] == [operation_id]
    assert report["waiting"] == []
    assert (after["status"], after["held"], after["waiting"]) == ("succeeded", None, None)
    assert len(after["asset_ids"]) == 1
    assert held(local_cli) == {}
    assert "nothing is held" in local_cli.ok("reconcile")


def test_listing_filters_and_pages(local_cli: Cli) -> None:
    unknown = left_unknown(local_cli, "[offline:lost]")
    made = [local_cli.json("generate", f"picture {n}")["operation_id"] for n in range(2)]

    everything = local_cli.json("operations", "list")
    unfinished = local_cli.json("operations", "list", "--unfinished")
    succeeded = local_cli.json("operations", "list", "--status", "succeeded")
    both = local_cli.json("operations", "list", "--status", "succeeded", "--status", "unknown")
    upscales = local_cli.json("operations", "list", "--kind", "upscale")
    old = local_cli.json("operations", "list", "--before", "2000-01-01")
    first = local_cli.json("operations", "list", "--limit", "2")
    rest = local_cli.json("operations", "list", "--limit", "2", "--cursor", first["next_cursor"])
    piped = local_cli.ok("operations", "list", "--limit", "2")

    assert ids(everything) == [*made[::-1], unknown]
    assert ids(unfinished) == [unknown]
    assert ids(succeeded) == made[::-1]
    assert ids(both) == ids(everything)
    assert ids(upscales) == [] and ids(old) == []
    assert ids(first) + ids(rest) == ids(everything)
    assert rest["next_cursor"] is None
    assert f"--cursor {first['next_cursor']}" in piped


def test_another_users_operations_do_not_exist_for_you(local_cli: Cli) -> None:
    local_cli.ok("users", "add", "bob", "--plan", "local")
    theirs = left_unknown(local_cli, "[offline:lost]", user="bob")

    mine = local_cli.json("operations", "list")
    shown = local_cli.invoke("operations", "show", theirs)
    as_bob = local_cli.json("operations", "list", "--user", "bob")

    assert ids(mine) == []
    assert shown.exit_code == EXIT_NOT_FOUND
    assert f"no operation {theirs!r}" in shown.stderr
    assert ids(as_bob) == [theirs]


def test_bad_input_exits_2_naming_it(local_cli: Cli) -> None:
    cases = {
        "--cursor": ("operations", "list", "--cursor", "bm90IGEgY3Vyc29y"),
        "--since": ("operations", "list", "--since", "yesterday"),
        "limit": ("operations", "list", "--limit", "0"),
        "created_from": ("operations", "list", "--since", "0001-01-01T00:00:00+05:00"),
    }
    for named, command in cases.items():
        result = local_cli.invoke(*command)
        assert result.exit_code == EXIT_INPUT, (named, result.output)
        assert named.removeprefix("--") in result.output, (named, result.output)
    as_json = local_cli.invoke("operations", "show", "op_nope", "--json")
    assert as_json.exit_code == EXIT_NOT_FOUND
    assert '"OperationNotFound"' in as_json.stdout
