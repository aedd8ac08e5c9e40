"""Skills-based routing replayed on history: each strategy on tiny histories worked out by hand,
the store's tickets, agents and shifts read the same on DuckDB and PostgreSQL, the demo
workspace, and the config's errors."""

from __future__ import annotations

import doctest
import heapq
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

import supportops.workforce.routing as routing
from supportops.cli.demo import build_demo
from supportops.cli.routing import register
from supportops.config import parse_config
from supportops.errors import ConditionError, ConfigError
from supportops.workforce.routing import STRATEGIES, History, compare, route, summary
from supportops.workforce.routing_history import routing_history
from supportops.workspace import Workspace
from tests.metrics.eventlog import load
from tests.postgres import pg_schema

SPANISH, NONE = 0, -1
ANA, BEN = 0, 1


def desk(
    arrivals: list[float],
    handle: list[float],
    skill: list[int],
    has: list[list[bool]],
    capacity: Any = 1,
    shifts: Any = None,
    end: float = 86_400,
) -> History:
    """A history of one skill (spanish) over ``end`` seconds; agents ana, ben, ..."""
    agents = ("ana", "ben", "cleo")[: len(has)]
    return History.of(arrivals, handle, skill, ("spanish",), agents, has, end, capacity, shifts)


def run(history: History, name: str, overflow_after: float = 1800) -> tuple[list[int], list[float]]:
    routed = route(history, STRATEGIES[name], overflow_after)
    return routed.agent.tolist(), routed.wait.tolist()


# Ana speaks Spanish, Ben does not; two Spanish tickets a minute apart, ten minutes each.
TWO_SPANISH = desk([0, 60], [600, 600], [SPANISH, SPANISH], [[True], [False]])


def test_skills_first_makes_a_spanish_ticket_wait_for_the_one_spanish_agent() -> None:
    assert run(TWO_SPANISH, "skills_first") == ([ANA, ANA], [0.0, 540.0])


def test_round_robin_and_least_loaded_give_it_to_whoever_is_free() -> None:
    assert run(TWO_SPANISH, "round_robin") == ([ANA, BEN], [0.0, 0.0])
    assert run(TWO_SPANISH, "least_loaded") == ([ANA, BEN], [0.0, 0.0])


def test_overflow_after_n_minutes_caps_the_wait_at_n() -> None:
    assert run(TWO_SPANISH, "skills_overflow", overflow_after=300) == ([ANA, BEN], [0.0, 300.0])
    # when Ana frees first, she takes it before the overflow: the wait stays below N
    assert run(TWO_SPANISH, "skills_overflow", overflow_after=900) == ([ANA, ANA], [0.0, 540.0])


def test_a_ticket_no_agent_has_the_skill_for_is_unrouted_unless_it_overflows() -> None:
    history = desk([0], [600], [SPANISH], [[False]], end=3600)
    assert run(history, "skills_first") == ([-1], [pytest.approx(np.nan, nan_ok=True)])
    assert run(history, "skills_overflow", overflow_after=600) == ([ANA], [600.0])


def test_least_loaded_balances_where_round_robin_takes_turns() -> None:
    # capacity 2: Ana holds a long ticket, Ben's short one is done when the third arrives
    history = desk([0, 1, 20], [1000, 10, 100], [NONE] * 3, [[False], [False]], capacity=2)
    assert run(history, "round_robin") == ([ANA, BEN, ANA], [0.0, 0.0, 0.0])
    assert run(history, "least_loaded") == ([ANA, BEN, BEN], [0.0, 0.0, 0.0])


def test_capacity_two_lets_an_agent_take_two_at_once() -> None:
    one = desk([0, 10], [600, 600], [NONE, NONE], [[False]], capacity=1)
    two = desk([0, 10], [600, 600], [NONE, NONE], [[False]], capacity=2)
    assert run(one, "least_loaded") == ([ANA, ANA], [0.0, 590.0])
    assert run(two, "least_loaded") == ([ANA, ANA], [0.0, 0.0])


def test_shifts_an_agent_takes_tickets_only_on_duty_and_finishes_the_one_in_hand() -> None:
    # Ana is on 1000-2000 and 3000-4000; a ticket at 1900 runs past her shift's end
    shifts = ([1000, 3000], [2000, 4000], [ANA, ANA])
    history = desk([0, 1900, 2100, 4500], [60, 300, 60, 60], [NONE] * 4, [[False]], 1, shifts, 5000)
    agents, waits = run(history, "round_robin")
    assert agents == [ANA, ANA, ANA, -1]  # the last arrives after her last shift
    assert waits[:3] == [1000.0, 0.0, 900.0]


