# ruff: noqa: RUF001 - real postings use en dashes, curly quotes and accented letters
"""The employer where a posting names it only in passing or in a forum head of a rarer shape
(forms read from unlabelled postings of the real-postings sources: docs/parser.md, 0.3.17),
and what those rules must not take for one."""

from __future__ import annotations

import pytest

from jobstream.contracts import ParsedPosting, RawPosting, Source
from jobstream_parser.parse import parse

pytestmark = pytest.mark.unit

BODY = "\n\nResponsibilities\n- Build things for our customers.\n"


def _parse(text: str) -> ParsedPosting:
    return parse(RawPosting.from_text(text, Source(channel="cli")))


def _company(text: str) -> str | None:
    parsed = _parse(text + BODY)
    span = parsed.evidence.get("company")
    assert (span is None) == (parsed.company is None)
    if span is not None:
        assert parsed.text[span.start : span.end] == parsed.company
    return parsed.company


@pytest.mark.parametrize(
    ("text", "company"),
    [
        # Spanish and Catalan boards: the body's sentence names the employer or recruiter.
        ("Trabajador/a social\nLocalidad: Cartagena (MURCIA)\n\nAccem es una organización sin"
         " ánimo de lucro de ámbito estatal.", "Accem"),
        ("Promotor\nLocalidad: ALICANTE\n\nSi quieres trabajar en una ONG, en EACNUR buscamos"
         " gente extrovertida.", "EACNUR"),
        ("Programador Java\nLocalidad: Madrid (MADRID)\n\nDesde el departamento de selección de"
         " ALTEN buscamos incorporar 4 personas.", "ALTEN"),
        ("Técnico/a Comercial\nLocalidad: Massalfassar (VALENCIA)\n\nGrupo Faster selecciona"
         " para empresa del sector metal un/a técnico/a comercial.", "Grupo Faster"),
        ("Educador/a\nLocalidad: Barcelona\n\nEl Grup Asproseat cerca un/a educador/a per"
         " realitzar l'atenció directa.", "Grup Asproseat"),
        ("Técnico de Sistemas\nLocalidad: Madrid\n\nFormación. Grupo NS, es una empresa donde se"
         " valora el perfil personal.", "Grupo NS"),
        # An offer whose description repeats "<role> en <place>" before its first sentence
        # (0.3.30); "IT" may start a name there.
        ("Project Manager Sector Turismo, Madrid\nLocalidad: Madrid (MADRID)\n\nProject Manager"
         " Sector Turismo en Madrid Grupo SADE es una boutique tecnológica con 15 años.",
         "Grupo SADE"),
        ("Operador Informático Junior, Madrid - Primer Empleo\nLocalidad: Madrid (MADRID)\n\n"
         "Operador Informático Junior en Madrid En Tuyú Technology deseamos incorporar un"
         " Operador de Sistemas.", "Tuyú Technology"),
        ("Técnico de Comunicaciones, Bizkaia\nLocalidad: Derio (VIZCAYA)\n\nTécnico de"
         " Comunicaciones en Bizkaia Seleccionamos técnico de comunicaciones.", None),
        # ... not a shouted description, a place, or an office of the employer.
        ("Ayudante\nLocalidad: Banyoles\n\nPERRUQUERIA DE BANYOLES BUSCA UNA AJUDANTA.", None),
        ("Técnico\nLocalidad: Madrid\n\nEn España somos un equipo de más de 500 personas.", None),
        ("Psicólogo/a\nLocalidad: Salamanca\n\nLa Sede de Salamanca requiere incorporar un/a"
         " psicólogo/a.", None),
        # Swiss ads: a name with its legal form, or "bei" a name in capitals or of two words.
        ("Betriebsarbeiter Gepäcksortierung\nSwissport International AG — Glattbrugg",
         "Swissport International AG"),
        ("Pflegefachfrau HF\nRegion: Entlebuch/SurseeDie Firma CarePers AG ist ein"
         " Personalvermittler.", "CarePers AG"),
        ("Berater/in\nUnsere flexiblen Arbeitsmodelle nennen wir bei der AXA «Flexwork».", "AXA"),
        ("Koch/Köchin\nWir sind die Nummer 1 Bei SV Group finden Sie ein tolles Team.", "SV Group"),
        ("Sachbearbeiter/in Pensionskasse\nVos tâches principales\n- Sie prüfen Fälle.\n\n"
         "Votre avenir chez GastroSocial\n\n- Wir bieten Ihnen eine Tätigkeit.", "GastroSocial"),
        ("Repartidor\nLocalidad: Cádiz\n\nCÓDIGO DE OFERTA: 112018013914 DISQUEVA S.L.    ENVIAR"
         " CURRÍCULUM VITAE A: rrhh@example.com", "DISQUEVA S.L."),
        # ... not a town and its canton, nor a German noun after "bei".
        ("Bereichsleiter/in Fensterbau\nin Laufenburg AG suchen wir eine/n Bereichsleiter/in.",
         None),
        ("Informatiker/in\nSie unterstützen bei Projekten und bei der Umsetzung.", None),
        # A corpus that masks the employer leaks it in a possessive.
        ("Senior Frontend Developer <ORGANIZATION>\nYou will build components used throughout"
         " all of Omio’s frontends.", "Omio"),
        ("Developer <ORGANIZATION>\nOur culture is founded on our Novo Nordisk Way.",
         "Novo Nordisk"),
        ("Developer <ORGANIZATION>\nPeople can't stop talking about #LifeAtSky.", "Sky"),
        ("Developer <ORGANIZATION>\nA key priority.\nCelonis disrupted a manual process.",
         "Celonis"),
        # ... not a region, a heading's word, or a word of a longer masked name.
        ("Developer <ORGANIZATION>\nMake your mark at Europe's leading media brand.", None),
        ("Developer <ORGANIZATION>\nThe Programme’s science is based on delivery at scale.", None),
        ("Developer <ORGANIZATION>\nWe build for <ORGANIZATION> Group’s online stores.", None),
        # ... and no possessive counts where the corpus masks nothing.
        ("Platform Engineer\nWorked on Maluuba’s acquisition by Microsoft.", None),
        # "is a global leader" anywhere, glued to the sentence before it by a cut text.
        ("Software Engineer\nFixed Income analytics would be beneficialJ.P Morgan is a global"
         " leader in financial services.", "J.P Morgan"),
    ],
)  # fmt: skip
def test_employer_named_in_passing(text: str, company: str | None) -> None:
    assert _company(text) == company


