# ruff: noqa: RUF001 - real postings use en dashes, curly quotes and accented letters
"""Title, company and seniority as postings lay them out (the shapes of the real postings of
docs/parser-quality.md, written small), each with its evidence span."""

from __future__ import annotations

import pytest

from jobstream.contracts import ParsedPosting, RawPosting, Source
from jobstream_parser.fields import ends_with_role, names_a_role
from jobstream_parser.parse import NotAPosting, parse

pytestmark = pytest.mark.unit

# Appended so that every fragment reads as a posting.
BODY = "\n\nResponsibilities\n- Build things.\n"


def _parse(text: str) -> ParsedPosting:
    return parse(RawPosting.from_text(text, Source(channel="cli")))


def _assert_spans(parsed: ParsedPosting) -> None:
    for field in ("title", "company"):
        span = parsed.evidence.get(field)
        value = getattr(parsed, field)
        assert (span is None) == (value is None), field
        if span is not None:
            assert parsed.text[span.start : span.end] == value, field


@pytest.mark.parametrize(
    ("text", "title", "company"),
    [
        # A page's front matter: the employer before the title, a grade after it.
        ("--- layout: raw title: TTS Talent - Sourcing Strategist --- Skip to main content",
         "Sourcing Strategist", "TTS Talent"),
        ('--- title: "FedRAMP: Director GS15" layout: raw --- Skip to main content',
         "Director", "FedRAMP"),
        # ... or the employer the page names elsewhere ("About TTS").
        ('--- title: "TTS Director of Outreach GS15" layout: raw ---\nMenu\nAbout TTS\n',
         "Director of Outreach", "TTS"),
        ("--- layout: raw title: Digital Services Engineer (IT Specialist) ---\n"
         "Join the Digital Services\n", "Engineer (IT Specialist)", "Digital Services"),
        # Label lines.
        ("Eingestellt am 25.02.2017\nStellenbezeichnung: Bäcker\n", "Bäcker", None),
        ("Référence 123\nIntitulé du poste\nTechnicien de maintenance\n",
         "Technicien de maintenance", None),
        # Forum heads: the part naming a role, trimmed of listing words and teams.
        ("Kredit | .NET Engineer Roles | Remote (US) | Full-time", ".NET Engineer", "Kredit"),
        ("Chestnut | Hiring Senior / Staff Software Engineers | SF + Seattle (Hybrid)",
         "Senior / Staff Software Engineers", "Chestnut"),
        ("Cosuno | Senior Full Stack Developer (TypeScript) / Senior AI Engineer – LLMs | Berlin",
         "Senior Full Stack Developer (TypeScript)", "Cosuno"),
        ("Acme | DevOps Engineer (Cloud & Infrastructure) | Remote | $192k + bonus.",
         "DevOps Engineer (Cloud & Infrastructure)", "Acme"),
        ("MixRank (YC S11) | Software Engineers | 100% REMOTE (Global) | Full-Time",
         "Software Engineers", "MixRank"),
        ("Anduril Industries | mid/Sr/Staff Full Stack Engineers, ArsenalOS Team | Costa Mesa",
         "mid/Sr/Staff Full Stack Engineers", "Anduril Industries"),
        ("Blackshark AI | Software Engineers & Platform Engineers | Full-time | Austria",
         "Software Engineers", "Blackshark AI"),
        # Parts stating terms name no role; tails of place and mode go; levels end no role.
        ("Stellar Science | Hybrid (USA) Albuquerque NM | Full time, interns/co-ops", None,
         "Stellar Science"),
        ("Wasmer | Rust Engineer (Remote, EU timezone) | Office (US) | Full-time",
         "Rust Engineer", "Wasmer"),
        ("SerpApi | https://serpapi.com | Junior to Senior Fullstack Engineer multiple positions"
         " | Remote", "Junior to Senior Fullstack Engineer", "SerpApi"),
        ("Sequent Tech | Senior Fullstack Engineer, Senior DevOps Engineer | REMOTE (Global)",
         "Senior Fullstack Engineer", "Sequent Tech"),  # two roles: the first
        ("Sectigo | Manager, Software Development | HYBRID (Canada) Ottawa",
         "Manager, Software Development", "Sectigo"),  # one role and its unit
        ("Zattoo | Video Engineer / Engineering Manager / Principal Engineer | Berlin | Onsite",
         "Video Engineer", "Zattoo"),
        ("AREO | Remote (EU) | Full-Time | Roles: [Engineering Manager (Ruby on Rails), Lead "
         "Product Engineer (Ruby on Rails)]", "Engineering Manager (Ruby on Rails)", "AREO"),
        ("Level 12 | Full Stack Web Developer - Python, JavaScript, SQL | Mid-Level & Senior | "
         "REMOTE", "Full Stack Web Developer - Python, JavaScript, SQL", "Level 12"),
        ("EggAI | Tech Lead, AI Engineer, Senior/Lead Infra engineer/devops | REMOTE (EU)",
         "Tech Lead", "EggAI"),  # a list of roles: the first
        ("Microsoft | Senior SWE | Redmond, Wa\nHiring developers for the networking stack.",
         "Senior SWE", "Microsoft"),
        ("Edit: APPLICATIONS CLOSED - We are now reviewing applications, thank you.\nHermes "
         "Health | ONSITE | Venice, CA | Backend Engineer | Full-time", "Backend Engineer",
         "Hermes Health"),  # a forum head a line down
        ("Trunk | https://trunk.io\nTech Lead (CI & Test Data Platform) - San Francisco HQ and "
         "open to Relo\nMarketing Lead (Developers) - Remote friendly",
         "Tech Lead (CI & Test Data Platform)", "Trunk"),  # a long title cut at its dash
        ("Pango | Senior Software Engineer - Full Stack, Technical Lead / Software Engineer | "
         "On-site", "Senior Software Engineer - Full Stack, Technical Lead", "Pango"),
        ("Gambit Robotics | Founding Principal / Staff Full-Stack Engineer | NYC | Onsite",
         "Founding Principal / Staff Full-Stack Engineer", "Gambit Robotics"),
        ("Backed by Sequoia, Peregrine powers operations SF / NYC\n[Leadership] Engineering Manager https://grnh.se/s7",
         "Engineering Manager", None),
        ("Dashdoc | France | REMOTE (from France) | Full-time\nDashdoc builds software.\n"
         "We're hiring a Lead Software Engineer to work on invoicing.", "Lead Software Engineer",
         "Dashdoc"),
        ("yeet | Chicago, IL / Remote | Full-Time\n\nWe build runtimes.", None, "yeet"),
        ("A24 Films (Labs Division) | Two Openings | Full time | Onsite/Hybrid (NYC)",
         None, "A24 Films"),
        ("GetDynasty.com | San Fransisco, CA | Sales (In-Person SF only) | Engineering (In-Person"
         " or US Remote)", None, "GetDynasty.com"),  # functions, no role
        # A list of roles after a forum head.
        ("Factory AI | AI, Fullstack, Frontend Engineers + GTM | SF | ONSITE\n\n"
         "We're hiring across the stack:\n\n- AI Engineer: agentic systems\n\n- Data Engineer",
         "AI Engineer", "Factory AI"),
        ("Coder | https://coder.com/ | Multiple roles | Full-time\n\nWe build tools.\n\n"
         "[1] Senior Software Engineer, AI Tools (back-end Go) - US/Canada\n\n"
         "[2] Product Manager - UK/Ireland", "Senior Software Engineer, AI Tools (back-end Go)",
         "Coder"),
        ("Mighty Acorn Digital | Remote (US) | Full Time\n\nWe are hiring for the following "
         "roles:\n\n- Software Engineer V - Infra/SRE (AWS)\n- Software Engineer IV",
         "Software Engineer V - Infra/SRE (AWS)", "Mighty Acorn Digital"),
        # Story and page titles of a job board.
        ("Kyber (YC W23) Is Hiring a Head of Engineering\nHead of Engineering at Kyber | Y "
         "Combinator Open menu About What Happens at YC? Apply YC Interview Guide FAQ People",
         "Head of Engineering", "Kyber"),
        ("Corgi Labs (YC W23) Is Hiring\nFounders Associate at Corgi Labs | Y Combinator Open "
         "menu About What Happens at YC? Apply YC Interview Guide FAQ People YC Blog",
         "Founders Associate", "Corgi Labs"),
        ("Hadrius (YC W23) Is Hiring Designers Who Code\nSenior Product Designer at Hadrius | "
         "Y Combinator Open menu About What Happens at YC? Apply", "Senior Product Designer",
         "Hadrius"),
        ("Bloom (YC P26) Is Hiring\nJobs at Bloom | Y Combinator Open menu About What Happens "
         "at YC? Apply YC Interview Guide FAQ People YC Blog Companies", None, "Bloom"),
        ("Proliferate (YC S25) Is Hiring- 200k for junior engineers\nFounding Engineer at "
         "Proliferate | Y Combinator Open menu About What Happens at YC? Apply",
         "Founding Engineer", "Proliferate"),
        ("Terra API (YC W21) Hiring: Applied AI Strategist (Health Intelligence)",
         "Applied AI Strategist (Health Intelligence)", "Terra API"),
        ("InspectMind AI (YC W24) Is Hiring\nSoftware Engineer: Build the World’s Best AI Plan "
         "Checker at InspectMind AI | Y Combinator Open menu About", "Software Engineer",
         "InspectMind AI"),
        ("Ubicloud (YC W24): Software Engineer – $95-$250K in Turkey, Netherlands, CA",
         "Software Engineer", "Ubicloud"),
        ("MDalgorithms (AI Healthcare) – Hiring Growth Marketer – Remote – $80K-$140K",
         "Growth Marketer", "MDalgorithms"),
        ("Trellis AI (YC W24) Is hiring engineers to build agents\nMember of Technical Staff, "
         "Product Engineering (full-time) at Trellis AI | Y Combinator Open menu About",
         "Member of Technical Staff, Product Engineering", "Trellis AI"),
        # A page's title after the web address it names the employer by.
        ('--- layout: raw title: Login.gov Product Manager GS15 --- Skip\nLogin.gov is a '
         "service.", "Product Manager", "Login.gov"),
        ("--- layout: raw title: cloud.gov - Security Compliance Architect --- Skip\n",
         "Security Compliance Architect", "cloud.gov"),
        # Job-board pages: title, employer, place.
        ("Android Developer\nSnaptech Solutions\nLisboa, Portugal · Remoto\n- Residir em Portugal",
         "Android Developer", "Snaptech Solutions"),
        ("Auxiliar de Operações\nConfidencial\nVespasiano, Brasil · Presencial\nMaior de 18 anos;",
         "Auxiliar de Operações", None),
        ("ESTÁGIO DE ATENDIMENTO EM LOJA - CACHOEIRINHA/RS\nWork Estágios\n"
         "Cachoeirinha, Brasil · Presencial", "ESTÁGIO DE ATENDIMENTO EM LOJA", "Work Estágios"),
        ("ADMINISTRATIVO INMUEBLE\nEmpresa: DIAGONALGEST SL\nLocalidad: Barcelona (BARCELONA)",
         "ADMINISTRATIVO INMUEBLE", "DIAGONALGEST SL"),
        ("Monitor/a de centro ocupacional\nEmpresa: EMPRESA SECTOR SOCIOEDUCATIVO\n"
         "Localidad: HUELVA", "Monitor/a de centro ocupacional", None),
        ("responsable de cambrers/eres ,cap de sala i barra\nEmpresa: GiAd'Ed'H El -Teu Cuiner\n"
         "Localidad: GIRONA", "responsable de cambrers/eres ,cap de sala i barra",
         "GiAd'Ed'H El -Teu Cuiner"),
        ("Junior Ingeniero Telecomunicaciones, Madrid - Primer Empleo\nLocalidad: Madrid (MADRID)",
         "Junior Ingeniero Telecomunicaciones", None),
        ("OPERARIO DE PRODUCCIÓN - TURNOS ROTATIVOS.\nLocalidad: Reus (TARRAGONA)",
         "OPERARIO DE PRODUCCIÓN", None),
        ("TèCNIC/A DE MANTENIMENT\nLocalidad: Vilablareix (GIRONA)\nBR INQUIRY, S.L, EMPRESA "
         "ESPECIALITZADA EN EQUIPS MèDICS, PRECISA UN/A TèCNIC/A.",
         "TèCNIC/A DE MANTENIMENT", "BR INQUIRY"),
        ("Plongeur / Plongeuse en restauration\n65 - Pyrénées (Hautes)\nPublié le 01/11/2022",
         "Plongeur / Plongeuse en restauration", None),
        ("Monteur en structures métalliques F/H (H/F)\n26 - SAULCE SUR RHONE\n"
         "Publié le 01/11/2022\nNous recrutons.\nEntreprise : SYNERGIE",
         "Monteur en structures métalliques", "SYNERGIE"),
        # Civil-service bulletins: a class code under the title, the city as the employer.
        ("STOREKEEPER REVISED\nClass Code: 1835\nOpen Date: 05-11-18\nThe State of California "
         "licenses. Work for the City of Los Angeles. City of Los Angeles departments.",
         "STOREKEEPER", "City of Los Angeles"),
        # A title in capitals whose words the vocabulary lacks: placed by its class code, not
        # read as a heading; a heading's words placed the same way still are none.
        ("CEMENT FINISHER\nClass Code: 3353\nOpen Date: 03-09-18\nCity of Los Angeles",
         "CEMENT FINISHER", "City of Los Angeles"),
        ("Brand new. Work for us!\nANNUAL SALARY\nLocation: Berlin\n", None, None),
        ("POLICE LIEUTENANT\nClass Code: 2232\nOpen Date: 02-09-18\nCity of Los Angeles",
         "POLICE LIEUTENANT", "City of Los Angeles"),  # "lieu" (a place) is no heading's word
        ("CHIEF PARK RANGER Class Code\n1968\nCity of Los Angeles Fire Department. City of Los"
         " Angeles. State of California Certified Competent Mechanic. State of California "
         "Certified Competent. State of California Certified Competent.\nExam Open to All",
         "CHIEF PARK RANGER", "City of Los Angeles"),  # the city, named in longer forms too
        ("CAMPUS INTERVIEWS ONLY\nARCHITECTURAL ASSOCIATE\nClass Code: 7926\nCity of Los "
         "Angeles", "ARCHITECTURAL ASSOCIATE", "City of Los Angeles"),
        # Cut ads: a title marked by gender, workload or the line that introduces it.
        ("im Belegarztsystem.\nZur Ergänzung unseres Teams suchen wir per sofort Sie als\n"
         "Dipl. Expertin / Experte Notfallpflege NDS HF\nIhre Aufgaben",
         "Dipl. Expertin / Experte Notfallpflege NDS HF", None),
        ("Chauffeur (w/m) 20-100% mit Nachteinsätzen\nStandort Landquart\n", "Chauffeur", None),
        ("Jahr geöffnet.\nWir suchen eine/n\nBäcker/in 100%\nArbeitsorte: Niederglatt",
         "Bäcker/in", None),
        ("Umfeld? Dann sind Sie unser/e neue/r\nMarketing-Fachmann/-Fachfrau Kooperationen "
         "(80% – 100%)\nSie betreuen Partner.", "Marketing-Fachmann/-Fachfrau Kooperationen",
         None),
        ("Störungen und 60plus suchen wir eine/einen\nAssistenzärztin/Assistenzarzt\n"
         "Ihr Aufgabengebiet umfasst", "Assistenzärztin/Assistenzarzt", None),
        ("Geräte.\nFür unseren Lagerbereich suchen wir\neine/n Lagermitarbeiter/in\n"
         "Ihr Aufgabengebiet:", "Lagermitarbeiter/in", None),
        ("& PARTNER\nZur Verstärkung unseres Teams suchen wir motivierte Mitarbeiter.\n"
         "Architekt/in ETH\nWir bearbeiten Wettbewerbe.", "Architekt/in ETH", None),
        # The requirement ("Sie verfügen über ... als Metallbauer/in") names no title; the role
        # after its article does (parser 0.3.25).
        ("Was erwarten wir?\nSie verfügen über eine abgeschlossene Ausbildung als Metallbauer/in"
         "\nWas bieten wir?", None, None),
        ("ab sofort eine/n Metallbauer/in EFZ.\nSie verfügen über eine abgeschlossene Ausbildung"
         " als Metallbauer/in\nWas erwarten wir?", "Metallbauer/in EFZ", None),
        ("Niederlassungen im Oberwallis und suchen einen Filialleiter\nfür unsere Filiale in "
         "Visp\nSie verfügen über", "Filialleiter", None),
        ("der Bezirke.\nFür das Sekretariat in Dornach suchen wir eine/einen Sekretärin/Sekretär"
         ", 20-25%-Pensum\nAufgabenbereich", "Sekretärin/Sekretär", None),
        ("Mecànic per manteniment industrial (Varies Poblaci\nEmpresa: Nom d'empresa no visible"
         "\nLocalidad: Tarragona (TARRAGONA)", "Mecànic per manteniment industrial",
         None),  # "industr" in a long line makes no heading
        ("Kreuzlingen suchen wir per sofort mehrere\nMaler/Malerinnen\nZu Ihrem Aufgabengebiet "
         "gehören alle Malerarbeiten.", "Maler/Malerinnen", None),
        ("collardi - eine Marke und sucht eine(n): SPENGLER/-IN\nIhre Aufgaben", "SPENGLER/-IN",
         None),
        ("Stelle\nKaufmännische Allrounderin 50% / Temporär\nReferenz1415-103179-1-1\nWir "
         "suchen ab sofort eine\nBranche\nKaufmännische Berufe", "Kaufmännische Allrounderin",
         None),  # a workload marks it; "Branche" is a field, "Stelle" no employer
        ("Logo\nLernenden Baumaschinenmechaniker - Stellenausschreibung\nSwissport für "
         "Lehrbeginn.", "Lernenden Baumaschinenmechaniker", None),
        ("SharePoint Engineer\nArbeitsort: Bern | Pensum: Vollzeit 80-100%\nWenden Sie Ihre "
         "Erfahrungen an.", "SharePoint Engineer", None),
        ("Wir suchen einen\nRechtsanwalt (m/w) Referenznummer I_01233\nSie arbeiten im Team.",
         "Rechtsanwalt", None),
        ("www.swisscanto.ch/jobs\nWillkommen als\nPraktikant/in Legal\nArbeitspensum 100%",
         "Praktikant/in Legal", None),
        ("Stelle einem Freund mitteilen\nSoftware Ingenieur (m/w)\n35134", "Software Ingenieur",
         None),
        ("Synergie recrute :\nUN(E) OPERATEUR(TRICE) PLIEUR\nNotre client est spécialisé.",
         "OPERATEUR(TRICE) PLIEUR", None),
        ("Poinçonneur plieur F/H (H/F)\n45 - GIEN\nPublié le 01/11/2022", "Poinçonneur plieur",
         None),
        ("MECÀNICS - AJUSTADORS (T7-33687)\nEmpresa: Oficina de Treball del SOC\n"
         "Localidad: Cornellà de Llobregat (BARCELONA)", "MECÀNICS - AJUSTADORS",
         "Oficina de Treball del SOC"),
        ("LIMPIADORA EL PAPIOL\nLocalidad: El Papiol (BARCELONA)\nLIMPIEZA DE OFICINAS.",
         "LIMPIADORA", None),  # the place stated below, after a bare space
        ("VENDEDORES AMBULANTES ONCE - ZONA ELDA\nEmpresa: SERVEF\nLocalidad: Elda (ALICANTE)",
         "VENDEDORES AMBULANTES ONCE", "SERVEF"),
        ("Responsable de zone - Lyon\nLocalidad: Lyon\nNous recrutons.", "Responsable de zone",
         None),
        ("MECÀNIC/A INDUSTRIAL\nLocalidad: Girona (GIRONA)\nEMPRESA PRECISA.", "MECÀNIC/A "
         "INDUSTRIAL", None),
        ("TÈCNIC/A DE QUALITAT -Sector metal·lúrgic- Gironès\nEmpresa: TEMPOGEST ETT\n"
         "Localidad: Girona (GIRONA)", "TÈCNIC/A DE QUALITAT",
         "TEMPOGEST ETT"),  # a Catalan middle dot separates nothing
        ("RESP. ADMINISTRACIÓN - CONTABILIDAD ADM-1425\nLocalidad: Madrid (MADRID)",
         "RESP. ADMINISTRACIÓN - CONTABILIDAD", None),
        ("Enterprise Sales Account Manager\nEmpresa: Hitachi Vantara, S.A.U.\nLocalidad: "
         "Madrid (MADRID)", "Enterprise Sales Account Manager", "Hitachi Vantara, S.A.U."),
        ("Assistente Financeiro-Híbrido\nConnectabil\nBelo Horizonte, Brasil · Híbrido",
         "Assistente Financeiro", "Connectabil"),
        ("Facility Manager 80-100%\n - 20000383\nUnsere Abteilung ist zuständig.",
         "Facility Manager", None),
        ("Project Support (50%) – befristet 1 Jahr\nStellenbeschreibung\n", "Project Support",
         None),
        ("SYNTEGON\nBachelor-/Masterarbeit virtuelle Inbetriebnahme (m/w/d)\n  Beringen",
         "Bachelor-/Masterarbeit virtuelle Inbetriebnahme", "SYNTEGON"),
        ("Eingestellt am 25.02.2017\nKarrierestufe: Manager (mit Personalverantwortung)\n"
         "Suchauftrag .\nKapitalmarktmitarbeiter (w/m)\n", "Kapitalmarktmitarbeiter", None),
        # A corpus that masked names: the title ends at the first placeholder.
        ("Senior Java Developer <ORGANIZATION> <LOCATION> <ADDRESS> - <LOCATION> Date posted: "
         "2021-07-16 Likes: 0 Dislikes: 0 Love: 0 Job description: Job type: Full-time " * 2,
         "Senior Java Developer", None),
        ("As Account Security Manager in <ORGANIZATION> your primary role is being the point "
         "of contact for the delivery.", "Account Security Manager", None),
        ("Full Stack Engineer at <ORGANIZATION> <ORGANIZATION> <LOCATION> - <LOCATION>",
         "Full Stack Engineer", None),
        ("Network Development Engineer - (<ORGANIZATION>) <ORGANIZATION>",
         "Network Development Engineer", None),
        ("iOS Developer <ORGANIZATION> <ADDRESS> 02000 <LOCATION> - <LOCATION> Date posted: "
         "2021-03-12", "iOS Developer", None),
        ("Auto req ID: 1393BR Official Title: Product Manager - ERD Job Area: Sales & Marketing"
         " Country / Countries: <LOCATION>", "Product Manager - ERD", None),
        ("Artificial Intelligence / Machine Learning Senior Associate - Corporate & Investment..."
         "\n<ORGANIZATION>\nDate posted: 2021-08-08",
         "Artificial Intelligence / Machine Learning Senior Associate - Corporate & Investment",
         None),
        # The opening sentence names the role.
        ("Postdoc position is available in formulation of novel drug molecules.", "Postdoc",
         None),
        ("A PhD scholarship in simulations of ion transport is available.", "PhD scholarship",
         None),
        ("In our department we are looking for a dedicated Requirement Management Specialist "
         "with focus on grid connection.", "Requirement Management Specialist", None),
        ("Do you like drives? Join us in the role of development engineer.",
         "development engineer", None),
        ("Akkari is the customer context API for LLMs.\nWe are hiring 1 Founding Engineer to "
         "start ASAP in SF.", "Founding Engineer", "Akkari"),
        ("For this reason we are looking for a committed and proactive Project Engineer who "
         "will strengthen our team.", "Project Engineer", None),
        ("We are currently looking for a quality-minded Laboratory technician for our team.",
         "Laboratory technician", None),
        ("Are you a self-driven Embedded Software Engineer with a high degree of knowledge?",
         "Embedded Software Engineer", None),
        # A sentence of the opening that starts "We seek" (parser 0.3.17; before, only "we seek"
        # within a sentence counted).
        ("What we are looking for We seek a full-time DevOps Engineer to help us build.",
         "DevOps Engineer", None),
        ("Quadrature | Quant | London | Full-Time | Onsite\n\nWe are hiring Quant Developers — a"
         " generalist team of engineers.", "Quant Developers", "Quadrature"),
        # A list of roles named before a sentence that names another: the list's first.
        ("HumanSignal | https://humansignal.com/ | REMOTE | Full-time | Engineering roles\n\n"
         "We are looking for multiples roles:\n\n- Senior Backend Engineer: https://x.io/1\n\n"
         "---\n\nHumanSignal Service is looking for AI trainers.", "Senior Backend Engineer",
         "HumanSignal"),
        ("Bioinformatician - COVID Data Analysis\n<ORGANIZATION> <ORGANIZATION>\nDate posted: "
         "2021-02-22", "Bioinformatician - COVID Data Analysis", None),
        ("MONTADOR AJUSTADOR DE MAQUINARIA INDUSTRIAL\nLocalidad: Cerdanyola del Vallès "
         "(BARCELONA)\nMONTAR GRUPOS MECÁNICOS.", "MONTADOR AJUSTADOR DE MAQUINARIA INDUSTRIAL",
         None),  # "industr" heads no heading from a title's end
        # What is no title: a field, a sentence with a workload, a function.
        ("That is also why we offer 20% time as a way to ensure no idea goes untested.", None,
         None),
        ("Atomic Machines is building a platform.\nMy team is hiring for this role, ONSITE:",
         None, "Atomic Machines"),
    ],
)  # fmt: skip
def test_title_and_company_from_the_layout(
    text: str, title: str | None, company: str | None
) -> None:
    parsed = _parse(text + BODY)

    assert (parsed.title, parsed.company) == (title, company)
    _assert_spans(parsed)


