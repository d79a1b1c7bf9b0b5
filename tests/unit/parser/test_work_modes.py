# ruff: noqa: RUF001 - real postings use en dashes
"""Work modes as unlabelled postings of the real-postings sources state them (docs/parser.md,
0.3.18): home some of the time is hybrid, a label beats a perk, talk in person is no mode."""

from __future__ import annotations

import pytest

from jobstream.contracts import RawPosting, Source
from jobstream_parser.parse import parse

pytestmark = pytest.mark.unit


def _work_mode(text: str) -> str | None:
    parsed = parse(RawPosting.from_text(text, Source(channel="cli")))
    return parsed.work_mode


@pytest.mark.parametrize(
    ("text", "mode"),
    [
        ("Developer\n\nFlexible work schedules and options to work from home Flat hierarchies",
         "hybrid"),
        ("Developer\n\nJob benefits: Remote Work Flexible Working Hours Work from Home Options"
         " Various sports groups", "hybrid"),
        ("Developer\n\nWe love a perfect mix between office and remote work and are aiming for a"
         " 50/50 split.", "hybrid"),
        # The job's own label outranks a perk: "Location options: Remote".
        ("Developer\nLocation options:\nRemote\nJob type:\nFull-time\n\nJob benefits: Work from"
         " Home Options", "remote"),
        # "Virtual" among the places of a page is remote; in a sentence it is no work mode.
        ("Cloud Lead\n\nLocation: Washington, DC; Boston, MA (virtual); Denver, CO (virtual)\n",
         "remote"),
        ("Branch Chief\n\nLocation: Full time, Virtual (Location Negotiable After Selection,"
         " US)\n", "remote"),
        ("Designer\n\nHelp design virtual learning events and Virtualization labs.", None),
        # Office days in their other forms are hybrid.
        ("OptTek | Analyst | ONSITE (Colorado Springs, CO)\n\nYou support our customer with 3-4"
         " days a week onsite at the customer facility.", "hybrid"),
        ("2NDNATURE | Director | Santa Cruz, CA | ONSITE\n\n-Be in the Santa Cruz office 3 days"
         " per week.", "hybrid"),
        ("VIVA Finance | Atlanta, GA (In Person) | Engineer\n\nCandidates who can come in office 4"
         " days a week.", "hybrid"),
        # The most remote offered, whatever joins the options; a meetup is no work mode.
        ("Baseten Labs | San Francisco, New York | ONSITE, REMOTE, HYBRID | VISA SPONSORSHIP",
         "remote"),
        ("Prophet Town LLC | Engineering Roles | US – Remote and Hybrid | Full-time", "remote"),
        ("Goodchat | Full Stack Engineer | Remote (close to CET timezone)\n\nRemote-first, with"
         " occasional in-person meetups.", "remote"),
        # Home some days in Spanish, French and German; a feminine "remota".
        ("Técnico\nModalidad: híbrida\n", "hybrid"),
        ("Comercial\n\nOfrecemos 2 días de teletrabajo a la semana.", "hybrid"),
        ("Chargé\n\nNous offrons 2 jours de télétravail par semaine.", "hybrid"),
        ("Entwickler\n\nWir bieten mobiles Arbeiten und flexible Arbeitszeiten.", "hybrid"),
        ("Técnico\nModalidad: remota\n", "remote"),
        ("Técnico\nModalidad: semipresencial\n", "hybrid"),
        # Remote for the time being (a pandemic's arrangement) is not the job's work mode.
        ("Developer\n\nDue to COVID-19 this role may initially be remotely based.", None),
        ("QA Test Developer\n\nThe majority of our staff are now working remotely to ensure"
         " continuity of operations.\nThe successful candidate should expect to be working from"
         " home until the Campus re-opens to all staff.", None),
        # Offered for the right person, or on site and hybrid joined by a dash (0.3.26).
        ("Diamond Hands Fantasy | Founding Engineer | NYC\n\nBased in NYC. Remote-friendly for"
         " the right person.\nReply here.", "remote"),
        ("Acme | Staff Engineer | Chicago\n\nLocation: Chicago, Nashville, or Boston preferred."
         " Open to remote for the right candidate.", "remote"),
        ("Acme | Staff Engineer | Chicago\n\nWe are not open to remote candidates.", None),
        ("Parabola | Senior SRE + Full Stack Engineer | NYC/SF ONSITE-Hybrid | Full-time",
         "hybrid"),
        ("focal | Head of Technology & Applied AI | Remote/Onsite/Hybrid (US)", "remote"),
        # "Télétravail : Non" is no telework.
        ("Chargé de clientèle\nTélétravail :\nNon\n\nVotre profil : commercial.", "onsite"),
        # How people talk is no work mode.
        ("Clerk Typist\n\nCommunicate orally by phone and in person in order to provide"
         " information to the public.", None),
    ],
)  # fmt: skip
def test_work_mode_as_stated(text: str, mode: str | None) -> None:
    assert _work_mode(text) == mode
