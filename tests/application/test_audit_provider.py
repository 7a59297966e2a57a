"""The audit against the providers' books: every difference it can find, matching by task id
and by model, price and time, and the balance-only comparison that can only see totals."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from fakes import MODELS

from imagestudio.adapters.memory.catalog import InMemoryModelCatalog
from imagestudio.adapters.memory.ledger import InMemoryLedger
from imagestudio.adapters.memory.operation_store import InMemoryOperationStore
from imagestudio.adapters.system.clock import FixedClock
from imagestudio.application.audit.report import AuditMethod, AuditReport, DifferenceKind
from imagestudio.application.ports.provider_book import (
    Balance,
    BilledTask,
    BilledTasks,
    BookReading,
    BookUnreadable,
)
from imagestudio.application.use_cases.audit_provider import AuditProvider, AuditRequest
from imagestudio.domain.errors import InvalidInput
from imagestudio.domain.operation import ImageOperation, OperationStatus
from imagestudio.domain.operation_kind import OperationKind
from imagestudio.domain.usage_record import Outcome, UsageRecord

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(hours=3)
PRICE = 40_000  # acme-flat's price: its route is acme/acme-flat
K = DifferenceKind


@dataclass(slots=True)
class FakeBook:
    provider: str
    reading: BookReading
    asked: list[tuple[datetime, datetime]] = field(default_factory=list)

    async def read(self, since: datetime, until: datetime) -> BookReading:
        self.asked.append((since, until))
        if isinstance(self.reading, BilledTasks):
            tasks = self.reading.tasks
            return BilledTasks(tasks=tuple(t for t in tasks if since <= t.billed_at < until))
        return self.reading


def line(
    operation_id: str,
    *,
    at: timedelta = timedelta(minutes=10),
    task_ids: tuple[str, ...] = (),
    cost: int = PRICE,
    charge: int | None = None,
    unconfirmed: int = 0,
    outcome: Outcome = Outcome.SUCCEEDED,
    model_id: str = "acme-flat",
    lasted: timedelta = timedelta(seconds=20),
) -> UsageRecord:
    return UsageRecord(
        user_id="ada",
        operation_id=operation_id,
        model_id=model_id,
        provider="acme",
        kind=OperationKind.TEXT_TO_IMAGE,
        outputs=1,
        user_charge=cost - unconfirmed if charge is None else charge,
        provider_cost=cost,
        outcome=outcome,
        output_bytes=10,
        latency_ms=int(lasted.total_seconds() * 1000),
        billing_period="2026-11-01",
        started_at=T0 + at,
        finished_at=T0 + at + lasted,
        provider_task_ids=task_ids,
        unconfirmed_cost=unconfirmed,
    )


def billed(
    task_id: str,
    *,
    at: timedelta = timedelta(minutes=10, seconds=5),
    amount: int = PRICE,
    route: str = "acme/acme-flat",
) -> BilledTask:
    return BilledTask(task_id=task_id, route=route, amount=amount, billed_at=T0 + at)


@dataclass(slots=True)
class Books:
    ledger: InMemoryLedger = field(default_factory=InMemoryLedger)
    operations: InMemoryOperationStore = field(default_factory=InMemoryOperationStore)
    tasks: list[BilledTask] = field(default_factory=list)
    reading: BookReading | None = None

    async def audit(self, **request: object) -> AuditReport:
        book = FakeBook("acme", self.reading or BilledTasks(tasks=tuple(self.tasks)))
        use_case = AuditProvider(
            self.ledger,
            self.operations,
            InMemoryModelCatalog(MODELS),
            {"acme": book},
            FixedClock(NOW),
        )
        asked = AuditRequest(**{"since": T0, **request})  # type: ignore[arg-type]
        return (await use_case.execute(asked)).unwrap()

    async def record(self, *lines: UsageRecord) -> None:
        for each in lines:
            await self.ledger.append(each)


def kinds(report: AuditReport) -> list[DifferenceKind]:
    return [difference.kind for difference in report.differences]


@pytest.fixture
def books() -> Books:
    return Books()


# Matching by the provider's task id.


async def test_lines_whose_tasks_were_billed_match_by_task_id(books: Books) -> None:
    await books.record(
        line("op_1", task_ids=("t1",)), line("op_2", task_ids=("t2", "t3"), cost=2 * PRICE)
    )
    books.tasks = [billed("t1"), billed("t2"), billed("t3")]

    report = await books.audit()

    [acme] = report.providers
    assert report.differences == ()
    assert (acme.method, acme.matched_by_id, acme.matched_by_window) == (AuditMethod.TASKS, 3, 0)
    assert (acme.lines, acme.recorded_cost, acme.billed_tasks, acme.billed_cost) == (
        2,
        3 * PRICE,
        3,
        3 * PRICE,
    )
    assert "task by task" in acme.method_note


async def test_a_named_task_is_matched_by_id_even_billed_far_from_the_line(books: Books) -> None:
    await books.record(line("op_1", task_ids=("t1",)))
    books.tasks = [billed("t1", at=timedelta(hours=1))]

    report = await books.audit()

    assert report.differences == ()
    assert report.providers[0].matched_by_id == 1


async def test_a_task_id_billed_at_another_amount_is_an_amount_mismatch(books: Books) -> None:
    await books.record(line("op_1", task_ids=("t1",)))
    books.tasks = [billed("t1", amount=PRICE + 5_000)]

    [difference] = (await books.audit()).differences

    assert difference.kind is K.AMOUNT_MISMATCH
    assert (difference.operation_id, difference.recorded, difference.billed) == (
        "op_1",
        PRICE,
        PRICE + 5_000,
    )
    assert "models.toml" in difference.action


# Matching by model, price and time, for calls that never got a task id.


async def test_a_line_naming_no_task_matches_a_task_of_its_model_price_and_time(
    books: Books,
) -> None:
    await books.record(line("op_sync"))
    books.tasks = [billed("x-request-1")]

    report = await books.audit()

    assert report.differences == ()
    assert report.providers[0].matched_by_window == 1


async def test_an_unresolved_call_the_provider_billed_matches_by_window(books: Books) -> None:
    # The submit's reply never came; reconciliation gave it up 20 minutes later.
    unresolved = line(
        "op_lost",
        outcome=Outcome.UNKNOWN_UNRESOLVED,
        charge=0,
        unconfirmed=PRICE,
        lasted=timedelta(minutes=20),
    )
    await books.record(unresolved)
    books.tasks = [billed("t-never-seen", at=timedelta(minutes=10, seconds=30))]

    report = await books.audit()

    assert report.differences == ()
    assert report.providers[0].unbilled == ()
    assert report.providers[0].matched_by_window == 1


async def test_an_unresolved_call_the_provider_never_billed_is_no_difference(
    books: Books,
) -> None:
    await books.record(
        line("op_lost", outcome=Outcome.UNKNOWN_UNRESOLVED, charge=0, unconfirmed=PRICE)
    )

    report = await books.audit()

    assert report.differences == ()
    [note] = report.providers[0].unbilled
    assert (note.operation_id, note.amount) == ("op_lost", PRICE)


async def test_a_delivered_call_and_an_unconfirmed_one_match_by_id_then_by_window(
    books: Books,
) -> None:
    await books.record(line("op_mixed", task_ids=("t1",), cost=2 * PRICE, unconfirmed=PRICE))
    books.tasks = [billed("t1"), billed("t-untraced", at=timedelta(minutes=10, seconds=7))]

    report = await books.audit()

    assert report.differences == ()
    assert (report.providers[0].matched_by_id, report.providers[0].matched_by_window) == (1, 1)


async def test_a_line_whose_calls_all_named_tasks_never_takes_a_task_by_window(
    books: Books,
) -> None:
    await books.record(line("op_1", task_ids=("t1",)))
    books.tasks = [billed("t-other")]

    report = await books.audit()

    assert sorted(kinds(report)) == [K.BILLED_NOT_RECORDED, K.RECORDED_NOT_BILLED]


async def test_a_task_of_another_model_does_not_match_by_window(books: Books) -> None:
    await books.record(line("op_sync"))
    books.tasks = [billed("x-1", route="acme/acme-batch")]

    report = await books.audit()

    assert sorted(kinds(report)) == [K.BILLED_NOT_RECORDED, K.RECORDED_NOT_BILLED]


async def test_a_task_billed_long_before_the_line_does_not_match_by_window(books: Books) -> None:
    await books.record(line("op_sync", at=timedelta(hours=1)))
    books.tasks = [billed("x-1", at=timedelta(minutes=10))]

    report = await books.audit()

    assert sorted(kinds(report)) == [K.BILLED_NOT_RECORDED, K.RECORDED_NOT_BILLED]


async def test_a_task_of_the_right_model_and_time_at_another_price_is_an_amount_mismatch(
    books: Books,
) -> None:
    await books.record(line("op_sync"))
    books.tasks = [billed("x-1", amount=PRICE * 2)]

    [difference] = (await books.audit()).differences

    assert difference.kind is K.AMOUNT_MISMATCH
    assert difference.task_ids == ("x-1",)


async def test_concurrent_lines_of_one_model_each_take_one_task(books: Books) -> None:
    await books.record(*(line(f"op_{n}", at=timedelta(minutes=10, seconds=n)) for n in range(5)))
    books.tasks = [billed(f"x-{n}", at=timedelta(minutes=10, seconds=4 - n)) for n in range(5)]

    report = await books.audit()

    assert report.differences == ()
    assert report.providers[0].matched_by_window == 5


async def test_two_prices_on_one_route_each_go_to_the_line_they_fill(books: Books) -> None:
    await books.record(
        line("op_large", cost=65_000, at=timedelta(minutes=10)),
        line("op_medium", cost=35_000, at=timedelta(minutes=10, seconds=2)),
    )
    # The medium task is the nearest to the large line's start, but does not fill it.
    books.tasks = [
        billed("x-medium", amount=35_000, at=timedelta(minutes=10)),
        billed("x-large", amount=65_000, at=timedelta(minutes=10, seconds=2)),
    ]

    assert (await books.audit()).differences == ()


# What the provider billed that we did not record, and the reverse.


async def test_a_billed_task_no_line_names_or_matches_is_a_difference(books: Books) -> None:
    await books.record(line("op_1", task_ids=("t1",)))
    books.tasks = [billed("t1"), billed("t-stranger", at=timedelta(minutes=50))]

    [difference] = (await books.audit()).differences

    assert difference.kind is K.BILLED_NOT_RECORDED
    assert (difference.task_ids, difference.billed, difference.recorded) == (
        ("t-stranger",),
        PRICE,
        None,
    )
    assert "t-stranger" in difference.detail
    assert "dispute" in difference.action


async def test_a_filtered_output_recorded_as_our_cost_is_no_difference(books: Books) -> None:
    await books.record(line("op_f", task_ids=("t1",), charge=0, outcome=Outcome.FILTERED))
    books.tasks = [replace(billed("t1"), filtered=True)]

    assert (await books.audit()).differences == ()


async def test_a_charge_with_no_billed_task_behind_it_is_a_difference(books: Books) -> None:
    await books.record(line("op_1", task_ids=("t1",)))

    [difference] = (await books.audit()).differences

    assert difference.kind is K.RECORDED_NOT_BILLED
    assert (difference.operation_id, difference.recorded, difference.billed) == (
        "op_1",
        PRICE,
        None,
    )
    assert "imagestudio ledger adjust --user ada --amount -0.04" in difference.action


async def test_a_provider_only_cost_never_billed_says_nothing_is_owed(books: Books) -> None:
    await books.record(line("op_f", task_ids=("t1",), charge=0, outcome=Outcome.FILTERED))

    [difference] = (await books.audit()).differences

    assert difference.kind is K.RECORDED_NOT_BILLED
    assert "nothing is owed" in difference.action


async def test_a_line_at_no_cost_with_nothing_billed_is_no_difference(books: Books) -> None:
    await books.record(line("op_x", task_ids=("t1",), cost=0, outcome=Outcome.FAILED))

    assert (await books.audit()).differences == ()


async def test_a_task_billed_for_an_unsettled_operation_says_to_reconcile(books: Books) -> None:
    await books.operations.save(unsettled("op_open", task_ids=("t9",)))
    books.tasks = [billed("t9")]

    [difference] = (await books.audit()).differences

    assert difference.kind is K.BILLED_UNSETTLED
    assert difference.operation_id == "op_open"
    assert "imagestudio reconcile" in difference.action


async def test_a_task_billed_while_an_operation_without_task_id_is_open_waits_for_it(
    books: Books,
) -> None:
    await books.operations.save(unsettled("op_open", task_ids=()))
    books.tasks = [billed("t9")]

    [difference] = (await books.audit()).differences

    assert (difference.kind, difference.operation_id) == (K.BILLED_UNSETTLED, "op_open")


def unsettled(operation_id: str, task_ids: tuple[str, ...]) -> ImageOperation:
    return ImageOperation(
        id=operation_id,
        user_id="ada",
        kind=OperationKind.TEXT_TO_IMAGE,
        model_id="acme-flat",
        provider="acme",
        prompt="a lighthouse",
        input_digests=(),
        parameters={},
        outputs_requested=1,
        created_at=T0 + timedelta(minutes=9),
        updated_at=T0 + timedelta(minutes=10),
        status=OperationStatus.UNKNOWN,
        provider_task_ids=task_ids,
    )


# The span.


async def test_only_what_falls_in_the_span_is_judged(books: Books) -> None:
    await books.record(line("op_before", at=timedelta(minutes=-30), task_ids=("t-gone",)))
    books.tasks = [billed("t-early", at=timedelta(minutes=-20))]

    assert (await books.audit()).differences == ()


async def test_a_line_in_the_span_matches_a_task_billed_just_before_it(books: Books) -> None:
    await books.record(line("op_1", at=timedelta(seconds=-10), task_ids=("t1",)))
    books.tasks = [billed("t1", at=timedelta(seconds=-5))]

    assert (await books.audit()).differences == ()


async def test_a_line_written_a_day_after_its_task_still_matches(books: Books) -> None:
    # Reconciliation may settle an operation up to the provider's retention after it ran.
    await books.record(
        line("op_late", at=timedelta(hours=-22), lasted=timedelta(hours=23), task_ids=("t1",))
    )
    books.tasks = [billed("t1", at=timedelta(hours=-22))]

    assert (await books.audit()).differences == ()


async def test_the_book_is_asked_from_a_day_before_the_span(books: Books) -> None:
    book = FakeBook("acme", BilledTasks(tasks=()))
    use_case = AuditProvider(
        books.ledger,
        books.operations,
        InMemoryModelCatalog(MODELS),
        {"acme": book},
        FixedClock(NOW),
    )

    await use_case.execute(AuditRequest(since=T0, until=T0 + timedelta(hours=1)))

    [(since, until)] = book.asked
    assert since <= T0 - timedelta(hours=24)
    assert T0 + timedelta(hours=1) <= until < T0 + timedelta(hours=2)


# A provider that shows a balance only.


async def test_a_balance_that_fell_by_what_we_recorded_is_no_difference(books: Books) -> None:
    await books.record(line("op_1"), line("op_2", at=timedelta(minutes=20)))
    books.reading = Balance(amount=1_000_000)

    report = await books.audit(opening_balances={"acme": 1_000_000 + 2 * PRICE})

    [acme] = report.providers
    assert acme.method is AuditMethod.BALANCE
    assert report.differences == ()
    assert "only totals could be compared" in acme.method_note
    assert acme.billed_cost == acme.recorded_cost == 2 * PRICE


async def test_a_balance_that_fell_by_more_than_we_recorded_is_a_difference(books: Books) -> None:
    await books.record(line("op_1"))
    books.reading = Balance(amount=1_000_000)

    [difference] = (await books.audit(opening_balances={"acme": 1_000_000 + 3 * PRICE})).differences

    assert difference.kind is K.BALANCE_MISMATCH
    assert (difference.recorded, difference.billed) == (PRICE, 3 * PRICE)
    assert "balance only" in difference.action


async def test_an_unconfirmed_cost_may_or_may_not_move_the_balance(books: Books) -> None:
    await books.record(
        line("op_lost", outcome=Outcome.UNKNOWN_UNRESOLVED, charge=0, unconfirmed=PRICE)
    )
    books.reading = Balance(amount=1_000_000)

    assert (await books.audit(opening_balances={"acme": 1_000_000})).differences == ()
    assert (await books.audit(opening_balances={"acme": 1_000_000 + PRICE})).differences == ()


async def test_without_an_opening_balance_the_report_says_what_it_should_have_been(
    books: Books,
) -> None:
    await books.record(line("op_1"))
    books.reading = Balance(amount=1_000_000)

    report = await books.audit(until=T0 + timedelta(hours=1))

    [acme] = report.providers
    assert report.differences == ()
    assert "should have been $1.04" in acme.method_note
    assert "up to now, not to" in acme.method_note


async def test_a_provider_that_cannot_be_asked_is_reported_so(books: Books) -> None:
    await books.record(line("op_1"))
    books.reading = BookUnreadable(reason="HTTP 401: bad key")

    [acme] = (await books.audit()).providers

    assert acme.method is AuditMethod.UNREADABLE
    assert "HTTP 401: bad key" in acme.method_note
    assert acme.recorded_cost == PRICE


# Refusals: nothing is read.


@pytest.mark.parametrize(
    ("request_fields", "field_name"),
    [
        ({"until": T0}, "until"),
        ({"until": T0 - timedelta(days=1)}, "until"),
        ({"since": T0.replace(tzinfo=None)}, "since"),
        ({"provider": "nobody"}, "provider"),
        ({"since": datetime(1, 1, 1, tzinfo=UTC)}, "since"),
        ({"until": datetime(9999, 12, 31, 23, 59, tzinfo=UTC)}, "since"),
        ({"since": datetime(1, 1, 2, 3, tzinfo=timezone(timedelta(hours=14)))}, "since"),
        ({"opening_balances": {"nobody": 1}}, "opening_balance"),
        ({"since": NOW + timedelta(days=365)}, "since"),  # open to now, starting after it
    ],
)
async def test_a_bad_request_is_refused_before_asking_anyone(
    request_fields: dict[str, object], field_name: str
) -> None:
    book = FakeBook("acme", BilledTasks(tasks=()))
    use_case = AuditProvider(
        InMemoryLedger(),
        InMemoryOperationStore(),
        InMemoryModelCatalog(MODELS),
        {"acme": book},
        FixedClock(NOW),
    )

    result = await use_case.execute(AuditRequest(**{"since": T0, **request_fields}))  # type: ignore[arg-type]

    error = result.failure()
    assert isinstance(error, InvalidInput)
    assert error.field == field_name
    assert book.asked == []


async def test_an_opening_balance_given_for_a_book_of_tasks_is_said_to_be_unused(
    books: Books,
) -> None:
    books.tasks.append(billed("t1"))
    await books.record(line("op_1", task_ids=("t1",)))

    [acme] = (await books.audit(opening_balances={"acme": 12_500_000})).providers

    assert acme.method is AuditMethod.TASKS
    assert "opening balance given ($12.50) was not used" in acme.method_note


async def test_a_balance_that_rose_is_said_to_have_risen_not_to_have_fallen_by_less_than_nothing(
    books: Books,
) -> None:
    await books.record(line("op_1"))
    books.reading = Balance(amount=1_000_000)

    report = await books.audit(opening_balances={"acme": 600_000})

    [acme] = report.providers
    [difference] = report.differences
    for text in (acme.method_note, difference.detail):
        assert "-$" not in text, text
    assert "the balance rose by $0.40 from $0.60" in acme.method_note
    assert "(up $0.40)" in difference.detail
