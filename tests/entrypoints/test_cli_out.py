"""`--out` on every command that writes files: a trailing slash or an existing folder means a
folder, the written file's extension follows its content, and the command says what it wrote."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from cli_tree import leaf_commands, option_names
from PIL import Image

from imagestudio.domain.media import MediaType, sniff
from imagestudio.entrypoints.cli.out_files import Output, targets

if TYPE_CHECKING:
    from conftest import Cli


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (9, 9, 9)).save(buffer, format="JPEG")
    return buffer.getvalue()


PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\0" * 16


def test_a_trailing_slash_means_a_folder_even_before_it_exists(tmp_path: Path) -> None:
    [place] = targets(f"{tmp_path}/pictures/", [Output("ast_1", PNG_BYTES, MediaType.PNG)])
    assert place.path == tmp_path / "pictures" / "ast_1.png"


def test_an_existing_folder_is_a_folder_without_a_slash(tmp_path: Path) -> None:
    [place] = targets(str(tmp_path), [Output("ast_1", PNG_BYTES, MediaType.PNG)])
    assert place.path == tmp_path / "ast_1.png"


def test_the_content_chooses_the_extension_over_the_name_and_the_record(tmp_path: Path) -> None:
    # The record says PNG, the bytes are JPEG: what a provider's sandbox once produced.
    [place] = targets(str(tmp_path / "kite.png"), [Output("ast_1", jpeg(), MediaType.PNG)])
    assert (place.path, place.asked) == (tmp_path / "kite.jpg", tmp_path / "kite.png")
    assert "asked for kite.png, but the content is JPG" in place.said(5)


@pytest.mark.parametrize(
    ("asked", "written"),
    [
        ("kite.jpeg", "kite.jpeg"),  # already the content's type, by another name
        ("kite.JPG", "kite.JPG"),
        ("kite", "kite.jpg"),
        ("kite.v2", "kite.v2.jpg"),  # a suffix that is no media type is kept
        ("kite.webp", "kite.jpg"),
    ],
)
def test_names_keep_what_fits_and_gain_what_is_missing(
    tmp_path: Path, asked: str, written: str
) -> None:
    [place] = targets(str(tmp_path / asked), [Output("ast_1", jpeg(), MediaType.JPEG)])
    assert place.path == tmp_path / written
    assert (place.asked is None) == (asked == written)


def test_several_outputs_are_numbered_each_named_by_its_own_content(tmp_path: Path) -> None:
    outputs = [Output("a", PNG_BYTES, MediaType.PNG), Output("b", jpeg(), MediaType.PNG)]
    paths = [place.path.name for place in targets(str(tmp_path / "kite.png"), outputs)]
    assert paths == ["kite-1.png", "kite-2.jpg"]


# One invocation of every command that takes --out; {p} is an input picture, {out} the --out.
WRITERS = {
    ("generate",): ["generate", "a kite", "--size", "128x128", "-n", "2"],
    ("edit",): ["edit", "{p}", "a kite", "--mode", "general"],
    ("upscale",): ["upscale", "{p}"],
    ("control",): ["control", "{p}", "a kite", "--mode", "sketch"],
    ("to-3d",): ["to-3d", "{p}"],
    ("face-swap",): ["face-swap", "{p}", "{p}"],
    ("to-video",): ["to-video", "{p}", "a kite", "--duration", "5"],
    ("compress",): ["compress", "{p}", "--quality", "60", "--format", "jpg"],
    ("convert",): ["convert", "{p}", "webp"],
    ("social",): ["social", "{p}", "instagram/story"],
    ("assets", "download"): ["assets", "download", "{asset}"],
    ("assets", "thumbnail"): ["assets", "thumbnail", "{asset}", "--size", "128"],
}


def test_every_command_with_out_is_tried() -> None:
    with_out = {
        path for path, command in leaf_commands().items() if "--out" in option_names(command)
    }
    assert with_out == set(WRITERS)


def run_writer(cli: Cli, path: tuple[str, ...], picture: Path, out: str) -> tuple[str, list[str]]:
    """The command's output and the ids of the assets it wrote."""
    asset = cli.json("generate", "a kite", "--size", "128x128")["assets"][0]["id"]
    args = [a.replace("{p}", str(picture)).replace("{asset}", asset) for a in WRITERS[path]]
    shown = cli.ok(*args, "--out", out)
    if path == ("assets", "download"):
        return shown, [asset]
    if path == ("assets", "thumbnail"):  # named after its asset and size
        return shown, [f"{asset}-thumb128"]
    made = cli.json("assets", "list", "--limit", "2")["items"]
    count = 2 if path == ("generate",) else 1
    return shown, [item["id"] for item in made[:count]]