def test_summary_figures_by_hand() -> None:
    # skills_first on TWO_SPANISH over one hour: waits 0 and 540 s
    history = desk([0, 60], [600, 600], [SPANISH, NONE], [[True], [False]], end=3600)
    routed = route(history, STRATEGIES["skills_first"])
    assert routed.agent.tolist() == [ANA, BEN]
    row = summary(history, routed, target=300)
    assert row["tickets"] == 2 and row["routed"] == 2 and row["unrouted"] == 0
    assert row["service_level"] == 1.0
    assert row["occupancy"] == pytest.approx(1200 / (2 * 3600))
    assert row["share_skilled"] == 1.0  # the one Spanish ticket went to Ana
    late = summary(TWO_SPANISH, route(TWO_SPANISH, STRATEGIES["skills_first"]), target=300)
    assert late["service_level"] == 0.5  # the second waited 540 s > 300 s
    assert late["wait_mean_seconds"] == 270.0 and late["wait_median_seconds"] == 270.0
    rr = summary(TWO_SPANISH, route(TWO_SPANISH, STRATEGIES["round_robin"]), target=300)
    assert rr["share_skilled"] == 0.5  # Ben took a Spanish ticket


def fcfs_waits(arrivals: np.ndarray, handle: np.ndarray, servers: int) -> list[float]:
    """The obviously-correct reference: first come, first served on ``servers`` slots."""
    free = [0.0] * servers
    waits = []
    for t, h in zip(arrivals.tolist(), handle.tolist(), strict=True):
        start = max(t, heapq.heappop(free))
        waits.append(start - t)
        heapq.heappush(free, start + h)
    return waits


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("name", ["round_robin", "least_loaded"])
def test_without_skills_or_shifts_every_strategy_is_first_come_first_served(
    name: str, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    arrivals = np.sort(rng.uniform(0, 20_000, 400)).round()
    handle = rng.exponential(200, 400).round() + 1
    capacity = [1, 2, 1]  # four slots in all
    history = History.of(arrivals, handle, [NONE] * 400, (), ("a", "b", "c"), [], 1e9, capacity)
    routed = route(history, STRATEGIES[name])
    assert routed.wait.tolist() == pytest.approx(fcfs_waits(arrivals, handle, 4))
    assert max(routed.wait) > 0  # the queue did form


def test_the_module_example_runs() -> None:
    assert doctest.testmod(routing).failed == 0


# --- the store: a tiny log on every engine -----------------------------------------------------

LOG: dict[str, list[dict[str, Any]]] = {
    "tickets": [
        {"ticket_id": "t1", "created_at": "2026-03-02T09:00:00Z", "status": "solved",
         "group": "billing", "custom": '{"language": "es"}'},
        {"ticket_id": "t2", "created_at": "2026-03-02T09:01:00Z", "status": "solved",
         "group": "billing", "custom": '{"language": "en"}'},
        {"ticket_id": "t3", "created_at": "2026-03-02T09:02:00Z", "status": "solved",
         "group": "technical"},
        {"ticket_id": "t4", "created_at": "2026-03-02T09:03:00Z", "status": "solved",
         "group": "billing", "created_by": "agent"},  # outbound: not routed
        {"ticket_id": "t5", "created_at": "2026-03-02T09:04:00Z", "status": "solved"},  # no work
        {"ticket_id": "t6", "created_at": "2026-03-03T09:00:00Z", "status": "solved"},  # next day
    ],
    "work": [
        {"agent_id": "ana", "ticket_id": "t1", "started_at": "+5m", "seconds": 400},
        {"agent_id": "ana", "ticket_id": "t1", "started_at": "+2h", "seconds": 200},
        {"agent_id": "ben", "ticket_id": "t2", "started_at": "+1m", "seconds": 600},
        {"agent_id": "ben", "ticket_id": "t3", "started_at": "+9m", "seconds": 300},
        {"agent_id": "ben", "ticket_id": "t4", "started_at": "+0m", "seconds": 300},
        {"agent_id": "ben", "ticket_id": "t6", "started_at": "+0m", "seconds": 300},
    ],
    "agents": [
        {"agent_id": "ana", "team": "Tier 1", "skills": ["spanish", "billing"]},
        {"agent_id": "ben", "team": "Tier 1", "skills": ["billing", "technical"]},
    ],
    "shifts": [
        {"agent_id": "ana", "starts_at": "2026-03-02T09:00:00Z", "ends_at": "2026-03-02T17:00:00Z"},
        {"agent_id": "ben", "starts_at": "2026-03-02T09:00:00Z", "ends_at": "2026-03-02T17:00:00Z"},
    ],
}  # fmt: skip
ROUTING = {
    "skills": {
        "spanish": {"custom.language": "es"},
        "billing": {"group": "billing"},
        "technical": {"group": "technical"},
    },
    "overflow_after": "5m",
    "target": "5m",
}
# By hand: t1 (Spanish) to Ana at 09:00; t2 (billing) to Ben at 09:01; t3 (technical) finds
# both busy. Skills first, only Ben may take it: he frees at 09:11, 540 s after it came. Every
# other strategy gives it to Ana, free at 09:10 (480 s); the overflow (5 min) finds no one free.
EXPECTED = {
    "round_robin": ([0, 1, 0], [0.0, 0.0, 480.0]),
    "least_loaded": ([0, 1, 0], [0.0, 0.0, 480.0]),
    "skills_first": ([0, 1, 1], [0.0, 0.0, 540.0]),
    "skills_overflow": ([0, 1, 0], [0.0, 0.0, 480.0]),
}


@pytest.fixture(params=("duckdb", "postgresql"))
def tiny(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    """A workspace holding :data:`LOG` on the engine under test, with :data:`ROUTING`."""

    def build(store: str) -> Path:
        folder = tmp_path / "ws"
        folder.mkdir()
        config = {"store": store, "report_timezone": "UTC", "routing": ROUTING}
        (folder / "supportops.yaml").write_text(json.dumps(config), encoding="utf-8")
        with Workspace(folder) as ws:
            load(ws.store, LOG)
        return folder

    if request.param == "duckdb":
        yield build("duckdb")
        return
    with pg_schema() as url:
        yield build(url)


def invoke(*args: str) -> Any:
    app = typer.Typer()
    register(app)
    return CliRunner().invoke(app, ["routing", "simulate", *args])


def test_the_store_gives_arrivals_skills_handle_times_and_shifts(tiny: Path) -> None:
    from datetime import UTC, datetime

    low, high = datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 3, tzinfo=UTC)
    with Workspace.open(tiny, read_only=True) as ws:
        history = routing_history(ws, low, high)
    assert history.tickets == ("t1", "t2", "t3")  # not the outbound, unworked or next day's
    assert history.arrival.tolist() == [32_400.0, 32_460.0, 32_520.0]
    assert history.handle.tolist() == [600.0, 600.0, 300.0]  # t1's two stretches added up
    assert history.skills == ("spanish", "billing", "technical")
    assert history.skill.tolist() == [0, 1, 2]  # t1 is Spanish before it is billing
    assert history.has.tolist() == [[True, True, False], [False, True, True]]
    assert history.shifts is not None
    assert history.available() == 2 * 8 * 3600
    for name, expected in EXPECTED.items():
        routed = route(history, STRATEGIES[name], 300)
        assert (routed.agent.tolist(), routed.wait.tolist()) == expected, name


def test_routing_simulate_prints_the_strategies_side_by_side(tiny: Path) -> None:
    result = invoke("--from", "2026-03-02", "--to", "2026-03-02", "-w", str(tiny), "-f", "json")
    assert result.exit_code == 0, result.output
    rows = {r["strategy"]: r for r in json.loads(result.stdout)}
    assert list(rows) == list(STRATEGIES)
    assert rows["skills_first"]["wait_mean_seconds"] == 180.0  # (0 + 0 + 540) / 3
    assert rows["round_robin"]["wait_mean_seconds"] == 160.0
    assert rows["skills_first"]["service_level"] == pytest.approx(2 / 3)  # 540 s > 5 min
    assert rows["skills_first"]["share_skilled"] == 1.0
    assert rows["round_robin"]["share_skilled"] == pytest.approx(2 / 3)  # Ana lacks technical
    table = invoke("--period", "2026-03-02", "--strategies", "skills_first", "-w", str(tiny))
    assert table.exit_code == 0, table.output
    assert "skills_first" in table.stdout and "round_robin" not in table.stdout
    assert "2 agents on duty in their work shifts" in table.stdout


def test_an_unknown_strategy_is_refused_with_the_known_ones(tiny: Path) -> None:
    result = invoke("--strategies", "skills_first,fastest", "-w", str(tiny))
    assert result.exit_code != 0
    assert "fastest" in str(result.exception) and "skills_overflow" in str(result.exception)


def test_a_capacity_for_an_agent_the_table_lacks_is_a_config_error(tiny: Path) -> None:
    from datetime import UTC, datetime

    config = parse_config({"routing": {"capacity": {"agents": {"zoe": 2}}}}).routing
    with Workspace.open(tiny, read_only=True) as ws, pytest.raises(ConfigError) as info:
        routing_history(
            ws, datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 3, tzinfo=UTC), config
        )
    assert info.value.key == "routing.capacity.agents.zoe"


