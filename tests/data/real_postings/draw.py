"""How the 310 postings of this set were drawn and split (docs/parser-quality.md), kept so the
draw can be checked: run it with the sources at hand and it prints the split it gets, or
compares it with split.tsv.

    python tests/data/real_postings/draw.py --mirrors /work/.mirror --data ../shared/data --check

`--grow` prints the later draws instead: postings added to the TUNE part after the split
(grown.tsv), round by round, each drawn from what is left of each pool after the draws before
it, with its own seeds.

It needs the local Git mirrors of the sources (folders owner+name/repo) and the shared data
folder (LA bulletins, SkillSpan's training split). Nothing here runs in the test suite.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from jobstream_parser.tools.real_sources import Origin, js_array

HEADS = {
    "gantryops/hn-jobs-data": "de8c3aee06b22528e020a7155b4339af5f99b0ae",
    "18F/join.tts.gsa.gov": "5dfa66db0f4ba784dd39ebbe1b05f81f4a1c41df",
    "evabuehlmann/ICTterm-recognition": "fa25ba56076f9b5fe0aeabd14ac81620417351b0",
    "TaniaGA01/Jobs-list": "d588d3ae89da06d9fab89bf5bcb68348054a3510",
    "amilan/spanish_job_market": "dccba3a356d3e5df3b515bdd7f161eb77bf98b23",
    "tiago-carneiro/encontreseuemprego": "3d3f16fcc3922ace960b254525736606a82ed50c",
}
SIZES = {
    "la-bulletins": 45, "hn-who-is-hiring": 45, "yc-job-board": 20, "skillspan-train": 45,
    "tts-jobs": 30, "swiss-job-ads": 40, "france-travail": 40, "empleate": 25,
    "encontreseuemprego": 20,
}  # fmt: skip
# Drawn but not postings: skipped, the next in the shuffled order taken instead.
NOT_POSTINGS = {"hn-46860668", "hn-46472440"}
TUNE_SHARE = 0.6
# The later draws (grown.tsv): tune-only additions, round by round, from each pool's postings
# outside split.tsv and the rounds before. Round 1's seeds are "jobstream-16-grow-<source>",
# round N's "jobstream-16-grow<N>-<source>".
GROW_ROUNDS = [
    {
        "hn-who-is-hiring": 22, "yc-job-board": 6, "swiss-job-ads": 10, "france-travail": 8,
        "empleate": 12, "encontreseuemprego": 6,
    },
    {
        "hn-who-is-hiring": 14, "yc-job-board": 4, "tts-jobs": 4, "skillspan-train": 5,
        "swiss-job-ads": 8, "france-travail": 6, "empleate": 8, "encontreseuemprego": 3,
        "la-bulletins": 2,
    },
    {
        "hn-who-is-hiring": 14, "yc-job-board": 4, "tts-jobs": 2, "skillspan-train": 6,
        "swiss-job-ads": 8, "france-travail": 5, "empleate": 8, "encontreseuemprego": 3,
    },
]  # fmt: skip
EMPLEATE_FILES = [f"data/partial_datasets/offers_2018-{day}.csv" for day in (
    "10-30", "10-31", "11-01", "11-02", "11-03", "11-04")]  # fmt: skip
SKILLSPAN_URL = (
    "https://github.com/kris927b/SkillSpan/blob/9ed0462630447fa731c47090c45b44a097c00acb/"
    "data/json/train.json"
)

Pool = list[tuple[str, Origin]]
Show = Callable[[str, str, str | None], bytes]


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__)
    options.add_argument("--mirrors", type=Path, required=True)
    options.add_argument("--data", type=Path, required=True)
    options.add_argument("--check", action="store_true", help="compare with split.tsv")
    options.add_argument("--grow", action="store_true", help="the second draw (grown.tsv)")
    args = options.parse_args()
    all_pools = pools(args.mirrors, args.data)
    if args.grow:
        for source, id_ in grow(all_pools, {id_ for _, id_, _ in split(all_pools)}):
            print(f"{source}\t{id_}\ttune")
        return 0
    drawn = split(all_pools)
    if not args.check:
        for source, id_, part in drawn:
            print(f"{source}\t{id_}\t{part}")
        return 0
    recorded = [
        tuple(line.split("\t"))
        for line in (Path(__file__).parent / "split.tsv").read_text().splitlines()[2:]
    ]
    same = recorded == [tuple(row) for row in drawn]
    print("the draw gives split.tsv" if same else "the draw differs from split.tsv")
    return 0 if same else 1


def split(all_pools: dict[str, Pool]) -> list[tuple[str, str, str]]:
    rows = []
    for source, size in SIZES.items():
        ids = sorted(id_ for id_, _ in all_pools[source])
        random.Random(f"jobstream-16-sample-{source}").shuffle(ids)
        chosen = [id_ for id_ in ids if id_ not in NOT_POSTINGS][:size]
        parts = sorted(chosen)
        random.Random(f"jobstream-16-split-{source}").shuffle(parts)
        tune = set(parts[: round(TUNE_SHARE * size)])
        rows += [(source, id_, "tune" if id_ in tune else "check") for id_ in chosen]
    return rows


def grow(all_pools: dict[str, Pool], labelled: set[str]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for number, sizes in enumerate(GROW_ROUNDS, start=1):
        drawn = labelled | {id_ for _, id_ in rows}
        seed = "grow" if number == 1 else f"grow{number}"
        for source, size in sizes.items():
            ids = sorted(id_ for id_, _ in all_pools[source] if id_ not in drawn)
            random.Random(f"jobstream-16-{seed}-{source}").shuffle(ids)
            rows += [(source, id_) for id_ in ids[:size]]
    return rows


def pools(mirrors: Path, data: Path) -> dict[str, Pool]:
    def show(repo: str, path: str, commit: str | None) -> bytes:
        git_dir = mirrors / repo.replace("/", "+") / "repo"
        return subprocess.run(
            ["git", "--git-dir", str(git_dir), "show", f"{commit or HEADS[repo]}:{path}"],
            capture_output=True, check=True,
        ).stdout  # fmt: skip

    def files(repo: str) -> list[str]:
        git_dir = mirrors / repo.replace("/", "+") / "repo"
        listing = subprocess.run(
            ["git", "--git-dir", str(git_dir), "ls-tree", "-r", "--name-only", HEADS[repo]],
            capture_output=True, check=True, text=True,
        ).stdout  # fmt: skip
        return sorted(listing.splitlines())

    def slug(text: str) -> str:
        return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")

    found: dict[str, Pool] = {}
    found["la-bulletins"] = [
        (f"la-{slug(path.stem)}", Origin(path=f"la-bulletins/{path.name}"))
        for path in sorted((data / "la-bulletins").iterdir())
    ]
    repo = "gantryops/hn-jobs-data"
    hn: Pool = []
    yc: Pool = []
    seen: set[int] = set()
    first_lines: set[str] = set()
    for run in (path for path in files(repo) if path.endswith("raw.json")):
        for job in json.loads(show(repo, run, None))["jobs"]:
            if job["id"] in seen:
                continue
            seen.add(job["id"])
            url = f"https://news.ycombinator.com/item?id={job['id']}"
            origin = Origin(repo=repo, commit=HEADS[repo], path=run, key=str(job["id"]), url=url)
            text = job.get("text") or ""
            if job["source"] == "who_is_hiring" and len(text) >= 200:
                hn.append((f"hn-{job['id']}", origin))
            elif job["source"] == "direct" and len(text) >= 500:
                first = text.split("\n")[0]
                if first not in first_lines:
                    first_lines.add(first)
                    yc.append((f"yc-{job['id']}", origin))
    found["hn-who-is-hiring"], found["yc-job-board"] = hn, yc
    skillspan = data / "skillspan-train" / "train.json"
    idxs = sorted({json.loads(line)["idx"] for line in skillspan.read_text().splitlines() if line})
    skillspan_path = "skillspan-train/train.json"
    found["skillspan-train"] = [
        (f"skillspan-{idx}", Origin(path=skillspan_path, key=str(idx), url=SKILLSPAN_URL))
        for idx in idxs
    ]
    repo = "18F/join.tts.gsa.gov"
    found["tts-jobs"] = [
        (f"tts-{slug(path.split('/')[1])}", Origin(
            repo=repo, commit=HEADS[repo], path=path,
            url=f"https://join.tts.gsa.gov/join/{path.split('/')[1]}/"))
        for path in files(repo)
        if path.startswith("archive/") and path.endswith("/index.html") and path.count("/") == 2
    ]  # fmt: skip
    repo, path = "evabuehlmann/ICTterm-recognition", "Data/Sample-3_AllTopics.jsonl"
    ads = [json.loads(line) for line in show(repo, path, None).decode().splitlines() if line]
    found["swiss-job-ads"] = [
        (f"swiss-{ad['id']}", Origin(repo=repo, commit=HEADS[repo], path=path, key=ad["id"]))
        for ad in ads
        if len(ad["text"].strip()) >= 200
    ]
    repo, path = "TaniaGA01/Jobs-list", "src/services/fakers/jobsFakers.ts"
    found["france-travail"] = [
        (f"ft-{offer['id']}", Origin(
            repo=repo, commit=HEADS[repo], path=path, key=offer["id"],
            url=offer.get("origineOffre", {}).get("urlOrigine")))
        for offer in js_array(show(repo, path, None).decode())
    ]  # fmt: skip
    repo = "amilan/spanish_job_market"
    offers: Pool = []
    seen_offers: set[str] = set()
    for path in EMPLEATE_FILES:
        for row in csv.DictReader(io.StringIO(show(repo, path, None).decode())):
            if row["id"] in seen_offers:
                continue
            seen_offers.add(row["id"])
            if len(row["contenido"].strip()) >= 150:
                page = row["url"] if row["url"] not in ("-", "NA") else None
                origin = Origin(repo=repo, commit=HEADS[repo], path=path, key=row["id"], url=page)
                offers.append((f"empleate-{row['id']}", origin))
    found["empleate"] = offers
    found["encontreseuemprego"] = _board_postings(show, mirrors)
    return found


def _board_postings(show: Show, mirrors: Path) -> Pool:
    """Every posting in the board's history, the latest version of each (title, employer)."""
    repo = "tiago-carneiro/encontreseuemprego"
    git_dir = mirrors / repo.replace("/", "+") / "repo"
    commits = subprocess.run(
        ["git", "--git-dir", str(git_dir), "log", "--format=%H", HEADS[repo]],
        capture_output=True, check=True, text=True,
    ).stdout.split()  # fmt: skip
    postings: list[tuple[str, Origin, tuple[str, str]]] = []
    for commit in reversed(commits):
        try:
            data = show(repo, "js/json.js", commit)
        except subprocess.CalledProcessError:
            continue
        if b"$.vagas" not in data:
            continue
        items = js_array(data[data.index(b"$.vagas") :].decode())
        for number, item in enumerate(items):
            key = (item.get("titulo", "").strip().lower(), item.get("empresa", "").strip().lower())
            if len(item.get("descricao", "")) < 150:
                continue
            postings = [posting for posting in postings if posting[2] != key]
            origin = Origin(repo=repo, commit=commit, path="js/json.js", key=str(number))
            postings.append((f"encontre-{commit[:7]}-{number}", origin, key))
    return [(id_, origin) for id_, origin, _ in postings]


if __name__ == "__main__":
    sys.exit(main())