@pytest.mark.parametrize(
    ("text", "company"),
    [
        ("Gute Gründe, bei Siemens zu arbeiten", "Siemens"),
        ("We at Avride are hiring in Austin for a full-time, onsite position.", "Avride"),
        ("Servicetechniker (m/w)\nIhr Alltag bei Porsche?\nSie warten Fahrzeuge.", "Porsche"),
        ("Vorsorgeberater/in\nArbeiten bei Swiss Life\nSie beraten Kunden.", "Swiss Life"),
        ("Verkäufer/in\n* Als Teil des Manor Teams mit Stolz arbeiten", "Manor"),
        ("Verkäufer/in\nArbeiten bei uns heisst Verantwortung tragen.", None),
        ("Data Engineer\nJ.P. Morgan is a global leader in financial services.", "J.P. Morgan"),
        ("Data Engineer\nEmpresa: Confidencial", None),
        ("Data Engineer\nWe are the City of Los Angeles' partner.", None),  # no bulletin
        ("AI is transforming the world. Data Engineer wanted", None),  # no company's name
    ],
)
def test_company_phrases(text: str, company: str | None) -> None:
    parsed = _parse(text + BODY)

    assert parsed.company == company
    _assert_spans(parsed)


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("CHIEF FORENSIC CHEMIST\nClass Code: 2237", "manager"),  # heads a unit
        ("GEOGRAPHIC INFORMATION SYSTEMS CHIEF\nClass Code: 7211", "manager"),
        ("Chief Technology Officer", "executive"),
        ("Chief Executive Officer", "executive"),
        ("Chef de ligne de production alimentaire F/H (H/F)", "lead"),
        ("CHEF D'EQUIPE MENUISIER POSEUR (H/F)", "lead"),
        ("Estagio DP\nConnectabil\nSão Paulo, Brasil · Presencial", "intern"),
        ("LadenleiterIn 100%", "manager"),
        ("Verantwortlicher Steueramt und Registerhalter (m/w)", "manager"),
        ("Facility Manager 80-100%", None),  # a job family, no level
        ("Offert Manager/Offert Managerin (m/w)", None),
        ("Projektleiter/in Gebäudeautomation (PMP) 80-100 %", None),
        ("Delivery Manager\nYou will be the line manager for the developers.", "manager"),
        ("Delivery Manager\nYou will work with the developers.", None),
        ("Kapitalmarktmitarbeiter (w/m)\nKarrierestufe: Manager (mit Personalverantwortung)",
         "manager"),
        ("Development Engineer\nExperience Mid-Senior Level", "mid"),  # the first of two
        ("Software Engineer\nWe're hiring for mid-stage software engineers.", "mid"),
        ("GrafikerIn / Junior AD\nVollzeit, 100%", "junior"),
        ("SUPERVISING CRIMINALIST\nClass Code: 2235", "manager"),
        ("Lehrstelle als Pharma-Assistent/in EFZ\nBei Amavita Apotheke", "intern"),
        ("Level 12 | Full Stack Web Developer | Mid-Level & Senior | REMOTE", "mid"),
        ("Acme | Software Engineer | Remote | Full-time", None),
        ("PLM Head\nWe build turbines.", "director"),
        ("Software Engineer\nSeniority: Senior\nWe build turbines.", "senior"),
        ("3-jährige Lehre als Kauffrau/Kaufmann (E- oder M-Profil)\nAufgabe", "intern"),
        ("PRACTICAS: Content Creation and Translation\nLocalidad: Murcia (MURCIA)", "intern"),
        ("Image Feldschlösschen\nWir bieten Ausbildungsplätze mit Lehrbeginn 2019 an.", "intern"),
        ("Lehrer/in Mathematik (80%)\nIhre Aufgaben", None),  # a teacher, no apprentice
        ("Jefe de tráfico\nEmpresa: General Courier\nLocalidad: Sabadell", "manager"),
        ("CHEF EQUIPE SOUDEUR EN ATELIER (H/F)\n64 - BAYONNE", "lead"),
        ("Acme | Tech Lead | Remote | Full-time", "lead"),
        ("PAYROLL SUPERVISOR\nClass Code: 1170", "manager"),  # supervises people
        ("Payroll Manager\nYou will run the payroll.", None),  # a job family
    ],
)  # fmt: skip
def test_seniority_by_the_guide(text: str, level: str | None) -> None:
    parsed = _parse(text + BODY)

    assert parsed.seniority == level
    if level is not None:
        span = parsed.evidence["seniority"]
        assert parsed.text[span.start : span.end].strip()


