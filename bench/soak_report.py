"""The soak's report in Markdown: the issue's figures per variant, every check with what broke
it, and the details behind the figures (answers, faults per route, recovery)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from bench_support import percentile
from soak_run import VariantResult

FAULT_NAMES = {
    "slow": "time-outs (reply later than the deadline)",
    "429": "429 with Retry-After",
    "500": "500",
    "502": "502",
    "503": "503",
    "malformed": "malformed JSON (a gateway's page)",
    "truncated": "truncated JSON",
    "drop": "connection dropped after the submit was read",
    "reset": "connection dropped before the submit was read",
    "fail-after-accept": "task failed after being accepted",
    "slow-task": "very slow completion",
}
SUBMIT_ROUTES = ("wavespeed.submit", "stability.submit")
LIMIT_CHECKS = (
    "no user over any limit (ledger)",
    "no user over the requests-per-minute limit (grants kept)",
)


def faults_by_kind(tally: dict[str, Any]) -> Counter[str]:
    by_kind: Counter[str] = Counter()
    for faults in tally["faults"].values():
        by_kind.update(faults)
    return by_kind


def faulted_share(tally: dict[str, Any], routes: tuple[str, ...] | None = None) -> tuple[int, int]:
    """(faulted, all) provider requests, on `routes` or on every route."""
    chosen = routes or tuple(tally["requests"])
    requests = sum(tally["requests"].get(route, 0) for route in chosen)
    faulted = sum(sum(tally["faults"].get(route, {}).values()) for route in chosen)
    return faulted, requests


def _share(part: int, whole: int) -> str:
    return f"{part:,} of {whole:,} ({100 * part / whole:.1f}%)" if whole else "0"


def _latency(values: list[float]) -> str:
    if not values:
        return "-"
    return f"{percentile(values, 50) * 1000:,.0f} / {percentile(values, 99) * 1000:,.0f} ms"


def _check(result: VariantResult, name: str) -> int:
    return next(check.broken for check in result.checks if check.name == name)


def users_over(result: VariantResult) -> set[str]:
    """Seen over a limit while running, or over it in the ledger or the grants at the end."""
    found = set(result.watch.users_over)
    for check in result.checks:
        if check.name in LIMIT_CHECKS:
            found |= check.subjects
    return found


def figures(results: list[VariantResult]) -> list[str]:
    """The issue's table: one column per variant."""
    head = [f"{r.name}, {r.servers} server{'s' * (r.servers > 1)}" for r in results]
    rows: list[tuple[str, list[str]]] = [
        (
            "operations run (requests sent / operations the servers accepted)",
            [f"{r.records.sent:,} / {r.accepted_operations:,}" for r in results],
        ),
        (
            "provider calls faulted (all routes)",
            [_share(*faulted_share(r.tally)) for r in results],
        ),
        (
            "submits faulted",
            [_share(*faulted_share(r.tally, SUBMIT_ROUTES)) for r in results],
        ),
    ]
    kinds = sorted({kind for r in results for kind in faults_by_kind(r.tally)})
    for kind in kinds:
        rows.append(
            (
                f"faults: {FAULT_NAMES.get(kind, kind)}",
                [f"{faults_by_kind(r.tally)[kind]:,}" for r in results],
            )
        )
    rows += [
        ("faults: moderation refusals", [f"{r.moderation_refusals:,}" for r in results]),
        ("faults: billed but filtered", [f"{r.filtered_outputs:,}" for r in results]),
        ("server kills survived (SIGKILL)", [str(r.kills) for r in results]),
        (
            "users over limit",
            [str(len(users_over(r))) for r in results],
        ),
        ("double charges", [str(_check(r, "no operation charged twice")) for r in results]),
        ("lost charges", [str(_check(r, "no output delivered uncharged")) for r in results]),
        ("held after recovery", [str(_check(r, "nothing held")) for r in results]),
        (
            "unsettled after recovery",
            [str(_check(r, "no operation or idempotency key left unsettled")) for r in results],
        ),
        (
            "differences with the provider's book",
            # The soak's own comparison and the operator's audit, each counted (details: each).
            [str(r.book.differences.broken + r.audit.differences) for r in results],
        ),
        (
            "p50 / p99 latency under load (to the end of each operation that ran)",
            [_latency(r.records.latencies) for r in results],
        ),
    ]
    lines = ["| figure | " + " | ".join(head) + " |", "|---|" + "---|" * len(results)]
    lines += [f"| {label} | " + " | ".join(cells) + " |" for label, cells in rows]
    return lines


