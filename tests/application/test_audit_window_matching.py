"""Matching by route, price and time under load: many lines of one route and price overlapping,
possible costs never billed beside confirmed ones. Whenever every billed task can be given to a
line whose window holds it, and every confirmed cost to a task, the audit finds no difference."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from imagestudio.application.audit.matching import Span, TaskMatching, match_tasks
from imagestudio.application.ports.provider_book import BilledTask
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.usage_record import Outcome, UsageRecord

T0 = datetime(2026, 12, 7, 2, 30, tzinfo=UTC)
ROUTES = {"fast": "v2beta/stable-image/upscale/fast", "core": "v2beta/stable-image/generate/core"}
PRICES = {"fast": 20_000, "core": 30_000}


def line(
    operation_id: str,
    *,
    start_ms: int,
    lasted_ms: int = 300,
    model: str = "fast",
    calls: int = 1,
    possible: int = 0,
) -> UsageRecord:
    """A line of `calls` confirmed calls and `possible` never-confirmed ones, none with an id
    (a synchronous endpoint answers with no task id)."""
    price = PRICES[model]
    return UsageRecord(
        user_id="soak",
        operation_id=operation_id,
        model_id=model,
        provider="stability",
        kind=OperationKind.UPSCALE,
        outputs=calls,
        user_charge=calls * price,
        provider_cost=(calls + possible) * price,
        outcome=Outcome.SUCCEEDED if calls else Outcome.UNKNOWN_UNRESOLVED,
        output_bytes=10,
        latency_ms=lasted_ms,
        billing_period="2026-12-01",
        started_at=T0 + timedelta(milliseconds=start_ms),
        finished_at=T0 + timedelta(milliseconds=start_ms + lasted_ms),
        unconfirmed_cost=possible * price,
    )


def task(task_id: str, *, at_ms: int, model: str = "fast") -> BilledTask:
    return BilledTask(
        task_id=task_id,
        route=ROUTES[model],
        amount=PRICES[model],
        billed_at=T0 + timedelta(milliseconds=at_ms),
    )


def matched(
    lines: list[UsageRecord], tasks: list[BilledTask], *, slack_ms: int = 0
) -> TaskMatching:
    span = Span(
        since=T0 - timedelta(hours=1),
        until=T0 + timedelta(hours=1),
        slack=timedelta(milliseconds=slack_ms),
    )
    return match_tasks(lines, tasks, routes=ROUTES, span=span)


def test_unbilled_possible_costs_do_not_take_the_tasks_of_charged_lines_under_load() -> None:
    # The soak's shape: synchronous calls of one route and price finishing together, and calls
    # cut by faults (possible costs the provider never billed) that started just before them.
    cut = [line(f"cut-{i}", start_ms=i * 50, calls=0, possible=1) for i in range(10)]
    charged = [line(f"ok-{i}", start_ms=500 + i * 100) for i in range(40)]
    tasks = [task(f"t-{i}", at_ms=500 + i * 100 + 250) for i in range(40)]

    result = matched([*cut, *charged], tasks, slack_ms=120_000)

    assert result.differences == ()
    assert result.matched_by_window == 40


def test_a_line_with_a_short_window_keeps_the_task_only_it_can_take() -> None:
    # The long line started first and the short line's task is nearest its start: taken by
    # the nearest, the short line would be left with nothing while the long one had its own.
    long = line("long", start_ms=0, lasted_ms=10_000)
    short = line("short", start_ms=8_000, lasted_ms=1_000)
    tasks = [task("short's", at_ms=8_500), task("long's", at_ms=9_500)]

    result = matched([long, short], tasks)

    assert result.differences == ()
    assert result.matched_by_window == 2


def test_a_confirmed_cost_takes_the_one_task_before_a_possible_cost_does() -> None:
    maybe = line("maybe", start_ms=0, lasted_ms=2_000, calls=0, possible=1)
    sure = line("sure", start_ms=500, lasted_ms=5_000)

    result = matched([maybe, sure], [task("only", at_ms=1_000)])

    assert result.differences == ()
    assert result.unbilled[0].operation_id == "maybe"


def test_a_task_a_confirmed_line_took_first_moves_on_so_a_later_task_finds_a_line() -> None:
    # Confirmed costs go first: "sure" takes the earliest task in its window, which only "maybe"
    # could also take; the later task then fits no line with room until "sure" hands it over.
    sure = line("sure", start_ms=0, lasted_ms=10_000)
    maybe = line("maybe", start_ms=0, lasted_ms=2_000, calls=0, possible=1)

    result = matched([sure, maybe], [task("early", at_ms=1_000), task("late", at_ms=9_000)])

    assert result.differences == ()
    assert result.matched_by_window == 2


@st.composite
def billed_load(draw: st.DrawFn) -> tuple[list[UsageRecord], list[BilledTask], int]:
    """Lines of two routes crowded into a minute; each confirmed call billed at a random moment
    in its line's window ± slack, each possible one billed or not."""
    slack_ms = draw(st.sampled_from([0, 200, 2_000]))
    lines: list[UsageRecord] = []
    tasks: list[BilledTask] = []
    for n in range(draw(st.integers(min_value=1, max_value=30))):
        model = draw(st.sampled_from(sorted(ROUTES)))
        start_ms = draw(st.integers(min_value=0, max_value=60_000))
        lasted_ms = draw(st.integers(min_value=0, max_value=15_000))
        calls = draw(st.integers(min_value=0, max_value=3))
        possible = draw(st.integers(min_value=0 if calls else 1, max_value=2))
        lines.append(
            line(
                f"op-{n}",
                start_ms=start_ms,
                lasted_ms=lasted_ms,
                model=model,
                calls=calls,
                possible=possible,
            )
        )
        window = st.integers(
            min_value=start_ms - slack_ms, max_value=start_ms + lasted_ms + slack_ms
        )
        billed_calls = calls + sum(
            draw(st.lists(st.booleans(), min_size=possible, max_size=possible))
        )
        tasks.extend(
            task(f"op-{n}-{k}", at_ms=draw(window), model=model) for k in range(billed_calls)
        )
    return lines, draw(st.permutations(tasks)), slack_ms


@given(billed_load())
def test_when_every_task_and_charge_can_be_paired_the_audit_finds_no_difference(
    load: tuple[list[UsageRecord], list[BilledTask], int],
) -> None:
    lines, tasks, slack_ms = load

    result = matched(lines, tasks, slack_ms=slack_ms)

    assert result.differences == ()
    assert result.matched_by_window == len(tasks)