@pytest.mark.parametrize(
    "text",
    [
        # Short ads in other languages: no title line the rules read, their words say enough.
        "Se necesita persona para jornada completa en empresa de Madrid. Contrato temporal.",
        "Pour notre entreprise nous cherchons quelqu'un, contrat de six mois, salaire à voir.",
        "Mediadora cultural\n\nBuscamos una mediadora cultural para un proyecto. Contrato a "
        "tiempo parcial hasta marzo.",
        "Amnistia Internacional desitja contractar una persona per treballar al carrer.",
        # parser 0.3.11: cut Swiss ads
        "2008 und 2009 suchen wir verschiedene\nSchulische Heilpädagoginnen\nfür IF an der "
        "Primarschule.\nPrimarschule: 26 Wochenlektionen.",
        "Aufgabe\n- Ausführen von Reparaturen\n- Mechanische Erfahrung oder Ausbildung",
    ],
)
def test_short_ads_in_other_languages_are_postings(text: str) -> None:
    assert _parse(text).text


@pytest.mark.parametrize(
    "text",
    [
        "The quick brown fox jumps over the lazy dog near the river bank.",
        "Empresa familiar desde 1950. Visite nuestra tienda en Madrid.",  # one word of a job
    ],
)
def test_what_names_no_job_is_still_refused(text: str) -> None:
    with pytest.raises(NotAPosting):
        _parse(text)


