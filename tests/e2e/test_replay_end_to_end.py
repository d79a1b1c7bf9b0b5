"""Replays through the running pipeline: a backfill after a parser upgrade, a re-tag after a
taxonomy change and after a new span model, and dead letters of the real parser redriven, each
by the `jobstream` command.

A "new parser version" is the same parser code started with JOBSTREAM_PARSER_VERSION_OVERRIDE
(the version it stamps on its output): what the store's ordering rule compares. A "changed
taxonomy" is the packaged taxonomy plus one skill, given by JOBSTREAM_TAGGER_TAXONOMY_PATH; a
"new span model" one trained here, given by JOBSTREAM_TAGGER_MODEL_PATH.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import asyncpg
import pytest

from jobstream.contracts import DeadLetter, RawPosting, Source, decode
from jobstream.kafka.admin import ensure_topics
from jobstream.kafka.publisher import Publisher
from jobstream.settings import KafkaSettings, PostgresSettings
from jobstream.topology import DEAD_LETTERS, RAW_POSTINGS
from jobstream_stack.layout import StackLayout
from jobstream_stack.services import jobstream_command, service_process
from jobstream_tagger.taxonomy import Taxonomy
from tests.e2e.harness import Services, StartServices, eventually
from tests.kafka_records import read_all

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

STAGES = ("parser", "tagger", "store")


@pytest.fixture
def stages(start_services: StartServices, tmp_path: Path) -> Iterator[Services]:
    """Parser, tagger and store as processes; raw postings are published by the test."""
    env = {
        "JOBSTREAM_PARSER_VERSION_OVERRIDE": "1.0.0",
        "JOBSTREAM_REPLAY_CHECKPOINT_DIR": str(tmp_path / "replays"),
    }
    with start_services(STAGES, env) as services:
        yield services


def postings(count: int, extra: str = "") -> list[RawPosting]:
    return [
        RawPosting.from_text(
            f"Backend Engineer {n}\nAcme {n} is hiring.\nRequirements\n- Python and Kafka{extra}\n",
            Source(channel="cli", name=f"generated-{n}.txt"),
        )
        for n in range(count)
    ]


def replay(services: Services, *args: str) -> str:
    result = subprocess.run(
        [jobstream_command(), "replay", *args],
        env={**services.env, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return " ".join(result.stdout.split())


async def restart(services: Services, name: str, **env: str) -> None:
    """Stop a stage cleanly (it leaves its group) and start it with other settings."""
    await asyncio.to_thread(service_process(services.layout, name).stop)
    await services.restart(name, **env)


async def test_backfill_after_a_parser_upgrade_rewrites_every_posting_once(
    stages: Services, kafka_settings: KafkaSettings, pg: asyncpg.Connection
) -> None:
    batch = postings(40)
    async with Publisher(kafka_settings) as publisher:
        await publisher.publish(RAW_POSTINGS, batch)

    async def stored_by(version: str) -> bool:
        sql = "SELECT count(*) FROM postings WHERE parser_version = $1"
        return bool(await pg.fetchval(sql, version) == len(batch))

    await eventually(lambda: stored_by("1.0.0"), "40 postings stored by parser 1.0.0")
    await restart(stages, "parser", JOBSTREAM_PARSER_VERSION_OVERRIDE="2.0.0")

    summary = await asyncio.to_thread(replay, stages, "copy", "raw", "--replay-id", "backfill")

    assert "finished: every planned record read" in summary and "│ sent │ 40 │" in summary
    await eventually(lambda: stored_by("2.0.0"), "every posting rewritten by parser 2.0.0", 120)
    assert await pg.fetchval("SELECT count(*) FROM postings") == 40
    assert {row["posting_id"] for row in await pg.fetch("SELECT posting_id FROM postings")} == {
        p.posting_id for p in batch
    }
    skills = await pg.fetch(
        "SELECT posting_id, array_agg(skill_id ORDER BY skill_id) AS skills "
        "FROM posting_skills GROUP BY posting_id"
    )
    assert len(skills) == 40
    assert {tuple(row["skills"]) for row in skills} == {("kafka", "python")}  # none twice


async def test_retag_after_a_taxonomy_change_updates_the_tags(
    stages: Services, kafka_settings: KafkaSettings, pg: asyncpg.Connection, tmp_path: Path
) -> None:
    batch = postings(30, extra=" and Zorblax")
    async with Publisher(kafka_settings) as publisher:
        await publisher.publish(RAW_POSTINGS, batch)

    async def stored() -> bool:
        return bool(await pg.fetchval("SELECT count(*) FROM postings") == len(batch))

    await eventually(stored, "30 postings stored")
    assert not await pg.fetchval("SELECT count(*) FROM posting_skills WHERE skill_id = 'zorblax'")
    old_version = await pg.fetchval("SELECT DISTINCT taxonomy_version FROM postings")

    packaged = json.loads(
        resources.files("jobstream_tagger").joinpath("taxonomy.json").read_text("utf-8")
    )
    packaged["skills"].append(
        {"id": "zorblax", "name": "Zorblax", "category": "tool", "aliases": []}
    )
    changed = tmp_path / "taxonomy.json"
    changed.write_text(json.dumps(packaged))
    new_version = Taxonomy.from_json(changed.read_bytes()).version
    assert new_version != old_version
    await restart(stages, "tagger", JOBSTREAM_TAGGER_TAXONOMY_PATH=str(changed))

    summary = await asyncio.to_thread(replay, stages, "copy", "parsed", "--rate", "200")
    assert "│ sent │ 30 │" in summary

    async def retagged() -> bool:
        return bool(
            await pg.fetchval(
                "SELECT count(*) FROM postings p JOIN posting_skills s USING (posting_id) "
                "WHERE s.skill_id = 'zorblax' AND p.taxonomy_version = $1",
                new_version,
            )
            == 30
        )

    await eventually(retagged, "every posting tagged with Zorblax by the new taxonomy", 120)
    assert await pg.fetchval("SELECT count(*) FROM postings") == 30
    assert await pg.fetchval("SELECT count(*) FROM posting_skills") == 90  # 3 each, once


def _train_new_model(folder: Path) -> str:
    """A small span model trained here (on sentences where "Zorblax" is knowledge): its files
    in `folder`, its version returned."""
    from jobstream_tagger.spans.model import load_span_model
    from jobstream_tagger.tag import taxonomy_mentions
    from jobstream_tagger.taxonomy import load_taxonomy
    from jobstream_tagger.tools.evaluate import read_sentences
    from jobstream_tagger.tools.span_training import Settings, example, train_model, write_model

    taxonomy = load_taxonomy()
    sentences = [
        (["Backend", "Engineer", "7"], ["O", "O", "O"]),
        (["Acme", "7", "is", "hiring", "."], ["O", "O", "O", "O", "O"]),
        (["Requirements"], ["O"]),
        (["-", "Python", "and", "Kafka", "and", "Zorblax"], ["O", "B", "O", "B", "O", "B"]),
    ]
    lines = [
        json.dumps({"idx": number, "tokens": tokens, "tags_knowledge": tags, "source": "tech"})
        for number in range(10)
        for tokens, tags in sentences
    ]
    examples = [
        example(sentence, lambda text: taxonomy_mentions(text, taxonomy))
        for sentence in read_sentences(lines)
    ]
    _model, files = train_model(examples, Settings(max_iterations=50), {"name": "retrained"})
    folder.mkdir()
    write_model(files, folder)
    return load_span_model(folder).version


async def test_retag_with_a_new_span_model_replaces_the_tags(
    stages: Services, kafka_settings: KafkaSettings, pg: asyncpg.Connection, tmp_path: Path
) -> None:
    batch = postings(20, extra=" and Zorblax")
    async with Publisher(kafka_settings) as publisher:
        await publisher.publish(RAW_POSTINGS, batch)

    async def stored() -> bool:
        return bool(await pg.fetchval("SELECT count(*) FROM postings") == len(batch))

    await eventually(stored, "20 postings stored")
    old_version = await pg.fetchval("SELECT DISTINCT tagger_version FROM postings")
    assert old_version is not None and old_version.startswith("skillspan-crf-")

    new_version = await asyncio.to_thread(_train_new_model, tmp_path / "model")
    assert new_version.startswith("retrained-") and new_version != old_version
    await restart(stages, "tagger", JOBSTREAM_TAGGER_MODEL_PATH=str(tmp_path / "model"))

    summary = await asyncio.to_thread(replay, stages, "copy", "parsed", "--rate", "200")
    assert "│ sent │ 20 │" in summary

    async def retagged() -> bool:
        # Same parser version: the later tagging wins (the store's ordering rule).
        count = await pg.fetchval(
            "SELECT count(*) FROM postings WHERE tagger_version = $1", new_version
        )
        return bool(count == len(batch))

    await eventually(retagged, "every posting tagged again by the new span model", 120)
    assert await pg.fetchval("SELECT count(*) FROM postings") == 20
    rows = await pg.fetch(
        "SELECT posting_id, array_agg(skill_id ORDER BY skill_id) AS skills "
        "FROM posting_skills GROUP BY posting_id"
    )
    # The new model reads "Zorblax" as knowledge no taxonomy names: an unlinked skill.
    assert {tuple(row["skills"]) for row in rows} == {("kafka", "python", "unlinked-zorblax")}


async def test_the_parsers_dead_letters_go_back_to_the_raw_topic(
    kafka_settings: KafkaSettings, database: PostgresSettings, tmp_path: Path
) -> None:
    """Real dead letters, with the headers the parser wrote, redriven by stage and error."""
    await ensure_topics(kafka_settings)
    services = Services(
        StackLayout(tmp_path / "state"),
        kafka_settings,
        database,
        extra_env={"JOBSTREAM_REPLAY_CHECKPOINT_DIR": str(tmp_path / "replays")},
    )
    services.layout.create()
    try:
        await asyncio.to_thread(services.start, ["parser"])
        raw = kafka_settings.topic(RAW_POSTINGS)
        async with Publisher(kafka_settings) as publisher:
            for value in (b"{not json", b'{"schema_version": 1}'):
                await (await publisher.producer.send(raw, value, key=b"bad"))

        async def letters(count: int) -> list[DeadLetter] | None:
            records = await read_all(kafka_settings, kafka_settings.topic(DEAD_LETTERS))
            found = [decode(DeadLetter, record.value) for record in records]
            return found if len(found) >= count else None

        first = await eventually(lambda: letters(2), "two dead letters from the parser")
        assert {letter.stage for letter in first} == {"parser"}

        summary = await asyncio.to_thread(
            replay, services, "dead-letters", "--stage", "parser", "--error", "invalid json"
        )
        assert "│ sent │ 1 │" in summary and "│ error_text │ 1 │" in summary

        # the parser refuses the redriven record again: a third dead letter, from the copy
        again = await eventually(lambda: letters(3), "the redriven record dead-lettered again")
        redriven = [letter for letter in again if letter not in first]
        assert [letter.payload for letter in redriven] == ["{not json"]
        assert redriven[0].source_topic == raw
        assert (redriven[0].source_partition, redriven[0].source_offset) != (
            first[0].source_partition,
            first[0].source_offset,
        )
    finally:
        services.stop()
        print(services.log_tails())
