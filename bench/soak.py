"""Soak: the whole service under load, provider faults and repeated SIGKILLs, then its books.

    .venv/bin/python bench/soak.py [--smoke] [--operations N] [--kills K] [--fault-rate R] ...

Two variants, one after the other: two `imagestudio serve` processes on one throwaway
PostgreSQL, then one on a SQLite file. Each has its own provider sandbox (`imagestudio
sandbox`, faults drawn at `--fault-rate` of every submit and a third of that on every read:
time-outs, 429 with Retry-After, 5xx, a submit's 500 after the task was made and billed,
malformed and truncated bodies, connections dropped before and after the submit was read, tasks
failing after acceptance, very slow completions), and prompts carry the sandbox's moderation and
filter words at their own rates.

Clients send operations for many users on tight plans (calls, spend cap, concurrency 1, made
through the admin API): native `POST /v1/operations` (sync and `Prefer: respond-async`, polled
to the end) and the OpenAI-compatible generations and edits, a third with idempotency keys, some
keys reused with the same body (must replay) or a changed one (must be refused). Meanwhile the
quota counters are sampled from the database, and a server is SIGKILLed at random moments and
restarted. Once `--operations` are sent and `--kills` done, recovery runs (short lease and
reconcile delays) until nothing is unsettled or held, and the books are checked: nobody over a
limit at any moment, nothing held, counters = ledger, one line per operation, no double or lost
charge, failed operations free, one asset per charged output, nothing unsettled, and the
sandbox's book of billed tasks against our ledger.

Prints the figures as Markdown and exits 1 if any check failed. The full run (the defaults:
10,000 operations and 20 kills per variant) takes minutes; `--smoke` is under two minutes with
3 kills in all (`make test` runs it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

from bench_support import STARTED, start_postgres
from soak_cluster import Timing
from soak_report import checks, details, faulted_share, faults_by_kind, figures, users_over
from soak_run import Size, VariantResult, run_variant

SMOKE = {
    "postgres": {"operations": 80, "kills": 2, "kill_every": 4.0},
    "sqlite": {"operations": 40, "kills": 1, "kill_every": 4.0},
}


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="under two minutes, 3 kills in all")
    parser.add_argument("--operations", type=int, default=10_000, help="per variant")
    parser.add_argument("--kills", type=int, default=20, help="SIGKILLs per variant, at least")
    parser.add_argument("--kill-every", type=float, default=12.0, help="seconds, on average")
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--clients", type=int, default=24, help="requests in flight")
    parser.add_argument("--fault-rate", type=float, default=0.2, help="share of submits")
    parser.add_argument("--moderation-rate", type=float, default=0.03, help="share of prompts")
    parser.add_argument("--filter-rate", type=float, default=0.02, help="share of prompts")
    parser.add_argument("--recovery-seconds", type=float, default=120.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--variant", choices=("postgres", "sqlite", "both"), default="both", help="which to run"
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--folder", type=Path, help="keep the logs and files here (a new folder)")
    return parser.parse_args()


def size_for(args: argparse.Namespace, variant: str) -> Size:
    given = {
        "operations": args.operations,
        "kills": args.kills,
        "kill_every": args.kill_every,
        "users": args.users,
        "clients": args.clients,
    }
    if args.smoke:
        given |= SMOKE[variant] | {"users": 12, "clients": 6}
    return Size(
        **given,
        fault_rate=args.fault_rate,
        moderation_rate=args.moderation_rate,
        filter_rate=args.filter_rate,
        # Past the follow-up grace (60 s), so a key left by a kill between a failure and its
        # fallback is ended in time; recovery stops as soon as the books are clean.
        recovery_seconds=75.0 if args.smoke else args.recovery_seconds,
        seed=args.seed,
    )


async def soak(args: argparse.Namespace, folder: Path) -> list[VariantResult]:
    timing = Timing()
    results = []
    if args.variant in ("postgres", "both"):
        postgres = start_postgres()
        if postgres is None:
            raise SystemExit("PostgreSQL is needed for the postgres variant (--variant sqlite)")
        try:
            url = postgres.create_database("soak")
            size = size_for(args, "postgres")
            results.append(
                await run_variant("PostgreSQL", url, 2, size, timing, folder / "postgres")
            )
        finally:
            postgres.stop()
    if args.variant in ("sqlite", "both"):
        url = f"sqlite:///{folder / 'soak.db'}"
        size = size_for(args, "sqlite")
        results.append(await run_variant("SQLite", url, 1, size, timing, folder / "sqlite"))
    return results


def as_json(result: VariantResult) -> dict[str, object]:
    records = result.records
    return {
        "name": result.name,
        "passed": result.passed,
        "sent": records.sent,
        "accepted": result.accepted_operations,
        "answers": dict(records.answers),
        "kills": result.kills,
        "faults": dict(faults_by_kind(result.tally)),
        "faulted": faulted_share(result.tally),
        "moderated_prompts": result.moderated_prompts,
        "moderation_refusals": result.moderation_refusals,
        "users_over": sorted(users_over(result)),
        "samples": result.watch.samples,
        "recovered_in": result.recovered_in,
        "checks": {
            check.name: {"broken": check.broken, "examples": check.examples}
            for check in result.checks
        },
        "unexpected": records.unexpected,
        "idempotency": records.idempotency,
        "reused": [records.reused_same, records.reused_changed],
        "locations_disagree": len(records.locations_disagree),
        "book": {
            "billed_tasks": result.book.billed_tasks,
            "by_task_id": result.book.by_task_id,
            "by_amount": result.book.by_amount,
        },
        "audit": {"exit_code": result.audit.exit_code, "differences": result.audit.differences},
    }


def main() -> int:
    args = arguments()
    if args.folder is not None:
        results = asyncio.run(soak(args, args.folder))
    else:
        with tempfile.TemporaryDirectory(prefix="imagestudio-soak-") as temporary:
            results = asyncio.run(soak(args, Path(temporary)))
    mode = " (--smoke)" if args.smoke else ""
    print(f"## Soak: load, provider faults and SIGKILLs, then the books{mode}\n")
    print("\n".join(figures(results)))
    for result in results:
        print()
        print("\n".join(checks(result)))
        print()
        print("\n".join(details(result)))
    passed = all(result.passed for result in results)
    if args.json is not None:
        args.json.write_text(json.dumps([as_json(result) for result in results], indent=2))
    print(
        f"\n{'every check passed' if passed else 'SOME CHECKS FAILED'} "
        f"(run took {time.perf_counter() - STARTED:.0f} s)"
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
