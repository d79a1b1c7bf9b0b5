"""`jobstream replay` against the real broker: what copy and redrive send, resumes that send
nothing twice, dry runs that change nothing, group resets refused under live members.

Each test has its own namespace; source and target topics are made here with 3 partitions,
and records are produced with explicit partitions and timestamps.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from typer.testing import CliRunner

from jobstream.cli import CommandGroups, app, evaluate, serve
from jobstream.contracts import DeadLetter, utc_now
from jobstream.kafka.admin import ensure_topics
from jobstream.kafka.config import client_options
from jobstream.kafka.publisher import Publisher
from jobstream.settings import KafkaSettings
from jobstream.stages import StageName
from jobstream.topology import DEAD_LETTERS, PARSED_POSTINGS, RAW_POSTINGS
from jobstream_replay import cli as replay_cli
from jobstream_replay.arguments import build_selection
from jobstream_replay.checkpoint import CheckpointStore, ReplayState
from jobstream_replay.jobs import prepare, redrive_targets
from jobstream_replay.offsets import KafkaOffsets
from jobstream_replay.runner import Replayer
from jobstream_replay.selection import Mode, Selection
from jobstream_replay.settings import ReplaySettings
from jobstream_stack.services import jobstream_command

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(120)]

PARTITIONS = 3
T0 = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
T0_MS = int(T0.timestamp() * 1000)


@dataclass
class Topics:
    kafka: KafkaSettings
    source: str
    target: str


@pytest.fixture
async def topics(kafka_settings: KafkaSettings) -> AsyncIterator[Topics]:
    names = [f"{kafka_settings.namespace}.replay-source", f"{kafka_settings.namespace}.target"]
    admin = AIOKafkaAdminClient(**client_options(kafka_settings))
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, PARTITIONS, 1) for name in names])
        yield Topics(kafka_settings, *names)
    finally:
        await admin.delete_topics(names)
        await admin.close()


async def produce(
    settings: KafkaSettings,
    topic: str,
    records: Sequence[tuple[int, bytes | None, bytes, int, list[tuple[str, bytes]]]],
) -> None:
    """(partition, key, value, timestamp ms, headers) each."""
    producer = AIOKafkaProducer(**client_options(settings), acks="all")
    await producer.start()
    try:
        sent = [
            await producer.send(
                topic, value, key=key, partition=p, timestamp_ms=ts, headers=headers
            )
            for p, key, value, ts, headers in records
        ]
        await asyncio.gather(*sent)
    finally:
        await producer.stop()


async def read(settings: KafkaSettings, topic: str) -> list[ConsumerRecord]:
    async with KafkaOffsets(settings) as offsets:
        partitions = [TopicPartition(topic, p) for p in await offsets.partitions(topic)]
    consumer = AIOKafkaConsumer(**client_options(settings), enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        end = await consumer.end_offsets(partitions)
        records: list[ConsumerRecord] = []
        while [tp for tp in partitions if await consumer.position(tp) < end[tp]]:
            for items in (await consumer.getmany(timeout_ms=1000)).values():
                records.extend(items)
        return records
    finally:
        await consumer.stop()


def origins(records: Sequence[ConsumerRecord]) -> Counter[tuple[int, int]]:
    """How often each source (partition, offset) arrived in a target."""
    found: Counter[tuple[int, int]] = Counter()
    for record in records:
        headers = dict(record.headers)
        found[
            (
                int(headers["jobstream-replay-source-partition"]),
                int(headers["jobstream-replay-source-offset"]),
            )
        ] += 1
    return found


def settings_for(kafka: KafkaSettings, tmp_path: Path, batch_size: int = 500) -> ReplaySettings:
    return ReplaySettings(
        kafka=kafka, checkpoint_dir=tmp_path / "checkpoints", batch_size=batch_size
    )


async def replay(
    settings: ReplaySettings,
    selection: Selection,
    source: str,
    target: str | None,
    mode: Mode = "copy",
    replay_id: str = "r1",
    store: CheckpointStore | None = None,
) -> ReplayState:
    request, state = await prepare(
        settings, mode=mode, replay_id=replay_id, source=source, target=target,
        selection=selection, now=utc_now(),
    )  # fmt: skip
    store = store or CheckpointStore(settings.checkpoints)
    store.create(request, state)
    runner = Replayer(settings, request, state, store, redrive_targets(settings.kafka, target))
    return await runner.run()


def sample(count: int = 30) -> list[tuple[int, bytes | None, bytes, int, list[tuple[str, bytes]]]]:
    """Record i: partition i % 3, key k{i % 5}, stamped T0 + i minutes, header n=i % 2."""
    return [
        (
            i % PARTITIONS,
            f"k{i % 5}".encode(),
            json.dumps({"i": i}).encode(),
            T0_MS + i * 60_000,
            [("n", str(i % 2).encode()), ("trace", f"t{i}".encode())],
        )
        for i in range(count)
    ]


def numbers(records: Sequence[ConsumerRecord]) -> list[int]:
    return sorted(json.loads(record.value)["i"] for record in records)


async def test_a_copy_keeps_keys_headers_and_values_and_joins_no_group(
    topics: Topics, tmp_path: Path
) -> None:
    await produce(topics.kafka, topics.source, sample(12))
    settings = settings_for(topics.kafka, tmp_path)

    state = await replay(settings, build_selection(now=utc_now()), topics.source, topics.target)

    assert (state.status, state.sent, state.read) == ("finished", 12, 12)
    copied = await read(topics.kafka, topics.target)
    originals = {(r.partition, r.offset): r for r in await read(topics.kafka, topics.source)}
    assert sorted(origins(copied)) == sorted(originals)
    for record in copied:
        headers = dict(record.headers)
        source = originals[
            (
                int(headers["jobstream-replay-source-partition"]),
                int(headers["jobstream-replay-source-offset"]),
            )
        ]
        assert (record.key, record.value) == (source.key, source.value)
        assert headers["trace"] == dict(source.headers)["trace"]
        assert headers["jobstream-replay-id"] == b"r1"
        assert headers["jobstream-replay-source-topic"] == topics.source.encode()
    admin = AIOKafkaAdminClient(**client_options(topics.kafka))
    await admin.start()
    try:
        groups = [group for group, *_ in await admin.list_consumer_groups()]
    finally:
        await admin.close()
    assert not [group for group in groups if topics.kafka.namespace in group]


async def test_time_ranges_match_producer_set_timestamps(topics: Topics, tmp_path: Path) -> None:
    await produce(topics.kafka, topics.source, sample(30))
    selection = build_selection(
        now=utc_now(),
        since=(T0 + timedelta(minutes=10)).isoformat(),
        until=(T0 + timedelta(minutes=20)).isoformat(),
    )
    settings = settings_for(topics.kafka, tmp_path)

    state = await replay(settings, selection, topics.source, topics.target)

    assert numbers(await read(topics.kafka, topics.target)) == list(range(10, 20))
    # Kafka's time index bounds the ranges: only those ten records are read at all
    assert (state.planned, state.sent, state.skipped) == (10, 10, {})


async def test_offset_ranges_per_partition(topics: Topics, tmp_path: Path) -> None:
    await produce(topics.kafka, topics.source, sample(30))  # 10 per partition
    selection = build_selection(
        now=utc_now(), partitions=[1, 2], from_offsets=["2", "2:8"], until_offsets=["1:5"]
    )
    settings = settings_for(topics.kafka, tmp_path)

    state = await replay(settings, selection, topics.source, topics.target)

    # partition 1 offsets 2-4 are records 7, 10, 13; partition 2 offsets 8-9 are 26, 29
    assert numbers(await read(topics.kafka, topics.target)) == [7, 10, 13, 26, 29]
    assert state.sent == 5


async def test_keys_headers_and_a_limit(topics: Topics, tmp_path: Path) -> None:
    await produce(topics.kafka, topics.source, sample(30))
    settings = settings_for(topics.kafka, tmp_path)

    state = await replay(
        settings,
        build_selection(now=utc_now(), keys=["k1", "k3"], headers=["n=1"]),
        topics.source,
        topics.target,
    )

    # key k1 or k3: i % 5 in (1, 3); header n=1: i odd
    assert numbers(await read(topics.kafka, topics.target)) == [1, 3, 11, 13, 21, 23]
    assert state.skipped == {"key": 18, "header": 6}

    limited = await replay(
        settings,
        build_selection(now=utc_now(), partitions=[0], limit=4),
        topics.source,
        topics.target,
        replay_id="r2",
    )
    assert (limited.sent, limited.read, limited.stop_reason) == (4, 4, "--limit 4 reached")
    again = [r for r in await read(topics.kafka, topics.target) if dict(r.headers)[
        "jobstream-replay-id"] == b"r2"]  # fmt: skip
    assert numbers(again) == [0, 3, 6, 9]


async def test_a_copy_into_its_own_topic_reads_only_what_was_there(
    topics: Topics, tmp_path: Path
) -> None:
    await produce(topics.kafka, topics.source, sample(9))
    settings = settings_for(topics.kafka, tmp_path, batch_size=2)

    state = await replay(settings, build_selection(now=utc_now()), topics.source, topics.source)

    assert state.sent == 9
    assert len(await read(topics.kafka, topics.source)) == 18


def letter(stage: StageName, source_topic: str, n: int, error: str) -> DeadLetter:
    return DeadLetter(
        stage=stage,
        reason="processing_error",
        error=error,
        failed_at=utc_now(),
        posting_id=f"{n:032x}",
        source_topic=source_topic,
        source_partition=0,
        source_offset=n,
        key=f"{n:032x}",
        payload=json.dumps({"original": n}),
    )


async def test_dead_letters_are_redriven_to_the_topic_they_failed_from(
    kafka_settings: KafkaSettings, tmp_path: Path
) -> None:
    await ensure_topics(kafka_settings)
    raw, parsed = kafka_settings.topic(RAW_POSTINGS), kafka_settings.topic(PARSED_POSTINGS)
    letters = [
        letter("parser", raw, 1, "KeyError: 'title' in the salary reader"),
        letter("parser", raw, 2, "KeyError: 'title' in the salary reader"),
        letter("parser", raw, 3, "not a posting"),
        letter("tagger", parsed, 4, "KeyError: 'title' somewhere else"),
        letter("parser", "someone.elses.topic", 5, "KeyError: 'title'"),
    ]
    async with Publisher(kafka_settings) as publisher:
        await publisher.publish_dead_letters(letters)
    settings = settings_for(kafka_settings, tmp_path)
    dead = kafka_settings.topic(DEAD_LETTERS)

    state = await replay(
        settings,
        build_selection(now=utc_now(), stages=["parser"], error_text="keyerror"),
        dead,
        None,
        mode="dead-letters",
    )

    redriven = await read(kafka_settings, raw)
    assert sorted((r.key, r.value) for r in redriven) == [
        (f"{n:032x}".encode(), json.dumps({"original": n}).encode()) for n in (1, 2)
    ]
    assert await read(kafka_settings, parsed) == []
    assert state.sent_to == {raw: 2}
    assert state.skipped == {"error_text": 1, "stage": 1, "unknown_target": 1}

    # the tagger's letter, to the tagger's input
    tagger = await replay(
        settings,
        build_selection(now=utc_now(), stages=["tagger"]),
        dead,
        None,
        mode="dead-letters",
        replay_id="r2",
    )
    assert tagger.sent_to == {parsed: 1}
    assert [r.key for r in await read(kafka_settings, parsed)] == [f"{4:032x}".encode()]


class RecordingStore(CheckpointStore):
    """Keeps every state it writes, to play a crash back from any of them."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self.saved: list[ReplayState] = []

    def save(self, state: ReplayState) -> None:
        self.saved.append(state)
        super().save(state)


