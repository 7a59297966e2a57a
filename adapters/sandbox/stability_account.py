"""The v1 account endpoints (§2.5): the credit balance and the account behind a key."""

from __future__ import annotations

import hashlib

from starlette.responses import JSONResponse

from imagestudio.adapters.sandbox.billing import BillingBook

PROVIDER = "stability"


def balance_reply(book: BillingBook) -> JSONResponse:
    """`{"credits": <number>}`: the real service answers a float, so the Decimal becomes one."""
    return JSONResponse({"credits": float(book.balance(PROVIDER))})


def account_reply(api_key: str) -> JSONResponse:
    """A stable made-up account per key: same key, same ids."""
    digest = hashlib.sha256(api_key.encode()).hexdigest()
    user_id, org_id = f"user-{digest[:24]}", f"org-{digest[24:48]}"
    return JSONResponse(
        {
            "id": user_id,
            "email": f"{user_id}@sandbox.invalid",
            "profile_picture": "",
            "organizations": [
                {"id": org_id, "name": "Sandbox", "role": "OWNER", "is_default": True}
            ],
        }
    )
