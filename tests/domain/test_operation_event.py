from imagestudio.domain.operation import OperationStatus
from imagestudio.domain.operation_event import FINAL_EVENT, OperationEventKind, event_of


def test_every_final_status_is_the_final_event_and_nothing_else_is() -> None:
    for status in OperationStatus:
        kind = event_of(status)
        assert (kind is not None and kind.is_final) == status.is_final, status


def test_only_requested_is_no_event_yet() -> None:
    assert [s for s in OperationStatus if event_of(s) is None] == [OperationStatus.REQUESTED]


def test_wire_names_are_namespaced_and_distinct() -> None:
    names = [kind.type_name for kind in OperationEventKind]
    assert all(name.startswith("operation.") for name in names)
    assert len(set(names)) == len(names)
    assert FINAL_EVENT.type_name == "operation.settled"
