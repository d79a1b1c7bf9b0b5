"""A deterministic corpus of realistic postings for benchmarks (same seed, same postings).

Postings are assembled from the shapes of the seeds: a title line, a company line, a summary,
responsibilities, requirements and nice-to-haves drawn from pools, so sizes vary around a
median of about 4 KB and the text reads like real postings (skills, salaries, work modes).

`use(path)` switches every benchmark to real postings instead (`python -m bench.run --corpus`):
a folder, or one file, in any format ingest reads (JSON Lines, .txt, .html, .pdf, ...).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from itertools import count as numbers
from pathlib import Path

from jobstream.contracts import RawPosting
from jobstream_ingest.adapters.files import expand
from jobstream_ingest.intake import Limits, read_postings

# Real postings to draw from instead of generated ones; None: generate.
_real: list[str] | None = None


def read_corpus(path: Path) -> list[str]:
    """The texts of the postings in a file or a folder (recursively), read as ingest reads
    them; what ingest would reject is left out."""
    limits = Limits(max_file_bytes=1 << 30, max_postings=10_000_000)
    texts = []
    # The files the CLI would read for this path (folders walked, links out of them refused).
    for file in expand([str(path)]):
        if not isinstance(file, Path):
            continue
        for outcome in read_postings(file.name, file.read_bytes(), "cli", limits):
            if isinstance(outcome, RawPosting):
                texts.append(outcome.text)
    return texts


def use(path: Path) -> int:
    """Draw every benchmark's postings from the real corpus at `path`; how many it holds."""
    global _real
    texts = read_corpus(path)
    if not texts:
        raise ValueError(f"no postings found in {path}")
    _real = texts
    return len(texts)


TITLES = [
    "Senior Backend Engineer", "Staff Software Engineer", "Data Engineer", "Platform Engineer",
    "Site Reliability Engineer", "Junior Frontend Developer", "Machine Learning Engineer",
    "Engineering Manager, Payments", "Principal Architect", "DevOps Engineer (Contract)",
]  # fmt: skip
COMPANIES = ["Acme Robotics", "Northwind", "Globex", "Initech", "Umbrella Health", "Hooli"]
PLACES = ["Berlin, Germany", "Austin, TX", "Remote (US)", "London, UK", "Toronto, ON", "Lisbon"]
MODES = ["Remote", "Hybrid (3 days in office)", "On-site", "Work from home"]
PAY = [
    "$120,000 - $160,000 per year",
    "\u20ac60k\u201380k",
    "£45,000 per annum",
    "$55 - $70 per hour",
]
DUTIES = [
    "Design, build and operate services in {a} and {b} that handle millions of requests a day.",
    "Own the reliability of our {a} clusters and lead incident reviews.",
    "Build data pipelines with {a}, {b} and {c}, and keep them observable.",
    "Review code, mentor engineers and drive technical decisions across teams.",
    "Improve CI/CD with {a} and {b} so we ship safely many times a day.",
    "Work with product managers to break down projects into milestones.",
    "Write clean, well-tested code with unit and integration tests.",
]
SKILLS = [
    "Python", "Java", "Kotlin", "Go", "TypeScript", "Kafka", "PostgreSQL", "Kubernetes",
    "Docker", "AWS", "GCP", "Terraform", "Prometheus", "Grafana", "React", "Spark",
    "Elasticsearch", "Redis", "GraphQL", "REST APIs", "Airflow", "Snowflake", "Datadog",
]  # fmt: skip
PARAGRAPH = (
    "{company} is building the platform that {verb} for thousands of customers. We are a "
    "team of {n} engineers across {places} who care about simple designs, strong ownership "
    "and kind, direct feedback. "
)


HOW_WE_WORK = (
    "How we work: small teams own their services end to end, from design documents to "
    "on-call. We write things down, review each other's work with care, and prefer boring "
    "technology that we understand deeply. Most of the week is spent building; meetings are "
    "few and have agendas. We invest in tooling, fast builds and good tests so that every "
    "engineer can ship to production on their first week. "
)
EQUAL_OPPORTUNITY = (
    "{company} is an equal opportunity employer. We do not discriminate on the basis of race, "
    "religion, color, national origin, gender, sexual orientation, age, marital status, "
    "veteran status, or disability status. If you need an accommodation during the hiring "
    "process, tell us and we will make it happen. To learn how we process your personal "
    "information, read our applicant privacy notice. "
)


def postings(count: int, seed: int = 7) -> Iterator[str]:
    if _real is not None:
        yield from _repeated(_real, count, seed)
        return
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    for number in range(count):
        yield _posting(rng, number)


def _repeated(texts: list[str], count: int, seed: int) -> Iterator[str]:
    """`count` postings from a real corpus, shuffled by `seed`; when it holds fewer, later
    rounds carry a reference line, so that every posting is distinct (ids hash the text)."""
    order = list(texts)
    random.Random(seed).shuffle(order)  # noqa: S311 - reproducible order, not secrets
    produced = 0
    for round_ in numbers():
        for text in order:
            if produced == count:
                return
            yield text if round_ == 0 else f"{text}\n(bench copy {round_})\n"
            produced += 1


def _posting(rng: random.Random, number: int) -> str:
    company = rng.choice(COMPANIES)
    skills = rng.sample(SKILLS, 8)
    lines = [
        f"{rng.choice(TITLES)} #{number}",
        company,
        f"{rng.choice(PLACES)} · {rng.choice(MODES)} · Full-time",
        "About the role",
    ]
    about = PARAGRAPH.format(
        company=company,
        verb=rng.choice(["moves money", "ships parcels", "schedules care", "runs jobs"]),
        n=rng.randint(20, 400),
        places=rng.choice(PLACES),
    )
    lines.append(about * rng.randint(3, 8))
    lines.append("Responsibilities")
    for duty in rng.sample(DUTIES, rng.randint(4, 7)):
        lines.append("- " + duty.format(a=skills[0], b=skills[1], c=skills[2]))
    lines.append("Requirements")
    lines.append(f"- {rng.randint(2, 8)}+ years of experience with {skills[3]} and {skills[4]}.")
    lines.append(f"- Strong knowledge of {skills[5]}; experience with {skills[0]} is a must.")
    lines.append("- Excellent communication and collaboration skills.")
    lines.append("Nice to have")
    lines.append(f"- Experience with {skills[6]} or {skills[7]}.")
    lines.append(f"Pay: {rng.choice(PAY)}")
    lines.append("Benefits: health insurance, 30 days of paid leave, learning budget.")
    lines.append(HOW_WE_WORK * rng.randint(2, 4))
    lines.append(EQUAL_OPPORTUNITY.format(company=company) * rng.randint(1, 2))
    return "\n".join(lines) + "\n"
