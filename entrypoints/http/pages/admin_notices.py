"""What an admin page says after a change went through: the POST redirects (303) to the page
with `?notice=<code>`, and the page shows the sentence for that code — a fixed list, so a
crafted link cannot make the page say anything else."""

from __future__ import annotations

NOTICES = {
    "plan-saved": "The plan was saved; its users have its limits now.",
    "plan-deleted": "The plan was deleted.",
    "plan-changed": "The user's plan was changed; what they used this period stays used.",
    "key-revoked": "The key was revoked; its sessions have ended.",
    "budget-set": "The budget was set; it binds from the next request.",
    "adjusted": "The adjustment was written to the user's ledger.",
}


def notice_text(code: str | None) -> str | None:
    return None if code is None else NOTICES.get(code)
