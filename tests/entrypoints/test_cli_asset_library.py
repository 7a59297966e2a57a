"""`imagestudio assets|storage|users delete|compress|convert|social` on the SQLite profile,
each command a fresh process: the library, its lifecycle and the free local operations."""

from __future__ import annotations

import io
import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image

if TYPE_CHECKING:
    from conftest import Cli


def generate(cli: Cli, prompt: str, user: str = "local") -> dict[str, Any]:
    made: dict[str, Any] = cli.json("generate", prompt, "--size", "256x192", "--user", user)
    return made["assets"][0]


def ledger(cli: Cli) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = json.loads(
        cli.ok("usage", "export", "--since", "2000-01-01", "--format", "json")
    )
    return lines


def ids(listing: dict[str, Any]) -> list[str]:
    return [item["id"] for item in listing["items"]]


def test_list_search_filters_and_labels(local_cli: Cli) -> None:
    kite = generate(local_cli, "a red kite over the dunes")
    boat = generate(local_cli, "a blue boat at dusk")

    local_cli.ok("assets", "tag", kite["id"], "sky", "red")
    local_cli.ok("assets", "favourite", boat["id"])
    local_cli.ok("assets", "collect", boat["id"], "harbour trip")
    untagged = local_cli.json("assets", "tag", kite["id"], "red", "--remove")

    assert untagged["tags"] == ["sky"]
    assert ids(local_cli.json("assets", "list")) == [boat["id"], kite["id"]]
    assert ids(local_cli.json("assets", "search", "KITE dunes")) == [kite["id"]]
    assert ids(local_cli.json("assets", "search", "kite boat")) == []
    assert ids(local_cli.json("assets", "list", "--tag", "sky")) == [kite["id"]]
    assert ids(local_cli.json("assets", "list", "--favourite")) == [boat["id"]]
    assert ids(local_cli.json("assets", "list", "--not-favourite")) == [kite["id"]]
    assert ids(local_cli.json("assets", "list", "--collection", "harbour trip")) == [boat["id"]]
    assert ids(local_cli.json("assets", "list", "--kind", "upscale")) == []
    assert ids(local_cli.json("assets", "list", "--since", "2000-01-01")) == [
        boat["id"],
        kite["id"],
    ]
    assert ids(local_cli.json("assets", "list", "--before", "2000-01-01")) == []


def test_list_pages_by_cursor(local_cli: Cli) -> None:
    made = [generate(local_cli, f"picture {n}")["id"] for n in range(3)]

    first = local_cli.json("assets", "list", "--limit", "2")
    rest = local_cli.json("assets", "list", "--limit", "2", "--cursor", first["next_cursor"])

    assert ids(first) + ids(rest) == made[::-1]
    assert rest["next_cursor"] is None


def test_show_walks_the_lineage_and_download_writes_the_bytes(
    local_cli: Cli, tmp_path: Path
) -> None:
    first = generate(local_cli, "a lighthouse")
    bigger = local_cli.json("upscale", f"asset:{first['id']}", "--scale", "2")["assets"][0]

    shown = local_cli.json("assets", "show", bigger["id"])
    out = tmp_path / "got"
    out.mkdir()
    written = local_cli.json("assets", "download", bigger["id"], "--out", str(out))

    assert shown["derived_from"] == [first["id"]]
    assert [(step["id"], step["depth"]) for step in shown["lineage"]] == [(first["id"], 1)]
    assert shown["kind"] == "upscale" and shown["cost_micros"] == 0
    with Image.open(written["path"]) as image:
        assert image.size == (512, 384)
    assert "from" in local_cli.ok("assets", "show", bigger["id"])


def test_delete_removes_the_asset_and_its_file_but_not_its_ledger_line(local_cli: Cli) -> None:
    asset = generate(local_cli, "a fox")
    shown = local_cli.json("assets", "show", asset["id"])
    path = Path(shown["location"])
    assert path.is_file()

    local_cli.ok("assets", "delete", asset["id"])

    assert not path.exists()
    assert local_cli.invoke("assets", "show", asset["id"]).exit_code == 7
    assert local_cli.invoke("assets", "delete", asset["id"]).exit_code == 7
    lines = ledger(local_cli)
    assert any(line["line_id"] == shown["operation_id"] for line in lines)


