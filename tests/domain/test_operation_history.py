"""The events an operation's states imply: whenever a listener reads, it hears each event once,
ids rising, the final one last; ids survive being written and read back."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from imagestudio.domain.operation import ImageOperation, OperationStatus
from imagestudio.domain.operation_event import OperationEventKind
from imagestudio.domain.operation_history import EventId, Heard, Step, history
from imagestudio.domain.operation_kind import OperationKind

S = OperationStatus
NOW = datetime(2026, 12, 1, tzinfo=UTC)
START = ImageOperation(
    id="op_1",
    user_id="alice",
    kind=OperationKind.TEXT_TO_IMAGE,
    model_id="acme/fast",
    provider="acme",
    prompt="a fox",
    input_digests=(),
    parameters={},
    outputs_requested=2,
    created_at=NOW,
    updated_at=NOW,
    status=S.RESERVED,
    reservation_id="res_1",
)
PATHS = [
    [S.SUBMITTED, "task", "task", S.SUCCEEDED],
    [S.SUBMITTED, "task", S.UNKNOWN, S.SUCCEEDED],
    [S.SUBMITTED, S.UNKNOWN, S.ABANDONED],
    [S.SUBMITTED, "task", S.FAILED],
    [S.CANCELLED],
    [S.FAILED],
]


def states(path: list[S | str]) -> list[ImageOperation]:
    """The operation after each step of `path` (a status, or another task id named)."""
    current, seen = START, [START]
    for step in path:
        if step == "task":
            tasks = (*current.provider_task_ids, f"t{len(current.provider_task_ids) + 1}")
            current = replace(current, provider_task_ids=tasks)
        else:
            current = current.advance(S(step), NOW).unwrap()
        seen.append(current)
    return seen


@given(path=st.sampled_from(PATHS), data=st.data())
def test_a_listener_reading_at_any_moments_hears_each_event_once_in_order(
    path: list[S | str], data: st.DataObject
) -> None:
    seen = states(path)
    reads = [*sorted(data.draw(st.sets(st.integers(0, len(seen) - 2)))), len(seen) - 1]
    heard = Heard()
    told = [event for index in reads for event in heard.unheard(history(seen[index]))]

    ids = [event.id for event in told]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)  # type: ignore[type-var]
    assert told[0].kind is OperationEventKind.ACCEPTED
    assert told[-1].kind is OperationEventKind.SETTLED and told[-1].ends_stream
    assert [e for e in told if e.kind.is_final] == [told[-1]]
    # Whatever was read, the final state's history is heard (an unseen `unknown` aside).
    assert {e.id for e in history(seen[-1])} <= set(ids)
    # Resuming after any heard id tells exactly what the final state holds after it.
    cut = data.draw(st.sampled_from(ids))
    assert [e.id for e in Heard(cut).unheard(history(seen[-1]))] == [
        e.id for e in history(seen[-1]) if e.id is not None and e.id > cut
    ]


def test_sent_is_told_again_for_each_task_id_the_provider_names() -> None:
    final = states(PATHS[0])[-1]
    sent = [event for event in history(final) if event.kind is OperationEventKind.SENT]

    assert [event.task_ids for event in sent] == [("t1",), ("t1", "t2")]
    assert [str(event.id) for event in sent] == ["0.1.1", "0.1.2"]


def test_an_operation_refused_before_its_reservation_only_settles() -> None:
    refused = replace(START, status=S.REQUESTED, reservation_id=None)
    failed = refused.advance(S.FAILED, NOW, error="no").unwrap()

    assert history(refused) == ()
    assert [e.kind for e in history(failed)] == [OperationEventKind.SETTLED]


@given(hop=st.integers(0, 1000), step=st.sampled_from(Step), tasks=st.integers(0, 1_000_000))
def test_an_id_reads_back_as_itself(hop: int, step: Step, tasks: int) -> None:
    made = EventId(hop, step, tasks)
    assert EventId.parse(str(made)) == made


def test_text_that_is_no_id_is_none() -> None:
    for text in ("", "1.2", "a.b.c", "0.9.0", "0.1.-1", "1.1.1.1", "99999999.0.0", "0.1.१"):
        assert EventId.parse(text) is None, text
