"""The leaky bucket's shape for a --rate (the limiter itself is aiolimiter's)."""

import pytest

from jobstream_replay.rate import RateLimit, bucket

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("rate", "capacity", "period"),
    [(1000, 100, 0.1), (50, 5, 0.1), (10, 1, 0.1), (2, 1, 0.5), (0.5, 1, 2.0)],
)
def test_bursts_hold_a_tenth_of_a_second_and_at_least_one_record(
    rate: float, capacity: float, period: float
) -> None:
    assert bucket(rate) == pytest.approx((capacity, period))
    got_capacity, got_period = bucket(rate)
    assert got_capacity / got_period == pytest.approx(rate)


def test_no_rate_never_waits_and_a_bad_rate_is_refused() -> None:
    assert RateLimit(None).rate is None
    with pytest.raises(ValueError, match="above 0"):
        bucket(0)


async def test_unlimited_wait_is_zero() -> None:
    assert await RateLimit(None).wait() == 0.0