@pytest.mark.parametrize(
    ("value", "names", "ends"),
    [
        ("Senior Data Engineers", True, True),
        ("Head of Engineering", True, False),
        ("Kapitalmarktmitarbeiter", True, True),
        ("Verkaufsberater/-in Elektro", True, False),
        ("OPERARIOS DE PRODUCCIÓN", True, False),
        ("Scrum Master", True, True),
        ("Human Resource Management", False, False),
        ("Normaler Betrieb", False, False),  # "maler" ends it, but it is no compound of a role
        ("", False, False),
    ],
)
def test_words_that_name_a_role(value: str, names: bool, ends: bool) -> None:
    assert (names_a_role(value), ends_with_role(value)) == (names, ends)


@pytest.mark.parametrize(
    ("text", "title", "company"),
    [
        # Parser 0.3.8: shapes of the postings the tune part grew by (docs/parser-quality.md).
        # A head that names no role, then a list of roles without bullets or with descriptions.
        ("Acme | Multiple Roles | Remote | Full-time\n\nWe hire.\n\n"
         "Senior Android Engineer - $178,500 USD + equity\nhttps://jobs.example/1\n",
         "Senior Android Engineer", "Acme"),
        ("Acme | US-Based / Remote | Full-time\nWe build data tools.\n\nWe’re hiring for:\n\n"
         "Senior Systems Engineer — Capture & Materializations\nDesign connectors.\n",
         "Senior Systems Engineer — Capture & Materializations", "Acme"),
        ("Acme | Remote | $150–250K | Full-time\n\nWe have a few new roles.\n\n"
         "• Staff Software Engineer ($200–250K) — for those who ship at a startup pace\n",
         "Staff Software Engineer", "Acme"),
        ("Acme | Multiple Roles | Toronto, ON\n\nOpen Roles:\n"
         "- Senior AI Engineer — LLM engineering, AI agents\n", "Senior AI Engineer", "Acme"),
        ("Acme | Full-time | London | HYBRID\n\nHiring for technical roles:\n\n"
         "Research Scientists, Research Engineers (HPC, Data), Voice specialists\n",
         "Research Scientists", "Acme"),
        # Several roles in a forum head's part: the first.
        ("Acme (https://acme.ai) | Software Engineers (full-stack / product) and Strategic "
         "Project Lead, and many more | Full-time | Remote",
         "Software Engineers (full-stack / product)", "Acme"),
        ("Acme | Software Engineers (All levels), Senior Product Designer, Senior Product "
         "Managers | Full-time | Paris (ONSITE)", "Software Engineers", "Acme"),
        ("Acme.ai | Sr. AI SWE's + React/RN + Product Analyst | Global+remote | Full-time",
         "Sr. AI SWE's", "Acme.ai"),
        # Tails that are no part of the name: experience, a contract, a place.
        ("Acme | Senior Engineer (3+ YoE) | ONSITE in San Francisco, CA", "Senior Engineer",
         "Acme"),
        ("CHARPENTIER- CHEF D'EQUIPE MONTAGE CHANTIER en CDI. (H/F)\n24 - ST PARDOUX",
         "CHARPENTIER- CHEF D'EQUIPE MONTAGE CHANTIER", None),
        ("Professor/a d'italià Lleida (o voltants)\nEmpresa: LM IDIOMES S.C.P\n"
         "Localidad: Lleida (LLEIDA)", "Professor/a d'italià", "LM IDIOMES S.C.P"),
        ("Asturias - técnico/a de inclusión sociolaboral en pola de lena\n"
         "Localidad: Lena (ASTURIAS)", "técnico/a de inclusión sociolaboral", None),
        # An apprenticeship: the role learnt; the branch names the employer.
        ("3-jährige Lehre als Kauffrau/Kaufmann (E- oder M-Profil) in der ASTRA-Filiale "
         "Estavayer-le-Lac\nAufgabe", "Kauffrau/Kaufmann (E- oder M-Profil)", "ASTRA"),
        # A Portuguese role in both genders keeps its ending.
        ("ADVOGADO(A) CLOSER\nConfidencial\nBarueri, Brasil · Presencial",
         "ADVOGADO(A) CLOSER", None),
        # The employer field's town, and a recruiter named for an unnamed client.
        ("CARPINTERO METÁLICO\nEmpresa: VALENCIA- LUIS OLIAG\nLocalidad: Valencia (VALENCIA)",
         "CARPINTERO METÁLICO", "LUIS OLIAG"),
        ("Auxiliar de Cozinha\nPessoa confidencial\nCampinas, Brasil · Presencial\n\n"
         "Rh Mais Talentos em parceria com empresa no segmento de Restaurantes",
         "Auxiliar de Cozinha", "Rh Mais Talentos"),
        # parser 0.3.12: a list of open roles below a pay line of "401k Matching up to 4%" (no
        # workload); "//" bullets; a programme named after its members; "Lehrstelle als";
        # the employer's sector after the role
        ("Findigs | Full-time | NYC | 3x/week in office (M,T, Th) | findigs.com\n"
         "We build apps.\n\nOpen roles:\n\nLead Software Engineer (https://jobs.lever.co/f/1ea)\n"
         "\nSenior Software Engineer (https://jobs.lever.co/f/3b3)\n\nCompetitive Base Salary\n\n"
         "401k Matching up to 4%\n", "Lead Software Engineer", "Findigs"),
        ("Lago (getlago.com) | Product & Engineering | Full-Time, Perm Hiring\n\nLago bills.\n"
         "\nOpen Roles:\n// Senior Backend Engineer (Remote Europe / LATAM) - Ruby, 5+ years\n"
         "// Product Manager (Paris) - 4+ years of experience\n", "Senior Backend Engineer",
         "Lago"),
        ("--- title: \"Presidential Innovation Fellows: Presidential Innovation Fellow GS15\" "
         "layout: raw --- Skip to main content\n", "Presidential Innovation Fellow",
         "Presidential Innovation Fellows"),
        ("1. August 2018 eine freie\nLehrstelle als Detailhandelsfachmann/frau oder "
         "Detailhandelsassistent/in\nDas bringst du mit:",
         "Detailhandelsfachmann/frau oder Detailhandelsassistent/in", None),
        ("OPERARI/ÀRIA PRODUCCIÓ SECTOR QUÍMIC\nEmpresa: AXXON SELECTING ETT\n"
         "Localidad: Girona (GIRONA)", "OPERARI/ÀRIA PRODUCCIÓ", "AXXON SELECTING ETT"),
        ("AUXILIAR ADMINISTRATIVO/A (EXPERIENCIA SECTOR TRANSPORTE URGENTE)\n"
         "Localidad: Madrid (MADRID)", "AUXILIAR ADMINISTRATIVO/A", None),
        ("Public Sector Consultant\nLocation: London", "Public Sector Consultant", None),
        # parser 0.3.14, from unlabelled HN posts: a role's parenthesis may hold commas; a work
        # mode after it; a role in lower case when nothing else names one; a job seeker's post
        ("Modal | Software Engineers (Product, System, SDK) | SF, NYC (ONSITE) | Full Time",
         "Software Engineers (Product, System, SDK)", "Modal"),
        ("Yassi|Senior Fullstack Engineer (Golang, Node.js/React, AWS) 3 days in-office Chicago",
         "Senior Fullstack Engineer (Golang, Node.js/React, AWS)", "Yassi"),
        ("MONUMENTAL | https://www.monumental.co/ | Amsterdam | Full Time | Onsite\nWe make "
         "robots.\n\nWe're looking for experienced software engineers for many roles.",
         "software engineers", "MONUMENTAL"),
        ("SEEKING WORK | Full-Stack Developer (Django, Vue, AWS)\n\nLocation: Argentina",
         "Full-Stack Developer (Django, Vue, AWS)", None),
    ],
)  # fmt: skip
def test_titles_and_companies_of_the_grown_tune_part(
    text: str, title: str, company: str | None
) -> None:
    parsed = _parse(text + BODY)

    assert (parsed.title, parsed.company) == (title, company)
    _assert_spans(parsed)


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("Acme | Remote | Full-time\nWe’re hiring across Engineering. Hiring at Manager level as"
         " well as mid-level/Senior levels.", "manager"),
        ("Stellvertretende/r Leiter/in Zahlungsverkehr\nSie haben heute die Chance", "manager"),
        ("Teamleiter/in Logistik 100%", "manager"),
        ("Leiter des Teams Logistik\nIhre Aufgaben", "lead"),  # "Leiter" alone: no unit named
        ("Acme | Software Engineers | Full-time | Remote\nWe're looking for senior engineers.",
         "senior"),
        ("3-jährige Lehre als Kauffrau/Kaufmann in der ASTRA-Filiale Bern\nAufgabe", "intern"),
        ("Für die Abteilung suchen wir per sofort eine\nTeamleitung Pflege 100 % "
         "(Leitungsfunktion)\nSie führen ein Team", "manager"),
    ],
)  # fmt: skip
def test_levels_stated_in_the_grown_tune_part(text: str, level: str | None) -> None:
    assert _parse(text + BODY).seniority == level


