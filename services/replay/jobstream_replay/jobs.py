"""Setting up a copy or a redrive: check the topics and compute the plan (metadata only).

Everything here reads offsets and topic metadata, never a record, so bad arguments (an
unknown topic, a partition the topic lacks) fail before anything is read.
"""

from __future__ import annotations

from datetime import datetime

from jobstream.settings import KafkaSettings
from jobstream.topology import DEAD_LETTERS, PARSED_POSTINGS, RAW_POSTINGS, TAGGED_POSTINGS
from jobstream_replay.checkpoint import ReplayRequest, ReplayState, start_state
from jobstream_replay.offsets import KafkaOffsets
from jobstream_replay.plan import plan_selection
from jobstream_replay.selection import Mode, Selection
from jobstream_replay.settings import ReplaySettings


def redrive_targets(settings: KafkaSettings, target: str | None = None) -> frozenset[str]:
    """The topics a redrive may write to: the stages' input topics of this namespace (and the
    `--to` topic given)."""
    topics = {settings.topic(spec) for spec in (RAW_POSTINGS, PARSED_POSTINGS, TAGGED_POSTINGS)}
    return frozenset(topics | ({target} if target else set()))


def dead_letter_topic(settings: KafkaSettings) -> str:
    return settings.topic(DEAD_LETTERS)


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


async def prepare(
    settings: ReplaySettings,
    *,
    mode: Mode,
    replay_id: str,
    source: str,
    target: str | None,
    selection: Selection,
    now: datetime,
) -> tuple[ReplayRequest, ReplayState]:
    """The request and the first state of a new replay (nothing read, nothing written).

    Raises `UnknownTopic` or `PlanError` for arguments that do not fit the topics.
    """
    async with KafkaOffsets(settings.kafka) as offsets:
        partitions = await offsets.partitions(source)
        marks: dict[str, dict[int, int]] = {}
        if target is not None:
            # Where the target ends before the first send: a resume looks for this replay's
            # records from here on.
            _, marks[target] = await offsets.bounds(target, await offsets.partitions(target))
        beginnings, ends = await offsets.bounds(source, partitions)
        since = (
            await offsets.at_time(source, partitions, _ms(selection.since))
            if selection.since
            else None
        )
        until = (
            await offsets.at_time(source, partitions, _ms(selection.until))
            if selection.until
            else None
        )
    plan = plan_selection(source, beginnings, ends, selection, since, until)
    request = ReplayRequest(
        replay_id=replay_id,
        mode=mode,
        source=source,
        target=target,
        selection=selection,
        created_at=now,
    )
    # A redrive's targets are marked as it meets them (runner.Replayer._marked).
    return request, start_state(request, plan, now, marks if mode == "copy" else None)