@pytest.mark.parametrize("path", WRITERS, ids=" ".join)
def test_out_ending_in_a_slash_is_a_folder_of_files_named_by_id_and_content(
    cli: Cli, picture: Path, tmp_path: Path, path: tuple[str, ...]
) -> None:
    folder = tmp_path / "pictures"
    shown, ids = run_writer(cli, path, picture, f"{folder}/")

    files = sorted(folder.iterdir())
    assert [file.stem for file in files] == sorted(ids)
    for file in files:
        found = sniff(file.read_bytes())
        assert found is not None and file.suffix == f".{found.extension}"
        assert f"wrote {file} (" in shown


@pytest.mark.parametrize("path", WRITERS, ids=" ".join)
def test_out_naming_a_file_of_another_type_gets_the_contents_extension_and_says_so(
    cli: Cli, picture: Path, tmp_path: Path, path: tuple[str, ...]
) -> None:
    asked = tmp_path / "result.gif"
    shown, ids = run_writer(cli, path, picture, str(asked))

    files = sorted(tmp_path.glob("result*"))
    assert len(files) == len(ids)
    for file in files:
        found = sniff(file.read_bytes())
        assert found is not None and file.suffix == f".{found.extension}"
        assert f"wrote {file} (" in shown
    assert "asked for result" in shown and "but the content is" in shown


def test_an_existing_folder_without_a_slash_is_a_folder(
    cli: Cli, picture: Path, tmp_path: Path
) -> None:
    shown, [asset] = run_writer(cli, ("assets", "download"), picture, str(tmp_path))
    assert (tmp_path / f"{asset}.png").is_file()
    assert f"wrote {tmp_path / asset}.png" in shown


def test_json_reports_the_path_written(cli: Cli, picture: Path, tmp_path: Path) -> None:
    payload = cli.json("convert", str(picture), "jpg", "--out", str(tmp_path / "logo.png"))
    assert payload["assets"][0]["path"] == str(tmp_path / "logo.jpg")
    assert (tmp_path / "logo.jpg").is_file() and not (tmp_path / "logo.png").exists()


@pytest.mark.parametrize("path", WRITERS, ids=" ".join)
def test_out_under_a_file_is_one_line_and_exit_2_and_an_operation_is_not_run(
    cli: Cli, picture: Path, tmp_path: Path, path: tuple[str, ...]
) -> None:
    """It ended as an "unexpected FileExistsError", exit 1, after the operation had run and
    been paid for."""
    asset = cli.json("generate", "a kite", "--size", "128x128")["assets"][0]["id"]
    before = len(cli.json("operations", "list")["items"])
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("not a folder")
    args = [a.replace("{p}", str(picture)).replace("{asset}", asset) for a in WRITERS[path]]

    result = cli.invoke(*args, "--out", str(in_the_way / "out.png"))

    assert result.exit_code == 2, result.output
    assert result.stderr == f"error: invalid out: {in_the_way} is not a folder\n"
    assert len(cli.json("operations", "list")["items"]) == before


def test_out_that_fails_only_when_written_says_the_operation_stands(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("imagestudio.entrypoints.cli.running.write", refuse)
    result = cli.invoke("generate", "a kite", "--size", "128x128", "--out", f"{tmp_path}/")

    assert result.exit_code == 1
    (said,) = result.stderr.splitlines()
    assert said.startswith(f"error: could not write to --out {tmp_path}/: No space left on device")
    (operation,) = cli.json("operations", "list")["items"]
    assert operation["status"] == "succeeded"
    assert operation["id"].removeprefix("op_") in said  # its asset, to download


def test_user_given_empty_is_no_user_not_the_default_one(cli: Cli) -> None:
    """`--user "$UNSET"` ran, and was charged, as the default user."""
    result = cli.invoke("generate", "a kite", "--user", "")

    assert result.exit_code == 7
    assert result.stderr == "error: unknown user ''\n"
    assert cli.json("operations", "list")["items"] == []