# Parser 0.3.17: shapes read from the unlabelled forum posts of the pool (written small, with
# invented names).
@pytest.mark.parametrize(
    ("text", "title"),
    [
        # A list of roles whose items carry their facts after bars, or their link.
        ("Acme Health | AI in healthcare | Hiring Eng, Product | SF, Remote\n- Senior Backend "
         "Engineer | SF, Remote | Full-time | $170-225k\n- Product Manager | SF", "Senior Backend "
         "Engineer"),
        ("Acme | Full-Time | Remote in US\n1. Senior Platform Engineer | 160k - 200k | "
         "https://jobs.example.com/1", "Senior Platform Engineer"),
        ("At Acme we build trading systems.\nWe're hiring (Remote - US) for:\n- Lead Quantitative"
         " Developer / Engineer https://jobs.example.com/2 to help design our platform",
         "Lead Quantitative Developer"),
        # A bullet glued to its item, a team in brackets.
        ("Acme | Multiple Roles | REMOTE | Full time\nAcme helps engineers ship.\n-Senior "
         "Software Engineer - Infrastructure (Remote)",
         "Senior Software Engineer - Infrastructure"),
        ("At Acme, we are transforming the way teams use their data, every day of the week.\n"
         "SF / NYC | In-office | Full-time\n[Leadership] Engineering Manager",
         "Engineering Manager"),
        # A line that names the role sought, or a role and its link.
        ("Acme | Remote (Europe) | Full-time\nWe build maps for millions of users.\nHiring: "
         "WebGPU SDK Developer", "WebGPU SDK Developer"),
        ("Acme Labs | Remote and NYC | Full Time\nAcme Labs designs databases.\nTechnical "
         "Program Manager: https://jobs.example.com/3", "Technical Program Manager"),
        # "Looking for a ..." at a sentence's start; a role glued to the next by "/ ".
        ("Acme | Hamburg, Germany | REMOTE-FRIENDLY | Full-time\nWe build tools for music.\n"
         "Looking for a Senior Full-Stack Engineer/ Data Scientist to take ownership.",
         "Senior Full-Stack Engineer"),
        ("Acme | NYC\nWe build things. Looking for NY-based engineers to join us.", None),
        # A link's arrow is no part of the title.
        ("Acme | Multiple positions | Remote\nAcme makes workflows durable.\n- Staff Software "
         "Engineer, Traffic \u2192", "Staff Software Engineer, Traffic"),
    ],
)  # fmt: skip
def test_titles_of_forum_posts_read_from_the_pool(text: str, title: str | None) -> None:
    parsed = _parse(text + BODY)

    assert parsed.title == title
    _assert_spans(parsed)


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("Acme | Staff SWE, AI | Remote", "staff"),
        ("Acme | Staff Platform/SRE | Remote", "staff"),
        ("Acme | Staff, Fullstack & Frontend Software Engineers | NYC", "staff"),
        ("Acme | Founding Engineer (Staff level) | SF", "staff"),
        ("Acme | Staff/Principal Software Engineer | Remote", "staff"),  # the first of two
        ("Acme | Mid-Senior Backend/Cloud Engineer (Dart) | Remote", "mid"),
        ("Staff Accountant\nWe keep the books.", None),  # staff only in engineering roles
        ("CAPS D'EQUIP D'OBRA\nLocalidad: Girona (GIRONA)", "lead"),
        ("Team Leader Logistics\nYou run a shift.", "lead"),
        # A finished apprenticeship asked for is no apprenticeship offered.
        ("AUTOMATIKER (m/w) 100%\nUnsere Anforderungen:\n- Abgeschlossene Lehre als "
         "Automatiker/in EFZ", None),
    ],
)  # fmt: skip
def test_levels_read_from_the_pool(text: str, level: str | None) -> None:
    assert _parse(text + BODY).seniority == level


