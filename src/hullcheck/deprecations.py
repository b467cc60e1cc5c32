"""Retired rule ids and their successors: the deprecation table.

A rule id is never reused. When a rule is split or replaced, its id is *retired* and listed here
with the rules that took its place. Every place that can name a rule maps a retired id to its
successors, so a configuration or baseline written for the old id keeps doing what it did:

- ``--select`` / ``--ignore`` and ``select`` / ``ignore`` in config, inline ignores
  (``# hullcheck: ignore=HOST005``), annotations and ``per-path-ignores``: the retired id
  selects every successor (``suppress.selector_matches``);
- ``severity-overrides``: an override of the retired id applies to each successor that has no
  override of its own (``expand_overrides``);
- baselines: an entry written for the retired id matches a successor finding whose fingerprint,
  computed as if the old id had reported it, is the entry's (``baseline_keys``); the successors
  keep the old rule's location and evidence, so those fingerprints are the old ones.

Each use of a retired id is reported as a one-line warning that names the successors;
``hullcheck explain ID`` and ``hullcheck rules`` show the table. Pure data and small functions:
imported by the selection code on every run, so it imports nothing heavy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar


@dataclass(frozen=True, slots=True)
class Successor:
    """One rule that took over part of a retired rule: its id and the tag it carries."""

    id: str
    reference: str


@dataclass(frozen=True, slots=True)
class Retired:
    """A retired rule id, what it was, and the rules that replace it."""

    id: str
    name: str
    title: str
    retired_after: str  # the last version that reported it
    reason: str
    successors: tuple[Successor, ...]

    @property
    def successor_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.successors)


def _cis(*pairs: tuple[str, str]) -> tuple[Successor, ...]:
    return tuple(Successor(rule, "cis-docker-1.6:" + check) for rule, check in pairs)


RETIRED: dict[str, Retired] = {
    "HOST005": Retired(
        id="HOST005",
        name="daemon-setting",
        title="Docker daemon option weakens the host",
        retired_after="0.1.0",
        reason="one id carried 16 CIS checks (2.2 to 2.18), so none of them could be selected, "
               "ignored, given a severity or documented on its own",
        successors=_cis(
            ("HOST013", "2.2"), ("HOST014", "2.3"), ("HOST015", "2.4"), ("HOST016", "2.5"),
            ("HOST017", "2.6"), ("HOST018", "2.7"), ("HOST019", "2.9"), ("HOST020", "2.10"),
            ("HOST021", "2.11"), ("HOST022", "2.12"), ("HOST023", "2.13"),
            ("HOST024", "2.14"), ("HOST025", "2.15"), ("HOST026", "2.16"),
            ("HOST027", "2.17"), ("HOST028", "2.18"),
        ),
    ),
}

# successor id -> the retired ids it took over from (for baselines and SARIF deprecatedIds)
PREDECESSORS: dict[str, tuple[str, ...]] = {}
for _retired in RETIRED.values():
    for _successor in _retired.successors:
        PREDECESSORS[_successor.id] = (*PREDECESSORS.get(_successor.id, ()), _retired.id)


def successors(selector: str) -> tuple[str, ...] | None:
    """The successor ids of a retired id, or None when ``selector`` is not a retired id."""
    retired = RETIRED.get(selector.strip())
    return retired.successor_ids if retired is not None else None


def span(ids: tuple[str, ...]) -> str:
    """``HOST013 to HOST028`` for a run of consecutive ids, else the ids comma-separated."""
    numbers = [int(i[-3:]) for i in ids]
    prefixes = {i[:-3] for i in ids}
    if len(ids) > 2 and len(prefixes) == 1 and numbers == list(range(numbers[0],
                                                                     numbers[0] + len(ids))):
        return f"{ids[0]} to {ids[-1]}"
    return ", ".join(ids)


def retired_notes(selectors: Iterable[str], where: str) -> list[str]:
    """One warning per retired id in ``selectors`` (each once), saying what it now names."""
    out = []
    for s in dict.fromkeys(s.strip() for s in selectors):
        retired = RETIRED.get(s)
        if retired is not None:
            out.append(
                f"{where}: {s} is retired; it now names its successors "
                f"{span(retired.successor_ids)} (see 'hullcheck explain {s}')"
            )
    return out


T = TypeVar("T")


def expand_overrides(overrides: Mapping[str, T]) -> dict[str, T]:
    """``overrides`` with each retired id's value given to its successors; a successor's own
    entry wins over its predecessor's."""
    out = dict(overrides)
    for key, value in overrides.items():
        for succ in successors(key) or ():
            if succ not in overrides:
                out[succ] = value
    return out


def baseline_keys(rule: str) -> tuple[str, ...]:
    """The retired ids whose baseline entries a finding of ``rule`` may match."""
    return PREDECESSORS.get(rule, ())


def successor_rows(retired: Retired, titles: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """``(successor id, reference tag, title)`` for each successor, in order."""
    return [(s.id, s.reference, titles.get(s.id, "")) for s in retired.successors]


def explain(retired: Retired, titles: Mapping[str, str]) -> str:
    """What ``hullcheck explain`` prints for a retired id (``titles``: rule id -> title)."""
    import textwrap  # here: the selection code imports this module on every run

    lines = [
        f"{retired.id} {retired.name}: {retired.title}",
        *textwrap.wrap(f"Retired after hullcheck {retired.retired_after}: {retired.reason}.", 92),
        "",
        "Its successors, one rule per setting:",
        "",
    ]
    lines += [f"  {rid}  {tag:22} {title}" for rid, tag, title in successor_rows(retired, titles)]
    lines += [
        "",
        f"Where {retired.id} is still named, it means all of them: --select and --ignore (command",
        "line and config), inline ignores and annotations, per-path-ignores and",
        f"severity-overrides; baseline entries written for {retired.id} keep matching the",
        "successors' findings. Each such use is reported with a warning; name the successors",
        "(or their tags) instead.",
    ]
    return "\n".join(lines)
