"""The guides of refusals by the caller's plan: its limits, its rate, its storage."""

from __future__ import annotations

from imagestudio.entrypoints.http.problem_guides.guide import NOT_CHARGED, ProblemGuide

PLAN_GUIDES: dict[str, ProblemGuide] = {
    "quota-exceeded": ProblemGuide(
        402,
        "Your plan's limit for this period is reached",
        "The operation would take one of your plan's limits (`limit_name`: calls of a "
        "category, or the spend cap) past what it allows this billing period; `used`, `held`, "
        "`limit` and `requested` say by how much. " + NOT_CHARGED,
        "Wait until `resets_at`, ask for fewer outputs, or move to a larger plan. Retrying "
        "before then is refused the same way.",
    ),
    "storage-quota-exceeded": ProblemGuide(
        402,
        "Your plan's storage is full",
        "Your stored assets take all the bytes your plan keeps (`used`, `limit`). " + NOT_CHARGED,
        "Delete assets you no longer need (`DELETE /v1/assets/{id}`) or move to a larger plan.",
    ),
    "rate-limited": ProblemGuide(
        429,
        "Too many requests for your plan",
        "You sent more requests per minute, or ran more operations at once, than your plan "
        "allows (`limit_name`, `limit`). " + NOT_CHARGED,
        "Wait the `Retry-After` seconds and send it again; run fewer at once.",
    ),
    "refund-too-large": ProblemGuide(
        422,
        "Refund too large",
        "An adjustment would refund more than the user spent this billing period.",
        "Refund at most this period's spend (see the user's usage).",
    ),
}
