"""`imagestudio models` says what is usable and why not; `providers check`; `reconcile`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import Cli


def test_models_mark_what_is_usable_now_and_why_not(cli: Cli) -> None:
    listed = {item["id"]: item for item in cli.json("models")}

    assert listed["offline/text-to-image"]["available"] is True
    assert listed["offline/text-to-image"]["unavailable_reason"] is None
    flux = listed["wavespeed/flux-dev"]
    assert flux["available"] is False
    assert "IMAGESTUDIO_WAVESPEED_API_KEY" in flux["unavailable_reason"]
    assert listed["stability/generate-ultra"]["tier"] == "premium"


def test_providers_check_reports_the_offline_provider_as_keyless(cli: Cli) -> None:
    statuses = cli.json("providers", "check")

    assert statuses == [
        {
            "provider": "offline",
            "key_works": True,
            "balance": None,
            "detail": "runs locally: no account, no key, no balance",
        }
    ]


def test_reconcile_with_nothing_unknown_settles_nothing(cli: Cli) -> None:
    assert cli.json("reconcile") == {
        "succeeded": [],
        "failed": [],
        "unresolved": [],
        "pending": [],
        "waiting": [],
    }