# --- config ------------------------------------------------------------------------------------


def test_a_workspace_without_routing_config_has_sensible_defaults() -> None:
    config = parse_config({}).routing
    assert config.skills == {} and config.capacity.of("a0001", "Chat") == 1
    assert (config.overflow_after, config.target, config.availability) == (1800, 3600, "shifts")


def test_capacity_comes_from_the_agent_then_the_team_then_the_default() -> None:
    raw = {"routing": {"capacity": {"default": 2, "teams": {"Chat": 3}, "agents": {"a7": 5}}}}
    capacity = parse_config(raw).routing.capacity
    assert capacity.of("a7", "Chat") == 5
    assert capacity.of("a1", "Chat") == 3
    assert capacity.of("a1", "Phone") == 2


def test_the_routing_section_of_the_docs_is_valid_config() -> None:
    from ruamel.yaml import YAML

    doc = Path(__file__).resolve().parents[2] / "docs" / "workforce.md"
    blocks = re.findall(r"```yaml\n(routing:.*?)```", doc.read_text(encoding="utf-8"), re.DOTALL)
    assert len(blocks) == 1
    config = parse_config(YAML(typ="rt").load(blocks[0])).routing
    assert list(config.skills) == ["spanish", "billing", "technical"]
    assert config.capacity.of("a0007", "Chat") == 3 and config.capacity.of("a0001", "Chat") == 2


