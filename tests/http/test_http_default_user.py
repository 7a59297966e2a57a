"""The admin API refuses to delete the default user (422 naming `user`), as the CLI does: the
next start made them again on the default plan, so the deletion undid nothing but their history."""

from __future__ import annotations

from pathlib import Path

from http_support import serving


def test_deleting_the_default_user_is_422_and_deletes_nothing(tmp_path: Path) -> None:
    with serving(tmp_path) as api, api.admin() as admin:
        before = admin.get("/v1/admin/users", params={"limit": 200})
        refused = admin.delete("/v1/admin/users/local")
        after = admin.get("/v1/admin/users", params={"limit": 200})
        other = admin.delete("/v1/admin/users/alice")

    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["field"] == "user"
    assert "is the default user" in problem["reason"]
    assert before.status_code == after.status_code == 200, (before.text, after.text)
    assert "local" in before.text and after.json() == before.json()
    assert other.status_code == 200, other.text
