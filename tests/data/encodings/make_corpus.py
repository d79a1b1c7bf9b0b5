"""Writes the encoding corpus (run once; the files are committed)."""
import json, pathlib
here = pathlib.Path(".")
posts = {
"en-utf8-stray": ("""Senior Data Engineer — Northwind Analytics (Zürich or remote)

Northwind Analytics builds the pipelines behind Europe’s largest open-data portal. You will own ingestion from Kafka into PostgreSQL and keep 2 billion events a day flowing.

What you’ll do
• Design streaming jobs in Python and SQL
• Keep latency under 500 ms at the 99th percentile
• Mentor two junior engineers

Pay: €70,000–€85,000 a year, 30 days’ holiday, a Café budget of CHF 50 a month.
Contact: Zoë Müller, Head of Data — jobs@northwind.example
""", "utf-8"),
"fr-cp1252": ("""Développeur Python confirmé (H/F) — Société Lumière, Lyon

Nous recherchons un développeur expérimenté pour rejoindre l’équipe « Données ». Vous concevrez des flux Kafka, écrirez des requêtes PostgreSQL et participerez à la revue de code.

Profil : 3 à 5 ans d’expérience, maîtrise de Python et de SQL, goût du travail en équipe.
Rémunération : 48 000 € – 55 000 € brut annuel, télétravail deux jours par semaine, prime de fin d’année.
Où : Lyon (Part-Dieu), déplacements ponctuels à Genève.
""", "cp1252"),
"de-latin1": ("""Softwareentwickler (m/w/d) Backend - München

Wir sind ein mittelständisches Unternehmen aus der Logistikbranche und suchen Verstärkung für unser Plattform-Team. Gemeinsam mit uns entwickelst du Dienste in Java und Python, die täglich Millionen von Sendungen verfolgen.

Deine Aufgaben: Schnittstellen entwerfen, Datenbanken (PostgreSQL) pflegen, Störungen schnell beheben.
Dein Profil: abgeschlossenes Studium, gute Deutsch- und Englischkenntnisse, Freude an sauberem Code.
Wir bieten: 30 Tage Urlaub, flexible Arbeitszeiten, ein Jahresgehalt ab 62.000 EUR und Zuschüsse für Fortbildungen. Größere Umzüge unterstützen wir gern.
""", "latin-1"),
"ru-cp1251": ("""Ведущий разработчик Python (удалённо)

Компания «Северный ветер» ищет опытного инженера в команду обработки данных. Вы будете проектировать потоковые сервисы на Kafka, писать запросы к PostgreSQL и развивать систему мониторинга.

Требования: опыт коммерческой разработки от 4 лет, уверенное знание Python и SQL, понимание принципов работы очередей сообщений.
Условия: заработная плата от 280 000 до 350 000 рублей на руки, гибкий график, оплата конференций и курсов, ДМС со стоматологией.
Офис в Санкт-Петербурге, можно работать из любого города России.
""", "cp1251"),
"ja-shift-jis": ("""【正社員】データエンジニア（東京・渋谷）

株式会社サンプルデータでは、データ基盤の開発を担当するエンジニアを募集しています。KafkaとPostgreSQLを使ったストリーミング処理の設計・開発・運用をお任せします。

必須スキル：Pythonでの開発経験3年以上、SQLの実務経験
歓迎スキル：クラウド環境（AWS、GCP）での運用経験、英語での読み書き
給与：年収600万円から900万円（経験・能力を考慮の上決定）
勤務地：東京都渋谷区、リモートワーク可（週2日出社）
休日：完全週休2日制、年末年始、有給休暇
""", "shift_jis"),
"es-utf16le-nobom": ("""Ingeniero/a de datos sénior — Barcelona

Buscamos una persona con experiencia en Python, Kafka y PostgreSQL para diseñar la nueva plataforma de análisis. Ofrecemos contrato indefinido, salario de 50.000 € a 60.000 € brutos anuales y teletrabajo flexible.

Requisitos: cinco años de experiencia, inglés fluido, ganas de aprender.
""", "utf-16-le"),
"en-utf16be-nobom": ("""Site Reliability Engineer — Brighton (hybrid)

You’ll keep our Kafka clusters and PostgreSQL replicas healthy, automate the boring parts in Go and Python, and take a fair share of the on-call rota.

Salary £65,000–£75,000, 28 days’ holiday plus bank holidays, and a £1,000 learning budget.
""", "utf-16-be"),
}
for name, (text, enc) in posts.items():
    suffix = ".txt"
    data = text.encode(enc)
    expected = text
    if name == "en-utf8-stray":
        # A cp1252 apostrophe and a latin-1 e-acute pasted into UTF-8 text, plus a cut-off
        # three-byte character: each bad run is replaced by one U+FFFD.
        data = data.replace("Europe’s".encode(), b"Europe\x92s", 1).replace("Café".encode(), b"Caf\xe9", 1).replace("Zoë".encode(), "Zoë".encode()[:2] + b"\xe2\x82", 1)
        expected = text.replace("Europe’s", "Europe\ufffds", 1).replace("Café", "Caf\ufffd", 1).replace("Zoë", "Zo\ufffd", 1)
    (here / f"{name}{suffix}").write_bytes(data)
    (here / f"{name}.expected.txt").write_text(expected, encoding="utf-8")
