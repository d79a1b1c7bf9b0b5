"""The hostile corpus through ingest's pure core and the CLI's edges (no servers): every item
is rejected with words for a person, or read; nothing raises. The same corpus goes through the
running services in tests/e2e/test_hostile_inputs.py."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from rich.console import Console

from jobstream.contracts import RawPosting
from jobstream.ops_http import build_ops_app
from jobstream_ingest import intake
from jobstream_ingest.adapters import files, http_api
from jobstream_ingest.adapters.files import IngestSummary, Refused, expand
from jobstream_ingest.cli import print_summary
from jobstream_ingest.intake import Limits, Outcome, Rejection, read_postings
from jobstream_ingest.publishing import Input, Report
from tests.hostile_corpus import HTML, REJECTED, SQL, STORED, Item, items, write_corpus

pytestmark = pytest.mark.unit

SMALL = [item for item in items() if not item.is_link and not item.is_big]


@pytest.mark.parametrize("item", SMALL, ids=[item.name for item in SMALL])
def test_each_item_is_rejected_with_a_reason_or_read(item: Item) -> None:
    outcomes = read_postings(item.name, item.data, "cli", Limits())
    assert outcomes
    rejections = [o for o in outcomes if isinstance(o, Rejection)]
    for rejection in rejections:
        words = rejection.describe()
        assert 10 < len(words) < 300 and "Traceback" not in words, words
    if item.expect == REJECTED:
        assert len(rejections) == len(outcomes), outcomes
    if item.expect == STORED:
        assert not rejections, rejections
        for posting in outcomes:
            assert isinstance(posting, RawPosting)
            assert "\x00" not in posting.model_dump_json()


def test_sql_and_html_in_fields_are_kept_as_they_are() -> None:
    [item] = [item for item in SMALL if item.name == "sql-html.json"]
    postings = read_postings(item.name, item.data, "cli", Limits())
    assert [
        (p.provided.title, p.provided.company) for p in postings if isinstance(p, RawPosting)
    ] == [
        (SQL, HTML),
        (HTML, SQL),
    ]


def test_links_found_in_a_folder_are_not_followed_out_of_it(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_corpus(folder, tmp_path / "outside")
    (folder / "inner.txt").symlink_to(folder / "utf16.txt")  # stays inside: followed
    found = list(expand([str(folder)]))
    refused = {Path(t.path).name: t.rejection.reason for t in found if isinstance(t, Refused)}
    assert refused == {"links-out.txt": "symlink", "passwd.txt": "symlink"}
    assert folder / "inner.txt" in found
    globbed = [t for t in expand([str(folder / "*.txt")]) if isinstance(t, Refused)]
    assert {t.path.name for t in globbed} == {"links-out.txt", "passwd.txt"}
    # A file named on the command line is the person's choice: it is read, link or not.
    assert list(expand([str(folder / "links-out.txt")])) == [folder / "links-out.txt"]


def test_the_cli_summary_prints_names_with_console_markup_as_text() -> None:
    summary = IngestSummary()
    rejection = Rejection("empty", "the posting has no text [/] [bold]")
    summary.add(Report("[bold red]rich[/] markup [/].txt", rejections=[rejection]))
    out = io.StringIO()
    print_summary(summary, Console(file=out, width=200))
    assert "rejected [bold red]rich[/] markup [/].txt: the posting has no text [/] [bold]" in (
        out.getvalue()
    )


def _failing_reader(*_: object, **__: object) -> list[Outcome]:
    raise KeyError("a reader bug nobody foresaw")


def test_an_unforeseen_reader_failure_rejects_the_file_not_the_cli_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.txt").write_text("Engineer")
    monkeypatch.setattr(intake, "_extract", _failing_reader)
    [item] = [files._read(tmp_path / "a.txt", Limits(), None, "txt")]
    [rejection] = item.outcomes
    assert isinstance(rejection, Rejection) and rejection.reason == "unreadable"
    assert "KeyError" in rejection.message and "foresaw" in rejection.message


async def test_an_unforeseen_reader_failure_is_a_json_rejection_over_http(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(intake, "_extract", _failing_reader)
    api = http_api.PostingsApi(ingestor=_NoKafka(), limits=Limits(), token=None)  # type: ignore[arg-type]
    async with TestClient(TestServer(build_ops_app({}, api.routes()), host="127.0.0.1")) as client:
        answer = await client.post("/postings?name=a.txt", data=b"Engineer")
        assert answer.status == 400
        body = await answer.json()
    assert body["error"] == "unreadable" and "KeyError" in body["message"]


class _NoKafka:
    """An ingestor that publishes nothing: every input here is rejected before Kafka."""

    async def ingest(self, channel: str, inputs: list[Input]) -> list[Report]:
        return [Report(item.name, rejections=list(item.outcomes)) for item in inputs]  # type: ignore[arg-type]


def test_links_inside_a_folder_to_folders_are_skipped_and_dangling_ones_refused(
    tmp_path: Path,
) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("Engineer")
    (tmp_path / "again").symlink_to(tmp_path / "sub")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "nothing.txt")
    found = list(expand([str(tmp_path)]))
    assert tmp_path / "sub" / "a.txt" in found
    refused = [t for t in found if isinstance(t, Refused)]
    assert [(t.path.name, t.rejection.message) for t in refused] == [
        ("gone.txt", "a link that leads nowhere")
    ]
    assert len(found) == 2