# Parser 0.3.18: more shapes of the pool's postings (written small, with invented names).
@pytest.mark.parametrize(
    ("text", "title"),
    [
        # A board's title without its hours, contract, programme, code or requirement.
        ("AUXILIAR DE SERVEIS PARCIAL MATINS\nLocalidad: Barcelona (BARCELONA)",
         "AUXILIAR DE SERVEIS"),
        ("EDUCADORS/A SOCIAL TARDA (1/2 JORNADA)\nLocalidad: Esplugues (BARCELONA)",
         "EDUCADORS/A SOCIAL"),
        ("PEÓN - PROGRAMA EMPLEO JUVENIL\nLocalidad: Mieres (ASTURIAS)", "PEÓN"),
        ("TÉCNICO/A DISEÑO (35PEJ)\nLocalidad: Oviedo (ASTURIAS)", "TÉCNICO/A DISEÑO"),
        ("COCINERO/A CON EXPERIENCIA EN PLANCHA\nLocalidad: Valencia (VALENCIA)", "COCINERO/A"),
        ("DELEGADO/A COMERCIAL CON ALTAS COMISIONES+INCENTIVOS\nLocalidad: Lugo (LUGO)",
         "DELEGADO/A COMERCIAL"),
        ("Trabajador/a social. servicio de acogida (cartagena)\nLocalidad: Murcia (MURCIA)",
         "Trabajador/a social"),
        ("cuiners/eres i ajudants de cuina per restaurant\nLocalidad: Olot (GIRONA)",
         "cuiners/eres"),
        # ... and without its place: the province stated below, a town of the gazetteer.
        ("Técnico Electrónico Naval, Pontevedra\nLocalidad: Vigo (PONTEVEDRA)",
         "Técnico Electrónico Naval"),
        ("Mensajero repartidor ( Manresa )\nEmpresa: SZENDEX\nLocalidad: Barcelona (BARCELONA)",
         "Mensajero repartidor"),
        ("ELECTRICISTA EN ALHAURÍN EL GRANDE (MÁLAGA)\nEmpresa: MANTENIMIENTO\nLocalidad: MÁLAGA",
         "ELECTRICISTA"),
        # German ads: the start date, the hours, a workload in words, a gender marker in words.
        ("Service Desk Agent (ab sofort)\nArbeitsort: Bern", "Service Desk Agent"),
        ("Reisebus Fahrer/in (Teilzeit)\nin 4133 Pratteln", "Reisebus Fahrer/in"),
        ("Produzent/in (100 Prozent)\nIhre Aufgaben", "Produzent/in"),
        ("Sachbearbeiter Kundendienst (weiblich oder männlich)\nIhre Aufgaben",
         "Sachbearbeiter Kundendienst"),
        # Forum heads: a large city in parentheses, a count, "Dev", "Founding GTM".
        ("Acme | Senior Product Analyst (Seattle) | Full-time", "Senior Product Analyst"),
        ("Acme | 1x Infrastructure Engineer + 2x AI/ML Engineer | Santa Clara, CA",
         "Infrastructure Engineer"),
        ("Acme | Full-Stack Product Dev | Remote (Eastern Europe) | Full-time",
         "Full-Stack Product Dev"),
        ("acme.dev | many roles in dev, design, product | Montreal", None),
        ("Acme | Founding GTM, Fullstack Engineer | Berlin", "Founding GTM"),
        # Roles named by a line of their own after the opening.
        ("Acme | El Segundo | Full-Time\nWe help save lives with our sensor.\nAI Engineer:\n"
         "- Build models.", "AI Engineer"),
        ("Acme | Remote (US) | Full-time\nWe're expanding our team.\nSenior Software Engineer, "
         "Back-end: Design and implement core products.", "Senior Software Engineer, Back-end"),
        ("Acme | Multiple roles | Remote\nWe build ads.\n- Member of Technical Staff, Full Stack "
         "- https://jobs.example.com/4", "Member of Technical Staff, Full Stack"),
        ("Acme | Remote | Full Time\nAcme builds voice agents.\nHiring:\n>> Forward Deployed "
         "Engineer:\nhttps://jobs.example.com/5", "Forward Deployed Engineer"),
        ("Acme builds a camera OS.\n1. Hiring: OS / Device Lifecycle Engineer (Secure Boot) "
         "(Remote, UK/EU preferred)", "OS / Device Lifecycle Engineer (Secure Boot)"),
        # parser 0.3.22: "Roles:" with items after semicolons, a role and its link after a
        # dash, a list after "We are looking for:".
        ("Acme | https://acme.example | NYC (Hybrid)\nAn open-source robotics platform.\n"
         "Roles: Staff Backend Engineer; Lead Software Engineer; Technical Writer",
         "Staff Backend Engineer"),
        ("Acme - London (Hybrid)\nWe build sports analytics.\nWe are hiring a number of "
         "positions\nSenior Software Engineer - https://jobs.example.com/6",
         "Senior Software Engineer"),
        ("Acme | India (Remote/Hybrid) | Full Time\nAcme simplifies contracts.\nWe are looking "
         "for:\nFrontend Developer\nBackend Developer", "Frontend Developer"),
    ],
)  # fmt: skip
def test_titles_read_from_the_pool(text: str, title: str | None) -> None:
    parsed = _parse(text + BODY)

    assert parsed.title == title
    _assert_spans(parsed)