def checks(result: VariantResult) -> list[str]:
    lines = [f"### {result.name}: checks"]
    watch = result.watch
    said = f"{watch.samples} samples, peak concurrency held {watch.peak_concurrency}"
    lines.append(_verdict(not watch.over, f"no user over any limit while running ({said})"))
    lines += [f"  - {example}" for example in watch.over]
    for check in result.checks:
        lines.append(_verdict(check.broken == 0, f"{check.name} ({check.broken} broken)"))
        lines += [f"  - {example}" for example in check.examples]
    records = result.records
    lines.append(
        _verdict(not records.unexpected, f"only expected answers ({len(records.unexpected)} not)")
    )
    lines += [f"  - {example}" for example in records.unexpected[:10]]
    lines.append(
        _verdict(
            not records.idempotency,
            f"every reused key kept its promise ({records.reused_same} replays, "
            f"{records.reused_changed} with a changed body)",
        )
    )
    lines += [f"  - {example}" for example in records.idempotency[:10]]
    seen = records.locations_disagree
    lines.append(
        _verdict(not seen, f"every server answers a location the same ({len(seen)} did not)")
    )
    lines += [f"  - {example}" for example in seen[:5]]
    return lines


def _verdict(ok: bool, text: str) -> str:
    return f"- {'ok' if ok else 'FAILED'}: {text}"


def details(result: VariantResult) -> list[str]:
    records = result.records
    answers = ", ".join(f"{status}: {n:,}" for status, n in sorted(records.answers.items()))
    polled = ", ".join(f"{status}: {n:,}" for status, n in sorted(records.polled_final.items()))
    restarts = sorted(result.restarts)
    restart = f"median {percentile(restarts, 50):.1f} s" if restarts else "-"
    recovered = (
        "not within the limit" if result.recovered_in is None else f"{result.recovered_in:.1f} s"
    )
    book = result.book
    audit = result.audit
    lines = [
        f"### {result.name}: details",
        f"- load: {result.load_seconds:.0f} s; answers: {answers}; refusals (402, 409, 429) "
        f"answered in {_latency(records.refusal_latencies)} (p50 / p99)",
        f"- polled to a final state: {polled or '-'}; polls given up: {records.polls_given_up}",
        f"- prompts sent with the moderation word: {result.moderated_prompts:,}, with the filter "
        f"word: {result.filtered_prompts:,} (some refused by the plan before reaching a provider)",
        f"- keyed requests: {records.keyed:,}; cut by a kill: {records.cut_by_kills:,}, sent again "
        f"with their key: {records.retried_after_cut:,}",
        f"- restarts after a kill: {restart}; recovery after the load: {recovered}",
        f"- provider's book: {book.billed_tasks:,} tasks billed "
        f"(${book.billed_micros / 1e6:,.2f}), "
        f"{book.by_task_id:,} matched by task id, {book.by_amount:,} by provider and amount; "
        f"{book.possible_costs_not_billed:,} possible costs recorded that were never billed",
        f"- `imagestudio audit provider`: exit {audit.exit_code}, {audit.differences} "
        f"difference(s)\n\n```\n{audit.output[-2000:]}\n```",
    ]
    per_route = ", ".join(
        f"{route} {_share(*faulted_share(result.tally, (route,)))}"
        for route in sorted(result.tally["requests"])
    )
    lines.append(f"- faulted per route: {per_route}")
    return lines
