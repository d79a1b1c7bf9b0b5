"""Near-duplicate precision and recall on real postings (issue #16, item 5).

    python -m bench.near_duplicates --la-dir ../shared/data/la-bulletins --mirror /work/.mirror

Two corpora of real postings, with a truth that does not come from the texts' similarity:

- **City of Los Angeles bulletins** (local reference data, never copied into the project): a
  bulletin's file name holds its class code ("ACCOUNTANT 1513 062218.txt"). Two bulletins with
  the same class code are the same job (a re-post with a new date, a revision "REV 041416", a
  copy "(2)"); two with different codes are different jobs of one employer that share most
  of their boilerplate (the hard negatives of the issue: "Airport Police Officer" and "Port
  Police Officer").
- **TTS job pages** (18F/join.tts.gsa.gov, CC0, a local Git mirror): every version of a
  `positions/*.md` file in the repository's history is the same posting edited (dates,
  deadlines, pay tables); different files are different postings of one employer with the
  same page template.

Every posting is parsed by the real parser (its signature and title), and every pair of a
corpus is judged as the store judges a new posting against a stored one: the two share an LSH
band key, their estimated similarity is `THRESHOLD` or more, and their titles may name one job
(clusters.py). The exact Jaccard similarity of the two shingle sets is computed too, to tell
the signature's sampling error from what "near-identical text" leaves out.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from jobstream.contracts import ParsedPosting, RawPosting, Source
from jobstream_parser.parse import NotAPosting, parse
from jobstream_store.clusters import THRESHOLD, band_keys, same_job_title, similarity

_CLASS_CODE = re.compile(r" (\d{4}) ")
_TTS_REPO = "18F+join.tts.gsa.gov/repo"
_FRONT_TITLE = re.compile(r"^title: (.+)$", re.MULTILINE)
SHINGLE_BYTES = 24


@dataclass(frozen=True)
class Posting:
    name: str  # where it came from
    job: str  # the truth: postings of one job share it
    parsed: ParsedPosting


def la_bulletins(folder: Path) -> Iterator[tuple[str, str, str]]:
    for path in sorted(folder.glob("*.txt")):
        code = _CLASS_CODE.search(path.name)
        if code is None:
            continue
        text = path.read_bytes().decode("utf-8", "replace")
        yield path.name, code.group(1), text


def tts_versions(mirror: Path) -> Iterator[tuple[str, str, str]]:
    """Every distinct version of each position page in the repository's history."""
    repo = mirror / _TTS_REPO
    git = ["git", "--git-dir", str(repo)]
    names = subprocess.run(
        [*git, "ls-tree", "-r", "--name-only", "HEAD", "positions/"],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    for name in names:
        if Path(name).name.startswith("_"):  # the page template, no posting
            continue
        commits = subprocess.run(
            [*git, "log", "--format=%H", "--", name], capture_output=True, text=True, check=True
        ).stdout.split()
        seen: set[str] = set()
        for commit in reversed(commits):
            shown = subprocess.run(
                [*git, "show", f"{commit}:{name}"], capture_output=True, text=True, check=False
            )
            page = _page(shown.stdout)
            if shown.returncode != 0 or page in seen:
                continue
            seen.add(page)
            yield f"{name}@{commit[:8]}", name, page


def _page(markdown: str) -> str:
    """What the page shows, near enough: the editors' instructions (YAML comments in the front
    matter, "# ..." lines) are left out; the front matter's values and the body stay."""
    lines = markdown.splitlines()
    if lines and lines[0].strip() == "---":
        end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() == "---"), 0)
        front = [line for line in lines[1:end] if not line.lstrip().startswith("#")]
        lines = front + lines[end + 1 :]
    return "\n".join(lines)


def shingles(text: str) -> set[bytes]:
    """The parser's shingles (similarity.py): the 24 bytes from each word's start."""
    data = b" " + text.lower().encode("utf-8", "surrogatepass") + b" " * SHINGLE_BYTES
    core = len(data) - SHINGLE_BYTES
    return {data[i + 1 : i + 1 + SHINGLE_BYTES] for i in range(core) if data[i] <= 32}


def jaccard(first: set[bytes], second: set[bytes]) -> float:
    return len(first & second) / len(first | second) if first or second else 0.0


def parsed(items: Iterator[tuple[str, str, str]]) -> list[Posting]:
    postings = []
    for name, job, text in items:
        try:
            posting = parse(RawPosting.from_text(text, Source(channel="cli")))
        except NotAPosting:
            continue
        postings.append(Posting(name, job, posting))
    return postings