@pytest.mark.parametrize(
    ("text", "title"),
    [
        # parser 0.3.25, from a fresh sample of the unlabelled pool (session 26): a link is no
        # title, the role sought is then read from the text.
        ("Identity Labs | https://wellfound.com/jobs/4037860-creative-director-at-a-po... | "
         "Remote | Full Time\nIdentity Labs has generated 2B+ views.\nWe're hiring a Creative "
         "Director.", "Creative Director"),
        # Listing words, facts and noise at a head title's ends.
        ("Looking for a CTO / Tech Lead\nA startup producing video series is looking for a CTO.",
         "CTO / Tech Lead"),
        ("Shepherd (Series B) | ONSITE | San Francisco, CA\nMachine Learning Engineer - Job "
         "Posting", "Machine Learning Engineer"),
        ("Full-Stack Engineer (Python / React) , Remote\nWe build tools.",
         "Full-Stack Engineer (Python / React)"),
        ("QUOBYTE | Infrastructure/Support Engineer (40-80k EUR) | Berlin",
         "Infrastructure/Support Engineer"),
        ("Senior Python Developer (m//f/d) with Kubernetes-Focus for Monitoring-Company <ORG>",
         "Senior Python Developer"),
        ("ELECTRICIEN H-F (H/F)\nCharente (16)", "ELECTRICIEN"),
        ("Polymechaniker/CNC- Fräsen STELLENVAKANZ 2813.11.3138\nAUFGABEN Sie bearbeiten Teile.",
         "Polymechaniker/CNC- Fräsen"),
        ("A 3-year PhD scholarship in Pharmaceutical Technology is available at the <ORG>.",
         "PhD scholarship"),
        # A board's title cut short inside its parenthesis; "Caces 1 - 3" names categories, no
        # pay; a level in an open parenthesis of a forum part stays.
        ("Mecànic per manteniment industrial (Varies Poblaci\nLocalidad: Manresa (BARCELONA)",
         "Mecànic per manteniment industrial"),
        ("préparateur de commandes Caces 1 - 3 (H/F)\n38 - ST QUENTIN FALLAVIER",
         "préparateur de commandes Caces 1 - 3"),
        ("Triumph Financial | https://triumph.io | Engineer (Lead | Staff) & Staff Product "
         "Manager | REMOTE (USA only)", "Engineer (Lead"),
        # Sentences are no titles, even above a fact line.
        ("Zigment | Bangalore, India | Full-time | ONSITE\nOpen Roles (Hiring):\n- Software "
         "Engineer (Fresher/Interns).\n- Senior Software Engineer.\nFor SDE roles, you will "
         "need experience with TS/JS/Python.\nLocation: Bangalore, India",
         "Software Engineer (Fresher/Interns)"),
        ("Full-Time Chauffeurs are wanted for engagement by an <ORGANIZATION>.\nThe follow are "
         "required.", None),
        # Roles named in the opening's sentences.
        ("Do you want to be the Knowledge Management Consultant ensuring local P&O content is "
         "produced?\nOur HR portal is the one point of entry.", "Knowledge Management Consultant"),
        ("Would you like to know more about the energy market? Join <ORG> <ORG> and become "
         "Pricing Analyst in Sales Trading which is responsible for pricing.", "Pricing Analyst"),
        ("The <ORG> group is looking to recruit a talented postdoctoral researcher to our "
         "research group.", "postdoctoral researcher"),
        ("Nova Credit | Remote (US, Canada)\nWe're building a platform for credit data.\n-> "
         "Hiring software engineers from Mid-Level to Staff", "software engineers"),
        ("Glitch is building the AI agent for Advertising\nWe need Engineers who want to "
         "tackle hard problems.", "Engineers"),
        # Cut Swiss ads: a title run into the text, a role after its article, a logo's words
        # after the line introducing the title.
        (" seines Teams engagierte Persönlichkeiten. Software Engineer Realtime Embedded Systems "
         "(w/m) Was Sie tun: Gemeinsam in einem Team planen Sie Systeme.",
         "Software Engineer Realtime Embedded Systems"),
        ("ab sofort oder nach Vereinbarung eine/n Metallbauer/in EFZ zur Festanstellung.\nWas "
         "müssen Sie tun?", "Metallbauer/in EFZ"),
        (" (Grimselwelt). Wir suchen eine technisch versierte Persönlichkeit als\n[icon] KWO\n"
         "GRIMSELSTROM\nLEITER BETRIEBSFUEHRUNG (männlich oder weiblich)\nKraft der "
         "Energiewirtschaft", "LEITER BETRIEBSFUEHRUNG"),
        # Role words of the pool: German "Fachperson", "Lehrperson", "Polier", Spanish
        # "Mediadora", "Albañil", English "Advocate".
        ("für die Kindergartenstufe:\nLehrperson für Deutsch als Zweitsprache (DaZ)\n"
         "Teilpensum von 8 Wochenstunden.", "Lehrperson für Deutsch als Zweitsprache (DaZ)"),
        ("cellere [icon]\nsucht\nPolier oder Vorarbeiter Belagsabteilung\nSie sind gelernter "
         "Maurer.", "Polier oder Vorarbeiter Belagsabteilung"),
        ("Mediadora cultural\nBuscamos una mediadora cultural china para un proyecto.",
         "Mediadora cultural"),
        ("ALBAÑIL - OFICIAL 1ª Y/O 2ª\nLocalidad: Murcia (MURCIA)", "ALBAÑIL - OFICIAL 1a Y/O 2a"),
        ("Acme | Developer Advocates + many others | Remote", "Developer Advocates"),
    ],
)  # fmt: skip
def test_titles_of_a_fresh_pool_sample(text: str, title: str | None) -> None:
    parsed = _parse(text + BODY)

    assert parsed.title == title
    _assert_spans(parsed)