async def test_a_resume_after_acked_but_uncheckpointed_batches_sends_none_twice(
    topics: Topics, tmp_path: Path
) -> None:
    """A crash after Kafka acknowledged batches but before the checkpoint said so: put an
    early checkpoint back, resume, and every record is in the target exactly once."""
    await produce(topics.kafka, topics.source, sample(60))
    settings = settings_for(topics.kafka, tmp_path, batch_size=7)
    store = RecordingStore(settings.checkpoints)
    await replay(
        settings, build_selection(now=utc_now(), headers=["n=0"]), topics.source,
        topics.target, store=store,
    )  # fmt: skip
    early = next(state for state in store.saved if 0 < state.sent < 20)
    store.save(early)  # the file now says what it said back then

    request, state = store.load("r1")
    resumed = Replayer(settings, request, state, store)
    found = await resumed.recover()
    final = await resumed.run()

    copied = origins(await read(topics.kafka, topics.target))
    assert max(copied.values()) == 1 and len(copied) == 30
    assert found == 30 - early.sent
    assert (final.status, final.sent, final.read) == ("finished", 30, 60)
    assert final.skipped == {"header": 30}  # the other half, skipped once each


def cli(*args: str, env: dict[str, str]) -> tuple[int, str]:
    if not any(group.name == "replay" for group in app.registered_groups):
        replay_cli.register(CommandGroups(root=app, serve=serve, evaluate=evaluate))
    result = CliRunner().invoke(app, ["replay", *args], env=env)
    return result.exit_code, result.stdout + result.stderr


