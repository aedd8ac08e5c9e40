"""Slow, obviously-correct references for the Erlang tests, in 60-digit mpmath arithmetic.

Nothing here shares code or formulas with :mod:`supportops.workforce.erlang`:

* Erlang B by the textbook recurrence 1/B(k) = 1 + (k/A)·1/B(k−1);
* Erlang A by summing the birth–death chain's stationary probabilities state by state, with the
  wait of a caller who finds j others queued written as a hypoexponential sum of the rates
  N·μ + m·θ (m = 0..j), whose distribution has a partial-fraction closed form.
"""

from __future__ import annotations

import mpmath as mp

mp.mp.dps = 60


def erlang_b(servers: int, load: float) -> mp.mpf:
    """Erlang B by the forward recurrence."""
    a = mp.mpf(load)
    inv = mp.mpf(1)
    for k in range(1, servers + 1):
        inv = 1 + k / a * inv
    return 1 / inv


def erlang_c_metrics(servers: int, load: float, aht: float, answer_time: float) -> dict[str, float]:
    """Probability of wait, service level, ASA and occupancy of M/M/N (textbook formulas)."""
    n, a = mp.mpf(servers), mp.mpf(load)
    b = erlang_b(servers, load)
    c = n * b / (n - a * (1 - b))
    return {
        "probability_wait": float(c),
        "service_level": float(1 - c * mp.exp(-(n - a) * answer_time / aht)),
        "asa": float(c * aht / (n - a)),
        "occupancy": float(a / n),
    }


def _stationary(servers: int, load: float, x: mp.mpf, y: mp.mpf) -> tuple[list[mp.mpf], mp.mpf]:
    """Unnormalised weights of the queue states n+j (j ≥ 0) and of all states below n."""
    a = mp.mpf(load)
    term, below = mp.mpf(1), mp.mpf(0)
    for k in range(servers):
        below += term
        term = term * a / (k + 1)
    queued = [term]
    while queued[-1] > mp.mpf(10) ** -30 * (below + queued[0]):
        queued.append(queued[-1] * y / (x + len(queued)))
    return queued, below


def _hypoexponential(rates: list[mp.mpf], theta: mp.mpf, t: mp.mpf) -> tuple[mp.mpf, ...]:
    """For V = Σ Exp(rates): P(V > t), E[e^(−θV); V ≤ t] and E[V·e^(−θV)] by partial fractions."""
    with mp.workdps(40 + len(rates)):  # the partial fractions alternate and grow like 2^j
        tail = served_in_t = moment = mp.mpf(0)
        for m, r in enumerate(rates):
            coeff = mp.fprod(q / (q - r) for i, q in enumerate(rates) if i != m)
            tail += coeff * mp.exp(-r * t)
            served_in_t += coeff * r * (1 - mp.exp(-(r + theta) * t)) / (r + theta)
            moment += coeff * r / (r + theta) ** 2
    return +tail, +served_in_t, +moment


def erlang_a_metrics(
    servers: int, load: float, aht: float, patience: float, answer_time: float
) -> dict[str, float]:
    """M/M/N+M by state sums; each queued caller's outcome by its hypoexponential wait."""
    mu, theta, t = 1 / mp.mpf(aht), 1 / mp.mpf(patience), mp.mpf(answer_time)
    x, y = servers * mu / theta, load * mu / theta
    queued, below = _stationary(servers, load, x, y)
    total = below + mp.fsum(queued)
    wait = mp.fsum(queued) / total
    served = served_in_t = late = moment = mp.mpf(0)
    for j, weight in enumerate(queued):
        p = weight / total
        rates = [theta * (x + m) for m in range(j + 1)]
        tail, s_in_t, mom = _hypoexponential(rates, theta, t)
        served += p * x / (x + j + 1)
        served_in_t += p * s_in_t
        late += p * tail * mp.exp(-theta * t)
        moment += p * mom
    abandon = wait - served
    answered_in_t = (1 - wait) + served_in_t
    return {
        "probability_wait": float(wait),
        "abandon_rate": float(abandon),
        "service_level": float(answered_in_t),
        "short_abandons_met": float(1 - late),
        "asa": float(moment / (1 - abandon)),
        "occupancy": float(load * (1 - abandon) / servers),
    }


def erlang_a_wait_and_abandon(
    servers: int, load: float, aht: float, patience: float
) -> tuple[float, float]:
    """P(wait) and P(abandon) by state sums only (fast enough for tens of thousands of agents)."""
    mu, theta = 1 / mp.mpf(aht), 1 / mp.mpf(patience)
    x, y = servers * mu / theta, load * mu / theta
    queued, below = _stationary(servers, load, x, y)
    total = below + mp.fsum(queued)
    served = mp.fsum(w * x / (x + j + 1) for j, w in enumerate(queued)) / total
    wait = mp.fsum(queued) / total
    return float(wait), float(wait - served)


def _lower_p(x: mp.mpf, y: mp.mpf) -> mp.mpf:
    """Regularised lower incomplete gamma P(x, y), by its series (y < x) or the complement."""
    if y < x:
        total = term = mp.mpf(1)
        j = 0
        while term > total * mp.mpf(10) ** -50:
            j += 1
            term *= y / (x + j)
            total += term
        return mp.exp(x * mp.log(y) - y - mp.loggamma(x + 1)) * total
    return 1 - mp.gammainc(x, y, mp.inf, regularized=True)


def erlang_a_closed_form(
    servers: int, load: float, aht: float, patience: float, answer_time: float
) -> dict[str, float]:
    """The incomplete-gamma closed forms of Erlang A in 60 digits: a numerical-stability
    reference for sizes where the state-by-state reference above is too slow."""
    wait, _ = erlang_a_wait_and_abandon(servers, load, aht, patience)
    x = mp.mpf(servers) * patience / aht
    y = mp.mpf(load) * patience / aht
    u = mp.exp(-mp.mpf(answer_time) / patience)
    p, p1, p1u = _lower_p(x, y), _lower_p(x + 1, y), _lower_p(x + 1, y * u)
    served_in_t = x / y * (p1 - p1u) / p
    return {"service_level": float(1 - wait + wait * served_in_t)}
