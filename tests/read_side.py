"""Postings for tests of the read side: varied fields, skills and times (no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from jobstream.contracts import (
    Location,
    Occupation,
    Salary,
    Section,
    Source,
    Span,
    TaggedPosting,
    TaggedSkill,
    TextSignature,
    posting_id_for,
)

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
DEVELOPERS = ("15-1252.00", "Software Developers")
CODES = {"Germany": "DE", "France": "FR", "Spain": "ES"}  # as the parser codes them
HOURS_A_YEAR = 2_080  # the parser's year of an hourly wage when the posting states none


def posting(
    n: int,
    *,
    title: str = "Data Engineer",
    company: str = "Acme",
    skills: dict[str, bool] | None = None,  # skill id -> required
    country: str | None = None,
    work_mode: str = "unknown",
    seniority: str | None = None,
    employment_type: str | None = None,
    salary: tuple[float, float, str, str] | None = None,  # min, max, currency, period
    days: float = 0,
    extra: str = "",
    occupation: tuple[str, str] | None = None,  # O*NET-SOC code, title
    same_text_as: int | None = None,  # a near-duplicate (re-post) of that posting
) -> TaggedPosting:
    """Posting `n`, received `days` after START, whose text names each of its skills twice.
    Each has a signature of its own, but a re-post (`same_text_as`) has its original's: the
    store puts them in one near-duplicate cluster."""
    skills = {"python": True} if skills is None else skills
    head = f"{title} at {company} (posting {n})\n"
    lines = [head, "Requirements\n"]
    for skill_id, required in skills.items():
        lines.append(
            f"- {'Must know' if required else 'Nice to have'} {skill_id}; {skill_id} daily\n"
        )
    lines.append(extra)
    text = "".join(lines)
    requirements = text.index("Requirements")
    tagged = []
    for skill_id, required in skills.items():
        first = text.index(f" {skill_id};") + 1
        second = text.index(f" {skill_id} daily") + 1
        tagged.append(
            TaggedSkill(
                skill_id=skill_id,
                name=skill_id.replace("-", " ").title(),
                category="tool",
                required=required,
                mentions=2,
                spans=[
                    Span(start=first, end=first + len(skill_id)),
                    Span(start=second, end=second + len(skill_id)),
                ],
                confidence=0.9,
                source_ids={"onet": [f"code-{skill_id}"]},
            )
        )
    locations = (
        [Location(text=f"Somewhere, {country}", country=country, country_code=CODES[country])]
        if country
        else []
    )
    pay = None
    if salary is not None:
        low, high, currency, period = salary
        year = {"year": 1, "hour": HOURS_A_YEAR}[period]
        pay = Salary(
            min=low, max=high, currency=currency, period=period, text="pay",
            annual_min=low * year, annual_max=high * year,
        )  # fmt: skip
    original = n if same_text_as is None else same_text_as
    signature = TextSignature(
        scheme="test", values=[(original * 257 + i * 31) % 65_536 for i in range(128)]
    )
    return TaggedPosting(
        posting_id=posting_id_for(text),
        received_at=START + timedelta(days=days),
        source=Source(channel="cli", name=f"posting-{n}.txt"),
        parser_version="1.0.0",
        text=text,
        title=title,
        company=company,
        evidence={
            "title": Span(start=0, end=len(title)),
            "company": Span(start=len(title) + 4, end=len(title) + 4 + len(company)),
        },
        locations=locations,
        work_mode=work_mode,
        seniority=seniority,
        employment_type=employment_type,
        salary=pay,
        sections=[
            Section(
                kind="requirements",
                heading="Requirements",
                text=text[requirements:],
                span=Span(start=requirements, end=len(text)),
            )
        ],
        taxonomy_version="tax-1",
        skills=tagged,
        occupation=Occupation(code=occupation[0], title=occupation[1], confidence=0.8)
        if occupation
        else None,
        tagged_at=START + timedelta(days=days, minutes=1),
        signature=signature,
    )


def catalogue() -> list[TaggedPosting]:
    """Thirteen postings over four weeks that every filter can tell apart; the last is a
    re-post of posting 9 (one job: counted once by the statistics)."""
    return [
        posting(0, skills={"python": True, "kafka": True}, country="Germany", work_mode="remote",
                seniority="senior", salary=(80_000, 95_000, "EUR", "year"), days=0,
                occupation=DEVELOPERS),
        posting(1, skills={"python": True, "kafka": False}, country="Germany",
                work_mode="hybrid", salary=(70_000, 75_000, "EUR", "year"), days=1,
                occupation=DEVELOPERS),
        posting(2, title="Platform Engineer", skills={"kafka": True, "kubernetes": True},
                country="France", work_mode="onsite", employment_type="FULL_TIME", days=3),
        posting(3, title="Backend Developer", company="Globex",
                skills={"java": True, "kafka": True}, country="Germany",
                salary=(40, 60, "EUR", "hour"), days=8),
        posting(4, title="Backend Developer", company="globex", skills={"java": True},
                seniority="junior", salary=(50_000, 60_000, "USD", "year"), days=9),
        posting(5, title="Data Scientist", skills={"python": True, "spark": False},
                country="Spain", work_mode="remote", days=10, extra="Deep learning research.\n",
                occupation=("15-2051.00", "Data Scientists")),
        posting(6, title="Site Reliability Engineer", company="Initech",
                skills={"kubernetes": True, "terraform": True, "python": False}, days=15),
        posting(7, title="Data Engineer", company="Initech",
                skills={"spark": True, "python": True, "kafka": True},
                salary=(100_000, 120_000, "USD", "year"), days=16, extra="Streaming platform.\n"),
        posting(8, title="Frontend Developer", company="Hooli", skills={"react": True}, days=17),
        posting(9, title="Analytics Engineer", skills={"python": True}, country="Germany",
                salary=(65_000, 65_000, "EUR", "year"), days=22),
        posting(10, title="Data Engineer", company="Hooli", skills={"python": True, "kafka": True},
                work_mode="remote", days=23, extra="Streaming platform, streaming data.\n",
                occupation=DEVELOPERS),
        posting(11, title="Office Manager", company="Umbrella", skills={}, days=24),
        posting(12, title="Analytics Engineer", skills={"python": True}, country="Germany",
                salary=(65_000, 65_000, "EUR", "year"), days=22.5, same_text_as=9),
    ]  # fmt: skip