def env_for(settings: KafkaSettings, tmp_path: Path) -> dict[str, str]:
    return {
        "JOBSTREAM_KAFKA_NAMESPACE": settings.namespace,
        "JOBSTREAM_REPLAY_CHECKPOINT_DIR": str(tmp_path / "checkpoints"),
        "COLUMNS": "200",
    }


async def end_offsets(settings: KafkaSettings, topic: str) -> dict[int, int]:
    consumer = AIOKafkaConsumer(**client_options(settings), enable_auto_commit=False)
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for p in range(PARTITIONS)]
        return {tp.partition: n for tp, n in (await consumer.end_offsets(tps)).items()}
    finally:
        await consumer.stop()


async def test_dry_runs_send_write_and_commit_nothing(topics: Topics, tmp_path: Path) -> None:
    await produce(topics.kafka, topics.source, sample(30))
    env = env_for(topics.kafka, tmp_path)
    before = await end_offsets(topics.kafka, topics.target)

    code, output = await asyncio.to_thread(
        cli, "copy", topics.source, "--to", topics.target, "--dry-run", env=env
    )
    assert code == 0, output
    assert "would send 30 records" in output
    code, output = await asyncio.to_thread(
        cli, "copy", topics.source, "--to", topics.target, "-k", "k1", "--dry-run", env=env
    )
    assert code == 0, output
    flat = " ".join(output.split())
    assert "would send │ 6 │" in flat and "key │ 24 │" in flat

    assert await end_offsets(topics.kafka, topics.target) == before
    assert not (tmp_path / "checkpoints").exists()

    # the real run sends what the dry run counted
    code, output = await asyncio.to_thread(
        cli, "copy", topics.source, "--to", topics.target, "-k", "k1", env=env
    )
    assert code == 0, output
    assert len(await read(topics.kafka, topics.target)) == 6


