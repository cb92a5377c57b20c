"""The batch safety signal of the daily digest: one product batch with more urgent check-ins
than the clinic's own rate can explain.

A bad batch (contaminated, mislabelled, stored warm) shows first as a cluster of urgent results
among the patients treated with it. Staff cannot see such a cluster in day-to-day work, so the
digest tests every batch of the last 90 days and names the ones that stand out, with the numbers.

How, and why that way:

- Each batch is tested with a one-sided exact binomial test: given the clinic's urgent rate,
  how likely is it to see at least this many urgent results in this many? Batches are small
  (tens to hundreds of check-ins), where normal approximations are poor, and only "more urgent"
  matters: a batch that does better than the clinic is not news.
- The clinic's rate is taken over all batches, the tested one included. That makes each test a
  little conservative (a cluster raises the rate it is compared with), which suits a message
  that asks staff to act.
- Only batches with at least `min_urgent` urgent results are tested. With one or two urgent
  results a small batch can look "significant" by chance alone, and a signal that rests on two
  patients is not one staff can act on. Batches not tested are not part of the family below.
- The tests are corrected together with Holm's step-down procedure, so that on a quiet day the
  chance of any false signal stays at `alpha` however many batches the clinic uses, while
  losing less power than a plain Bonferroni correction.

The binomial tail is written here by hand instead of taken from scipy: it is one short function,
and scipy is a large compiled dependency that nothing else in the bot needs.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

MIN_URGENT = 5
"""Fewer urgent results than this in a batch is too few to call a cluster."""

ALPHA = 0.05
"""The chance, on a day with no bad batch, that the digest names one anyway."""

# Summing stops once the terms left cannot change the sum in double precision.
_NEGLIGIBLE = 1e-17


@dataclass(frozen=True)
class BatchCount:
    """One batch's check-in results with a triage outcome in the window, and how many were urgent.

    Raises:
        ValueError: a count is negative, or there are more urgent results than results.
    """

    batch: str
    urgent: int
    results: int

    def __post_init__(self) -> None:
        if not 0 <= self.urgent <= self.results:
            raise ValueError(f"{self!r}: expected 0 <= urgent <= results")


@dataclass(frozen=True)
class Signal:
    """A batch whose urgent rate is significantly above the clinic's, with what the digest says.

    `p_value` is the batch's own one-sided p-value; `adjusted_p` is Holm-adjusted across the
    batches tested, and is the one to compare with alpha and to show staff.
    """

    batch: str
    urgent: int
    results: int
    batch_rate: float
    clinic_rate: float
    p_value: float
    adjusted_p: float


def find_signals(
    batches: Sequence[BatchCount], *, alpha: float = ALPHA, min_urgent: int = MIN_URGENT
) -> list[Signal]:
    """The batches whose urgent rate is significantly above the clinic's, strongest first.

    `batches` are all the clinic's batches in the window: they define the clinic's rate, even
    those with too few urgent results to be tested themselves.

    Raises:
        ValueError: two counts name the same batch, or alpha is not between 0 and 1.
    """
    _check_alpha(alpha)
    _check_unique(batches)
    total_results = sum(count.results for count in batches)
    if total_results == 0:
        return []
    clinic_rate = sum(count.urgent for count in batches) / total_results
    tested = {count.batch: count for count in batches if count.urgent >= min_urgent}
    p_values = {
        name: binomial_upper_tail(count.urgent, count.results, clinic_rate)
        for name, count in tested.items()
    }
    adjusted = holm_adjusted(p_values)
    signals = [
        Signal(
            batch=name,
            urgent=tested[name].urgent,
            results=tested[name].results,
            batch_rate=tested[name].urgent / tested[name].results,
            clinic_rate=clinic_rate,
            p_value=p_values[name],
            adjusted_p=adjusted[name],
        )
        for name in holm_rejections(p_values, alpha)
    ]
    signals.sort(key=lambda signal: (signal.p_value, -signal.batch_rate, signal.batch))
    return signals


def binomial_upper_tail(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p), to a relative error near 1e-10 for n up to 100,000.

    The small tails that decide a signal are summed directly, so that they keep their precision
    instead of being lost in 1 - (something close to 1); large tails (k at or below the mean)
    are 1 minus the lower tail, which is then small.

    Raises:
        ValueError: n is negative or p is not a probability.
    """
    if n < 0:
        raise ValueError(f"n = {n}: expected a number of trials, 0 or more")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"p = {p}: expected a probability between 0 and 1")
    if k <= 0:
        return 1.0
    if k > n or p == 0.0:
        return 0.0
    if p == 1.0:
        return 1.0
    if k > n * p:
        return _tail_from(k, n, p, step=1)
    return 1.0 - _tail_from(k - 1, n, p, step=-1)


