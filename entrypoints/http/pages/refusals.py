"""What a refusal says on a page besides its title and detail: whose limit refused it and
when that limit clears, read from the problem's own fields."""

from __future__ import annotations

from datetime import datetime

from imagestudio.entrypoints.http.problems import Problem

_WHOSE = {
    "quota-exceeded": "your plan's",
    "rate-limited": "your plan's",
    "storage-quota-exceeded": "your plan's storage",
    "service-budget-exhausted": "the service's provider budget (not your plan)",
}
_FIELDS = (
    ("limit_name", "Limit"),
    ("limit", "Allowed"),
    ("used", "Used"),
    ("held", "Held by running operations"),
    ("requested", "This request"),
    ("provider", "Provider"),
)


def refusal_facts(problem: Problem) -> list[tuple[str, str]]:
    """(label, text) lines for the error page; none for a problem that is not a limit."""
    facts: list[tuple[str, str]] = []
    whose = _WHOSE.get(problem.slug)
    if whose is not None:
        facts.append(("Whose limit", whose))
    facts.extend(
        (label, str(problem.extra[name])) for name, label in _FIELDS if name in problem.extra
    )
    clears = problem.extra.get("resets_at")
    if isinstance(clears, str):
        facts.append(("Clears", _moment(clears)))
    retry = problem.headers.get("retry-after")
    if retry is not None:
        facts.append(("Clears", f"in {retry} s"))
    if whose is not None:
        facts.append(("Charged", "nothing: the request was refused before anything was spent"))
    return facts


def _moment(text: str) -> str:
    try:
        return datetime.fromisoformat(text).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return text