@pytest.mark.parametrize(
    ("text", "company"),
    [
        ("HomeVision | Senior Frontend Engineering | San Francisco, CA", "HomeVision"),
        ("Nova Credit | Remote (US, Canada)", "Nova Credit"),
        ("Layer Health | https://www.layerhealth.com/", "Layer Health"),
        ("Knowlix — ONSITE (Munich, DE) — Full-time", "Knowlix"),
        ("BetterDB (https://betterdb.com) (https://github.com/BetterDB-inc) | Founding Engineer"
         " | Remote | Full-time", "BetterDB"),
        ("Senior Software Engineer | Ping Data Intelligence | ONSITE (Delhi, India) | Full-Time",
         "Ping Data Intelligence"),
        # The first line's name before a dash and a link, a "we" sentence or a tagline.
        ("Tether - https://tether.io/ - we are hiring for multiple roles 100% remote.", "Tether"),
        ("Wayward (wayward.com) - we’re rebuilding the way brands and creators connect.",
         "Wayward"),
        ("PetsApp – The future of pet care | Remote (UK) | https://petsapp.com", "PetsApp"),
        # A greeting names no one; the writer's own company does.
        ("Hey HN — Adobe is hiring an AI Agent Engineer.", "Adobe"),
        ("Hi Marley | Senior Engineer | Remote (US) | Full-time", "Hi Marley"),
        ("Hi HN — I’m Nicole, cofounder of Gambit Robotics (with Eliot Horowitz).",
         "Gambit Robotics"),
        ("PostHog equips developers to build successful products.", "PostHog"),
        # "At X (its site), we", "We are X and", "Hi! We're X.", "here from X", "hiring ... at
        # X", a legal form after a comma (0.3.30)
        ("At Grey Rhino (www.greyrhino.ai), we are a growing stealth-mode hedge fund.",
         "Grey Rhino"),
        ("At CloudX (https://cloudx.io) we’re building a new supply-side advertising platform.",
         "CloudX"),
        ("Support Engineer | Remote | FinTech | Open Source | Startup\n\nHi there. We are"
         " Interledger Foundation and are looking for an experienced Support Engineer.",
         "Interledger Foundation"),
        ("Hi! We're Ontix. We're building the business layer to connect siloed datasets.",
         "Ontix"),
        ("Cologne, Germany | UMH | Product Engineer | Full-time | 55 - 85k EUR\n\nHi, Alex and"
         " Jeremy here from UMH.", "UMH"),
        ("Hey! We're hiring for a Founding GTM Lead at Skyfall AI.\n\nWe are an AI research"
         " lab.", "Skyfall AI"),
        ("Treatment Technologies & Insights, Inc. (TTI) | Backend Engineers (Junior & Senior) |"
         " El Segundo, CA | Hybrid", "Treatment Technologies & Insights, Inc."),
        # ... not what a "we" sentence describes.
        ("Acme Engineer | Remote\n\nWe are Remote. We are hiring engineers.", None),
        # "this is" before the writer's role; a name whose site is a link (0.3.26).
        ("Hey HN, this is Louis, co-founder at SightlineOS.\n\nYusha, Derrick, and I are"
         " building an AI-native supply chain operating system.", "SightlineOS"),
        ("Krea; Fulltime; Onsite, San Francisco, CA, USA.\n\nI'm the cofounder of Krea"
         " (https://www.krea.ai/), a company building creative tooling.", "Krea"),
        ("Founding (AI/Software) Engineer + Founding Research Scientist | NYC |"
         " https://www.l2labs.ai/\n\nL2 Labs is a brand new applied AI lab.", "L2 Labs"),
        ("Thunder Compute, YC S24 | https://www.thundercompute.com | In-person in San"
         " Francisco\n\nHiring 4 full-time Software Engineers.", "Thunder Compute"),
        # ... not a product the head links to inside a sentence, nor "ASP.NET", nor a town.
        ("Always Further, founded by team who created https://sigstore.dev , are now building"
         " https://nono.sh agent security tooling.\n\nYou will contribute to Nono.", None),
        ("Programadores y Analistas .NET\nLocalidad: Vigo (PONTEVEDRA)\n\nExperiencia con"
         " ASP.NET y C#.", None),
        # A place and its terms, or a description, is no employer.
        ("Faculty of Practice in Data Science\n\nCleveland OH | Onsite", None),
        ("Founding Engineer Wanted | Defense Startup | Munich/Remote", None),
    ],
)  # fmt: skip
def test_employer_of_a_forum_head(text: str, company: str | None) -> None:
    assert _company(text) == company
