"""The `imagestudio assets` command group its commands are registered on."""

from __future__ import annotations

from imagestudio.entrypoints.cli.groups import command_group

assets_app = command_group("Your stored results: list, search, label, download, delete.")