def _tail_from(start: int, n: int, p: float, *, step: int) -> float:
    """P(X >= start) for step 1, P(X <= start) for step -1, where `start` lies on the far side
    of the mode so that the terms only shrink, each by a smaller ratio than the last.

    Terms are summed relative to the first one and scaled once at the end, so that a tail whose
    first term would underflow on its own is still right whenever the tail itself is a double.
    Summing stops once the rest, at most a geometric series in the last ratio, is negligible.
    """
    odds = p / (1.0 - p)
    last = n if step == 1 else 0
    total = term = 1.0
    i = start
    while i != last:
        ratio = (n - i) / (i + 1) * odds if step == 1 else i / (n - i + 1) / odds
        term *= ratio
        total += term
        i += step
        if term * ratio < total * (1.0 - ratio) * _NEGLIGIBLE:
            break
    return math.exp(_log_pmf(start, n, p) + math.log(total))


def _log_pmf(k: int, n: int, p: float) -> float:
    """log P(X = k); log1p keeps log(1 - p) exact for the small rates this module sees."""
    log_choose = math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
    return log_choose + k * math.log(p) + (n - k) * math.log1p(-p)


def holm_adjusted(p_values: Mapping[str, float]) -> dict[str, float]:
    """Holm-adjusted p-values: each is the smallest alpha at which Holm's procedure rejects it.

    Staff see this figure rather than the raw p-value, because it already accounts for every
    batch being tested and can be read against alpha directly.

    Raises:
        ValueError: a p-value is not between 0 and 1.
    """
    adjusted: dict[str, float] = {}
    running = 0.0
    for rank, (name, p) in enumerate(_ascending(p_values)):
        running = max(running, min(1.0, (len(p_values) - rank) * p))
        adjusted[name] = running
    return adjusted


def holm_rejections(p_values: Mapping[str, float], alpha: float) -> frozenset[str]:
    """The hypotheses Holm's step-down procedure rejects at family-wise error rate `alpha`.

    From the smallest p-value up, the i-th smallest (from 0) of m is rejected while
    (m - i) * p <= alpha; the first that fails stops the procedure. The comparison is written as
    a product, not p <= alpha / (m - i), so that a hypothesis is rejected exactly when its
    `holm_adjusted` p-value is at most alpha.

    Raises:
        ValueError: alpha is not strictly between 0 and 1, or a p-value is not between 0 and 1.
    """
    _check_alpha(alpha)
    rejected = []
    for rank, (name, p) in enumerate(_ascending(p_values)):
        if (len(p_values) - rank) * p > alpha:
            break
        rejected.append(name)
    return frozenset(rejected)


def _ascending(p_values: Mapping[str, float]) -> list[tuple[str, float]]:
    """The p-values smallest first; ties by name, so that the order never depends on input."""
    for name, p in p_values.items():
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"p-value of {name!r} = {p}: expected between 0 and 1")
    return sorted(p_values.items(), key=lambda item: (item[1], item[0]))


def _check_alpha(alpha: float) -> None:
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha = {alpha}: expected a level strictly between 0 and 1")


def _check_unique(batches: Sequence[BatchCount]) -> None:
    names = [count.batch for count in batches]
    if len(set(names)) != len(names):
        duplicated = sorted({name for name in names if names.count(name) > 1})
        raise ValueError(f"batches counted twice: {', '.join(duplicated)}")
