"""Event (de)serialisation: JSON encode + decode of a raw posting, one core."""

from __future__ import annotations

from bench.corpus import postings
from bench.timing import per_second
from jobstream.contracts import RawPosting, Source, decode, encode


def run() -> dict[str, object]:
    events = [RawPosting.from_text(text, Source(channel="cli")) for text in postings(2_000)]
    encoded = [encode(event) for event in events]
    return {
        "event_encode_per_s": per_second(events, encode),
        "event_decode_per_s": per_second(encoded, lambda value: decode(RawPosting, value)),
    }