def test_another_user_cannot_reach_an_asset_by_any_command(local_cli: Cli) -> None:
    local_cli.ok("users", "add", "bob", "--plan", "pro")
    asset = generate(local_cli, "a secret garden")

    for command in (
        ("assets", "show", asset["id"]),
        ("assets", "download", asset["id"]),
        ("assets", "tag", asset["id"], "mine"),
        ("assets", "favourite", asset["id"]),
        ("assets", "collect", asset["id"], "x"),
        ("assets", "delete", asset["id"]),
        ("compress", f"asset:{asset['id']}"),
    ):
        result = local_cli.invoke(*command, "--user", "bob")
        assert result.exit_code == 7, (command, result.output)
    assert ids(local_cli.json("assets", "search", "secret", "--user", "bob")) == []
    assert local_cli.json("assets", "show", asset["id"])["tags"] == []


def test_a_plan_with_too_little_storage_refuses_the_next_operation(local_cli: Cli) -> None:
    local_cli.ok(
        "plans", "set", "tiny", "--spend-cap", "unlimited", "--rate", "unlimited",
        "--concurrency", "unlimited", "--storage", "1", "--retention-days", "7",
    )  # fmt: skip
    local_cli.ok("users", "add", "tina", "--plan", "tiny")
    generate(local_cli, "the first fits", user="tina")

    refused = local_cli.invoke("generate", "no room", "--user", "tina")
    usage = local_cli.json("usage", "--user", "tina")

    assert refused.exit_code == 3
    assert "storage limit is reached" in refused.stderr
    storage = next(row for row in usage["rows"] if row["name"] == "storage")
    assert storage["limit"] == 1 and storage["unit"] == "bytes" and storage["used"] > 1
    assert usage["retention_days"] == 7
    [row] = [
        line for line in local_cli.ok("usage", "--user", "tina").splitlines() if "storage" in line
    ]
    assert row.split("\t")[3] == "1 B" and row.split("\t")[1].endswith(("B", "KB"))
    assert local_cli.json("plans", "list")  # the plan shows its storage columns


def test_storage_gc_removes_an_orphaned_file_and_reports_a_missing_one(local_cli: Cli) -> None:
    kept = generate(local_cli, "kept")
    lost = generate(local_cli, "lost")
    owner_dir = Path(local_cli.json("assets", "show", kept["id"])["location"]).parent
    orphan = owner_dir / "ast_crashed.png"
    orphan.write_bytes(b"left by a crash")
    hours_ago = time.time() - 7200
    os.utime(orphan, (hours_ago, hours_ago))
    Path(local_cli.json("assets", "show", lost["id"])["location"]).unlink()

    dry = local_cli.json("storage", "gc", "--dry-run")
    assert orphan.exists() and [o["id"] for o in dry["orphans"]] == ["ast_crashed"]
    report = local_cli.json("storage", "gc")

    assert [o["id"] for o in report["orphans"]] == ["ast_crashed"]
    assert report["missing"] == [{"owner": "local", "id": lost["id"]}]
    assert not orphan.exists()
    assert local_cli.json("assets", "show", kept["id"])["id"] == kept["id"]


def test_storage_sweep_runs_and_keeps_what_is_within_retention(local_cli: Cli) -> None:
    asset = generate(local_cli, "young")

    report = local_cli.json("storage", "sweep")

    assert report["deleted"] == 0 and report["owners_checked"] == 1
    assert local_cli.json("assets", "show", asset["id"])["id"] == asset["id"]