async def test_bad_arguments_are_refused_before_anything_is_read(
    topics: Topics, tmp_path: Path
) -> None:
    env = env_for(topics.kafka, tmp_path)
    cases = [
        (["copy", "no.such.topic"], "there is no topic 'no.such.topic'"),
        (["copy", topics.source, "--to", "no.such.target"], "no topic 'no.such.target'"),
        (["copy", topics.source, "-p", "7"], "has partitions 0-2; there is no partition 7"),
        (["copy", topics.source, "--since", "1h", "--until", "2h"], "is not before --until"),
        (["copy", topics.source, "--from-offset", "3", "--since", "1h"], "not both"),
        (["copy", "--resume", "nothing-here"], "no checkpoint"),
        (["copy", "--resume", "x", "--limit", "3"], "leave out --limit"),
        (["reset", "parser", "--to-earliest", "--shift-by", "1"], "exactly one"),
        (["reset", "parser", "--to-earliest"], "no committed offsets"),
    ]
    for args, message in cases:
        code, output = await asyncio.to_thread(cli, *args, env=env)
        assert (code, message in " ".join(output.split())) == (2, True), (args, output)
    assert not (tmp_path / "checkpoints").exists()


async def test_kill_during_a_replay_then_resume_sends_every_record_once(
    topics: Topics, tmp_path: Path
) -> None:
    await produce(topics.kafka, topics.source, sample(1500))
    env = {**os.environ, **env_for(topics.kafka, tmp_path)}
    command = [jobstream_command(), "replay", "copy", topics.source, "--to", topics.target]
    state_file = tmp_path / "checkpoints" / "k1.state.json"
    process = subprocess.Popen(
        [*command, "--rate", "400", "--replay-id", "k1"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if state_file.exists() and json.loads(state_file.read_text())["sent"] >= 300:
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the replay never got going")
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    interrupted = json.loads(state_file.read_text())
    assert interrupted["status"] == "running" and interrupted["sent"] < 1500

    resumed = await asyncio.to_thread(
        subprocess.run,
        [jobstream_command(), "replay", "copy", "--resume", "k1"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip

    assert resumed.returncode == 0, resumed.stderr
    copied = origins(await read(topics.kafka, topics.target))
    assert len(copied) == 1500 and max(copied.values()) == 1
    final = json.loads(state_file.read_text())
    assert (final["status"], final["sent"]) == ("finished", 1500)


async def test_a_group_reset_is_refused_while_members_are_live_then_applied(
    topics: Topics, tmp_path: Path
) -> None:
    await produce(topics.kafka, topics.source, sample(30))
    group = f"{topics.kafka.namespace}.readers"
    member = AIOKafkaConsumer(
        topics.source, **client_options(topics.kafka), group_id=group,
        auto_offset_reset="earliest", enable_auto_commit=False,
    )  # fmt: skip
    await member.start()
    try:
        read_so_far = 0
        while read_so_far < 30:
            batch = await member.getmany(timeout_ms=1000)
            read_so_far += sum(len(items) for items in batch.values())
        await member.commit()
        env = env_for(topics.kafka, tmp_path)

        code, output = await asyncio.to_thread(
            cli, "reset", group, "--to-earliest", "--execute", env=env
        )
        assert code == 1, output
        assert "has 1 live member(s)" in " ".join(output.split())
        code, output = await asyncio.to_thread(
            cli, "reset", group, "--shift-by", "-3", "--dry-run", env=env
        )
        assert code == 0 and "a real run would be refused now" in " ".join(output.split())
    finally:
        await member.stop()  # leaves the group

    committed = {(t, p): 10 for t, p in [(topics.source, p) for p in range(PARTITIONS)]}
    assert await _committed(topics.kafka, group) == committed
    # Without --execute a reset only shows what it would do, as Kafka's own tool.
    code, output = await asyncio.to_thread(cli, "reset", group, "--shift-by", "-3", env=env)
    assert code == 0 and "add --execute" in " ".join(output.split()), output
    assert await _committed(topics.kafka, group) == committed
    code, output = await asyncio.to_thread(
        cli, "reset", group, "--shift-by", "-3", "--replay-id", "s1", "--execute", env=env
    )
    assert code == 0, output
    assert await _committed(topics.kafka, group) == {tp: 7 for tp in committed}
    # resumed, a shift is not applied twice
    code, output = await asyncio.to_thread(
        cli, "reset", group, "--resume", "s1", "--execute", env=env
    )
    assert code == 0 and "applied already" in output
    assert await _committed(topics.kafka, group) == {tp: 7 for tp in committed}
    # a time, on one partition
    when = (T0 + timedelta(minutes=15)).isoformat()
    code, output = await asyncio.to_thread(
        cli, "reset", group, "--topic", f"{topics.source}:1", "--to-datetime", when,
        "--execute", env=env,
    )  # fmt: skip
    assert code == 0, output
    # partition 1 holds records 1, 4, 7, ... at offsets 0, 1, 2, ...: 16 is at offset 5
    assert await _committed(topics.kafka, group) == {**{tp: 7 for tp in committed},
                                                      (topics.source, 1): 5}  # fmt: skip


async def _committed(settings: KafkaSettings, group: str) -> dict[tuple[str, int], int]:
    from jobstream_replay.groups import committed_offsets

    return await committed_offsets(settings, group)


@pytest.mark.timeout(300)
async def test_sigterm_stops_after_the_batch_in_flight_and_resume_finishes(
    topics: Topics, tmp_path: Path
) -> None:
    await produce(topics.kafka, topics.source, sample(900))
    env = {**os.environ, **env_for(topics.kafka, tmp_path)}
    command = [jobstream_command(), "replay", "copy", topics.source, "--to", topics.target]
    state_file = tmp_path / "checkpoints" / "t1.state.json"
    process = subprocess.Popen(
        [*command, "--rate", "300", "--replay-id", "t1"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    # A cold start of the CLI (imports, Kafka connections) took over 30 s at load 8-12.
    deadline = time.monotonic() + 120
    while not (state_file.exists() and json.loads(state_file.read_text())["sent"]):
        assert time.monotonic() < deadline, "the replay never got going"
        await asyncio.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.to_thread(process.communicate, timeout=30)

    assert process.returncode == 130, stderr
    assert "--resume t1" in stderr
    stopped = json.loads(state_file.read_text())
    assert stopped["status"] == "interrupted" and 0 < stopped["sent"] < 900
    assert len(await read(topics.kafka, topics.target)) == stopped["sent"]  # nothing half-done

    code, output = await asyncio.to_thread(cli, "copy", "--resume", "t1", env=env)
    assert code == 0, output
    copied = origins(await read(topics.kafka, topics.target))
    assert len(copied) == 900 and max(copied.values()) == 1