@pytest.mark.parametrize(
    ("text", "title"),
    [
        # parser 0.3.27, from the tune part's third growth: a count's first part naming no role,
        # a language required, the stated province in another of its names.
        ("VLM Run (https://vlm.run) | 1x Product + 1x ML Staff Engineer | Santa Clara, CA (HQ)",
         "ML Staff Engineer"),
        ("AUXILIAR ADMINISTRATIU TARDA (ANGLèS AVANçAT)\nLocalidad: Barcelona (BARCELONA)",
         "AUXILIAR ADMINISTRATIU"),
        ("Técnico de Comunicaciones, Bizkaia\nLocalidad: Derio (VIZCAYA)",
         "Técnico de Comunicaciones"),
        # ... but "Mobile" (a town of Alabama) is no place stated in California.
        ("Software Engineer, Mobile\nLocation: San Francisco, CA", "Software Engineer, Mobile"),
        # Sentences: "our first senior engineers as we scale", a specialisation in parentheses
        # (facts in them are no part of the name).
        ("Hey HN, this is Louis, co-founder at Acme.\nWe're venture-backed, NYC-based, and are "
         "hiring our first senior engineers as we start to scale.", "senior engineers"),
        ("Arenko | London, UK | 2x/week in office\nWe work on grid-scale batteries.\nWe're "
         "currently looking for a few Senior Backend Engineers (Go), a Senior Data Engineer.",
         "Senior Backend Engineers (Go)"),
        ("Acme | London, UK\nWe build batteries.\nWe're currently looking for a Senior Backend "
         "Engineer (Remote), a Senior Data Engineer.", "Senior Backend Engineer"),
    ],
)  # fmt: skip
def test_titles_of_the_third_growth(text: str, title: str | None) -> None:
    parsed = _parse(text + BODY)

    assert parsed.title == title
    _assert_spans(parsed)


@pytest.mark.parametrize(
    ("text", "title", "company"),
    [
        # parser 0.3.29, from the unlabelled pool's TTS pages (the set labels these without
        # the organisation, as "TTS - Designer" is "Designer"): a name the page sets apart
        # elsewhere, a programme named after its members before a dash.
        ("--- layout: raw title: U.S. Digital Corps Deputy Director GS15 --- Skip to main "
         "content\nU.S. Digital Corps - Deputy Director GS15 Info Session", "Deputy Director",
         "U.S. Digital Corps"),
        ("--- layout: raw title: PIF Deputy Director GS15 --- Skip to main content\nJob Title: "
         "Presidential Innovation Fellows (PIF) Deputy Director", "Deputy Director", "PIF"),
        ("--- layout: raw title: Presidential Innovation Fellows - Director of Events and "
         "Strategic Partnerships --- Skip to main content",
         "Director of Events and Strategic Partnerships", "Presidential Innovation Fellows"),
        # ... while a team named with a level is no programme.
        ("Senior Data Engineers - Data Engineer\nWe build pipelines.",
         "Senior Data Engineers - Data Engineer", None),
        # empleate's EACNUR ads: pay and hours after the role, the pay first, a town typed in
        # lower case at the end.
        ("Promotor para ong en alicante, 800€ brutos fijos/mes + incen. 4´5h diarias.\n"
         "Localidad: ALICANTE", "Promotor para ong", None),
        ("800 € fijo + comisión 4,5h día, como promotor ong orihuela\nLocalidad: ALICANTE",
         "promotor ong", None),
        ("Promotor para ong en tenerife 4´5h diarias.\nLocalidad: SANTA CRUZ DE TENERIFE",
         "Promotor para ong en tenerife", None),
    ],
)  # fmt: skip
def test_titles_of_pages_and_boards_from_the_pool(
    text: str, title: str | None, company: str | None
) -> None:
    parsed = _parse(text + BODY)

    assert parsed.title == title
    if company is not None:
        assert parsed.company == company
    _assert_spans(parsed)