@pytest.mark.parametrize(
    ("routing_section", "key"),
    [
        ({"capacity": {"default": 0}}, "routing.capacity.default"),
        ({"overflow_after": "soon"}, "routing.overflow_after"),
        ({"availability": "sometimes"}, "routing.availability"),
        ({"strategy": "fast"}, "routing.strategy"),
    ],
)
def test_bad_routing_config_names_the_key(routing_section: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config({"routing": routing_section})
    assert info.value.key == key


def test_a_skill_condition_on_an_unknown_field_names_its_path_and_the_closest_field() -> None:
    with pytest.raises(ConditionError) as info:
        parse_config({"routing": {"skills": {"billing": {"gruop": "billing"}}}})
    assert info.value.key == "routing.skills.billing.gruop"
    assert info.value.suggestion == "group"


# --- the demo workspace ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("routing") / "demo"
    build_demo(folder, tickets=3_000, progress=False)
    return folder


def test_the_four_strategies_run_on_the_demo_with_sane_figures(demo: Path) -> None:
    result = invoke("-w", str(demo), "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {r["strategy"]: r for r in json.loads(result.stdout)}
    assert list(rows) == list(STRATEGIES)
    for name, row in rows.items():
        assert row["tickets"] > 500, name
        assert row["routed"] + row["unrouted"] == row["tickets"]
        assert row["unrouted"] < 0.05 * row["tickets"], name
        assert 0 <= row["wait_median_seconds"] <= row["wait_p90_seconds"]
        assert 0 < row["service_level"] <= 1 and 0 < row["occupancy"] < 1.5
    assert rows["skills_first"]["share_skilled"] == 1.0
    assert rows["round_robin"]["share_skilled"] < 1.0  # skills ignored: some go to the unskilled


def test_a_skill_no_demo_agent_has_waits_unless_it_overflows(demo: Path) -> None:
    from datetime import UTC, datetime

    low, high = datetime(2026, 11, 2, tzinfo=UTC), datetime(2026, 11, 16, tzinfo=UTC)
    raw = {"routing": {"skills": {"klingon": {"custom.language": "es"}}, "overflow_after": "1h"}}
    config = parse_config(raw).routing
    with Workspace.open(demo, read_only=True) as ws:
        history = routing_history(ws, low, high, config)
    spanish = history.skill == 0
    assert spanish.sum() > 10 and not history.has.any()
    first = route(history, STRATEGIES["skills_first"], config.overflow_after)
    assert (first.agent[spanish] == -1).all() and (first.agent[~spanish] >= 0).mean() > 0.95
    over = route(history, STRATEGIES["skills_overflow"], config.overflow_after)
    assert (over.agent[spanish] >= 0).mean() > 0.9
    assert (over.wait[spanish & (over.agent >= 0)] >= 3600).all()


def test_the_replay_is_deterministic(demo: Path) -> None:
    from datetime import UTC, datetime

    low, high = datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
    with Workspace.open(demo, read_only=True) as ws:
        first, again = (routing_history(ws, low, high) for _ in range(2))
    one, two = compare(first), compare(again)
    assert one.equals(two)
    for strategy in STRATEGIES.values():
        a, b = route(first, strategy), route(first, strategy)
        assert np.array_equal(a.agent, b.agent) and np.array_equal(a.wait, b.wait, equal_nan=True)