def test_users_delete_keeps_the_ledger_balanced_under_a_tombstone(local_cli: Cli) -> None:
    key = local_cli.json("users", "add", "dora", "--plan", "pro")["api_key"]
    generate(local_cli, "one", user="dora")
    generate(local_cli, "two", user="dora")
    before = ledger(local_cli)

    done = local_cli.json("users", "delete", "dora")
    after = ledger(local_cli)

    assert done["assets_deleted"] == 2 and done["ledger_lines_kept"] == 2
    assert not any(line["user_id"] == "dora" for line in after)
    kept = [line for line in after if line["user_id"] == done["tombstone"]]
    assert len(kept) == 2
    total = sum(line["user_charge_micros"] for line in before)
    assert sum(line["user_charge_micros"] for line in after) == total
    assert ids(local_cli.json("assets", "list", "--user", "dora")) == []
    assert local_cli.invoke("usage", "--user", "dora").exit_code == 7
    assert local_cli.invoke("users", "delete", "dora").exit_code == 7
    assert key  # the key itself is checked over HTTP (401 after deletion)


def palette_png_with_transparency() -> bytes:
    image = Image.new("P", (64, 48), 0)
    image.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    for x in range(32, 64):
        for y in range(48):
            image.putpixel((x, y), 1)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", transparency=0)
    return buffer.getvalue()


def test_convert_compress_and_social_make_new_free_assets(local_cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "palette.png"
    source.write_bytes(palette_png_with_transparency())

    converted = local_cli.json("convert", str(source), "jpg", "--background", "#00ff00")
    photo = local_cli.json("convert", f"asset:{converted['assets'][0]['id']}", "webp")
    small = local_cli.json("compress", f"asset:{photo['assets'][0]['id']}", "--quality", "30")
    story = local_cli.json("social", f"asset:{small['assets'][0]['id']}", "instagram/story")

    assert converted["kind"] == "convert" and converted["charged_micros"] == 0
    assert converted["assets"][0]["media_type"] == "image/jpeg"
    with Image.open(converted["assets"][0]["path"]) as jpeg:
        assert jpeg.format == "JPEG"
        red, green, _ = jpeg.convert("RGB").getpixel((5, 5))
        assert green > 200 and red < 60  # transparent pixels became the background
    assert photo["assets"][0]["media_type"] == "image/webp"
    assert small["kind"] == "compress"
    assert (story["assets"][0]["width"], story["assets"][0]["height"]) == (1080, 1920)
    lineage = local_cli.json("assets", "show", story["assets"][0]["id"])["lineage"]
    assert [step["depth"] for step in lineage] == [1, 2, 3, 4][: len(lineage)] and len(lineage) == 3
    usage = local_cli.json("usage")
    assert next(row for row in usage["rows"] if row["name"] == "local")["used"] == 4
    assert any(f["key"] == "instagram/story" for f in local_cli.json("social-formats"))


def test_local_operations_refuse_bad_input_and_spend_nothing(
    local_cli: Cli, tmp_path: Path
) -> None:
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"not an image at all")
    picture = tmp_path / "p.png"
    Image.new("RGB", (10, 10)).save(picture)

    assert local_cli.invoke("compress", str(junk)).exit_code == 2
    assert local_cli.invoke("convert", str(picture), "gif").exit_code == 2
    assert local_cli.invoke("convert", str(picture), "png", "--background", "green").exit_code == 2
    assert local_cli.invoke("compress", str(picture), "--quality", "0").exit_code == 2
    assert local_cli.invoke("social", str(picture), "myspace/banner").exit_code == 2
    assert local_cli.json("assets", "list")["items"] == []
    lines = ledger(local_cli)
    assert lines == []


def test_a_thumbnail_is_written_kept_beside_the_image_through_gc_and_gone_with_it(
    local_cli: Cli, tmp_path: Path
) -> None:
    image = generate(local_cli, "a thumbnail")
    out = tmp_path / "small.webp"

    written = local_cli.json("assets", "thumbnail", image["id"], "--size", "128", "--out", str(out))
    kept = Path(local_cli.json("assets", "show", image["id"])["location"]).parent / (
        f"{image['id']}~thumb128.webp"
    )
    assert written["path"] == str(out) and out.read_bytes()[8:12] == b"WEBP"
    assert kept.read_bytes() == out.read_bytes()
    hours_ago = time.time() - 7200
    os.utime(kept, (hours_ago, hours_ago))
    assert local_cli.json("storage", "gc")["orphans"] == []
    assert kept.exists()

    local_cli.ok("assets", "delete", image["id"])
    assert not kept.exists()
