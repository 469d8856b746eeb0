"""The change feed for clients: what a batch of changes means for a board, and re-reading
the changed cases as the board shows them (masked per actor, with their current marks)."""

from __future__ import annotations

from collections.abc import Callable

from surgdesk.domain.enums import NoteType, TeamRole
from surgdesk.repository.database import Database, make_engine
from surgdesk.services.changes import ChangeImpact, ChangeService
from tests.services.factories import Kit, add_room, at, kit, team_case

__all__ = ["kit"]


def _impact_of(kit: Kit, write: Callable[[], object]) -> tuple[ChangeService, ChangeImpact]:
    """What ``write`` (another PC's commit) means, read the way a client reads it."""
    feed = ChangeService(kit.db)
    position = feed.start()
    write()
    batch = feed.read(position)
    return feed, feed.impact(batch.changes)


def test_a_case_change_names_the_case_and_its_new_version(kit: Kit) -> None:
    created = kit.new_case().case
    _, impact = _impact_of(kit, lambda: kit.cases.move(
        kit["sched"], created.case_number, room="OR1", start=at(10)))
    assert impact.case_versions == {created.id: created.version + 1}
    assert not impact.reload


def test_checklist_and_team_changes_name_their_case(kit: Kit) -> None:
    created = kit.new_case().case

    def write() -> None:
        kit.checklists.tick(kit["admin"], created.case_number, "RD-CONSENT")
        kit.cases.assign_team_member(kit["sched"], created.case_number, "nurse1",
                                     TeamRole.SCRUB_NURSE)

    _, impact = _impact_of(kit, write)
    assert impact.child_case_ids == {created.id}
    assert not impact.reload


def test_rooms_and_a_removed_team_member_ask_for_a_reload(kit: Kit) -> None:
    _, impact = _impact_of(kit, lambda: add_room(kit.db, "OR9"))
    assert impact.reload
    number = team_case(kit)
    _, impact = _impact_of(kit, lambda: kit.cases.remove_team_member(
        kit["sched"], number, "nurse1"))
    assert impact.reload  # whose team the deleted row was is no longer known


def test_nothing_the_board_shows_is_an_empty_impact(kit: Kit) -> None:
    number = kit.new_case().case.case_number
    _, impact = _impact_of(kit, lambda: kit.cases.add_note(
        kit["sched"], number, NoteType.GENERAL, "bring the left knee films"))
    assert impact.empty


def test_summaries_by_ids_are_masked_per_actor_and_marked_against_overlapping_cases(
        kit: Kit) -> None:
    first = kit.new_case(room="OR1", start=at(8)).case
    # The same surgeon in another room at the same time: a soft conflict on both.
    kit.new_case(room="OR2", start=at(8, 30), procedure_name="Hip replacement",
                 specialty="orthopedics")
    [seen] = kit.cases.summaries_by_ids(kit["sched"], [first.id])
    assert seen.patient_name == "Erika Mustermann"
    assert "surgeon_double_booked" in seen.conflicts
    [masked] = kit.cases.summaries_by_ids(kit["viewer"], [first.id, 999_999])
    assert masked.patient_masked
    assert masked.patient_name is None
    assert masked.patient_id is None
    assert masked.conflicts == seen.conflicts


def test_reset_connections_drops_the_pooled_ones_and_the_feed_reads_on(db_url: str) -> None:
    pooled = Database(make_engine(db_url))
    try:
        feed = ChangeService(pooled)
        position = feed.start()
        assert pooled.engine.pool.checkedin() == 1  # kept for the next call

        feed.reset_connections()

        assert pooled.engine.pool.checkedin() == 0
        add_room(pooled, "OR9")
        assert [c.table_name for c in feed.read(position).changes] == ["operating_room"]
    finally:
        pooled.dispose()