def _merged_by_title(postings: list[Posting]) -> list[Posting]:
    """A second truth for the TTS pages: a page posted again under a new file name with the
    same title ("CoE-Data-Analytics-Mod-Lead-23.md" after "...-Modernization-Lead.md") is a
    re-post of that job, so pages sharing a file or a title are one job (connected)."""
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.setdefault(key, key) != key:
            key = parent[key]
        return key

    for posting in postings:
        title = _FRONT_TITLE.search(posting.parsed.text)
        if title is not None:
            parent[root(posting.job)] = root("title:" + title.group(1).strip(" '\"").casefold())
    return [Posting(p.name, root(p.job), p.parsed) for p in postings]


def judge(postings: list[Posting]) -> dict[str, object]:
    keys = [set(band_keys(p.parsed.signature)) for p in postings]
    sets = [shingles(p.parsed.text) for p in postings]
    counts = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    exact = {"tp": 0, "fp": 0, "fn": 0}  # the same rule on the exact Jaccard similarity
    misses: list[dict[str, object]] = []
    missed_because = {"titles": 0, "similarity": 0, "lsh": 0}
    wrong: list[dict[str, object]] = []
    for i, j in itertools.combinations(range(len(postings)), 2):
        a, b = postings[i], postings[j]
        same = a.job == b.job
        if a.parsed.signature is None or b.parsed.signature is None:
            joined = False
            estimate = 0.0
        else:
            estimate = similarity(a.parsed.signature.values, b.parsed.signature.values)
            joined = (
                bool(keys[i] & keys[j])
                and estimate >= THRESHOLD
                and same_job_title(a.parsed.title, b.parsed.title)
            )
        titles = same_job_title(a.parsed.title, b.parsed.title)
        if same or joined or estimate >= THRESHOLD - 0.2:
            true_jaccard = jaccard(sets[i], sets[j])
        else:
            true_jaccard = 0.0  # far apart: not needed for the counts below
        exact_joined = true_jaccard >= THRESHOLD and titles
        counts[("t" if joined == same else "f") + ("p" if joined else "n")] += 1
        if exact_joined and same:
            exact["tp"] += 1
        elif exact_joined:
            exact["fp"] += 1
        elif same:
            exact["fn"] += 1
        detail = {
            "a": a.name, "b": b.name, "estimate": round(estimate, 3),
            "jaccard": round(true_jaccard, 3), "titles_agree": titles,
            "titles": [a.parsed.title, b.parsed.title],
        }  # fmt: skip
        if same and not joined:
            misses.append(detail)
            why = "titles" if not titles else "similarity" if estimate < THRESHOLD else "lsh"
            missed_because[why] += 1
        elif joined and not same:
            wrong.append(detail)
    return {
        "postings": len(postings),
        "jobs": len({p.job for p in postings}),
        "positive_pairs": counts["tp"] + counts["fn"],
        "negative_pairs": counts["fp"] + counts["tn"],
        "store_rule": {**counts, **_scores(counts)},
        "exact_jaccard_rule": {**exact, **_scores(exact)},
        "missed_because": missed_because,
        "missed": sorted(misses, key=lambda d: -float(d["jaccard"]))[:40],  # type: ignore[arg-type]
        "wrongly_joined": wrong[:40],
    }


def _scores(counts: dict[str, int]) -> dict[str, float | None]:
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    return {
        "precision": round(tp / (tp + fp), 4) if tp + fp else None,
        "recall": round(tp / (tp + fn), 4) if tp + fn else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--la-dir", type=Path, help="the LA bulletins folder")
    parser.add_argument("--mirror", type=Path, help="local Git mirrors (owner+name/repo)")
    parser.add_argument("--out", type=Path, default=Path("bench/results/near_duplicates.json"))
    args = parser.parse_args(argv)
    results: dict[str, object] = {}
    started = time.process_time()
    if args.la_dir:
        results["la_bulletins"] = judge(parsed(la_bulletins(args.la_dir)))
    if args.mirror:
        tts = parsed(tts_versions(args.mirror))
        results["tts_positions"] = judge(tts)
        results["tts_positions_by_title"] = judge(_merged_by_title(tts))
    results["cpu_seconds"] = round(time.process_time() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    for corpus, result in results.items():
        if isinstance(result, dict):
            summary = {k: v for k, v in result.items() if k not in ("missed", "wrongly_joined")}
            print(corpus, json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
