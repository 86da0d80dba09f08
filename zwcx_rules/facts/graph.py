"""The relations of a case file as a networkx graph, and the responsibility queries rules ask of it.

Edges (``kind`` attribute): ``principal`` body -> person, ``position`` person -> body, ``parent``
body -> superior body, ``stage`` project -> person, ``government_side`` project -> body. Nodes are
subject ids and every id a relation names (``in_file`` says which). Queries take the day to look
at; callers pass days on or before ``as_of`` so nothing later exists for the rules.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

import networkx as nx

from zwcx_rules.facts.models import Event, Subject, period_text

_PRINCIPAL = "principal"
_LEADER_ROLES = ("principal", "leader")


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many acyclic objects (halves load time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True, order=True)
class Hop:
    """A person reached from a subject, and the chain that led there (written into ``outcome.path``)."""

    person: str
    path: tuple[str, ...]


class Relations:
    """The responsibility queries rules ask, over edges ``(from, to, kind, attributes)``.

    Backends give the edges: :class:`RelationGraph` a networkx graph of one case file; a batch run
    a relations file on disk. Attributes: ``from``/``to`` dates, ``role`` of a position, ``stage``.
    """

    def _out(self, node: str, kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
        raise NotImplementedError

    def _in(self, node: str, kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
        raise NotImplementedError

    def principals_on(self, body: str, day: date) -> list[Hop]:
        """The body's 主要负责人 on ``day``, one hop per person (earliest matching tenure)."""
        hops = [
            Hop(person, (body, f"{_PRINCIPAL} {period_text(a['from'], a['to'])}", person))
            for person, a in self._out(body, _PRINCIPAL)
            if _covers(a, day)
        ]
        return _one_per_person(hops)

    def leaders_on(self, body: str, day: date) -> list[Hop]:
        """Principals and 领导班子成员 of the body on ``day``; a person who is both shows as principal."""
        hops = self.principals_on(body, day)
        seen = {h.person for h in hops}
        for person, attrs in self._in(body, "position"):
            if attrs["role"] in _LEADER_ROLES and person not in seen and _covers(attrs, day):
                label = f"{attrs['role']} {period_text(attrs['from'], attrs['to'])}"
                hops.append(Hop(person, (body, label, person)))
        return _one_per_person(hops)

    def stage_owners_on(
        self, project: str, stage: str, day: date | None, *, as_of: date | None = None
    ) -> list[Hop]:
        """Who answered for a project's stage on ``day``; with no day, all (begun by ``as_of`` if given)."""
        hops: list[Hop] = []
        for person, a in self._out(project, "stage"):
            if a["stage"] != stage:
                continue
            if day is not None and not _covers(a, day):
                continue
            if day is None and as_of is not None and a["from"] > as_of:
                continue
            label = f"stage {stage} {period_text(a['from'], a['to'])}"
            hops.append(Hop(person, (project, label, person)))
        return sorted(set(hops))

    def persons_of_event(self, event: Event) -> list[Hop]:
        """The individuals an event names as involved, each reached through the event itself."""
        label = f"event {event.id}"
        return sorted({Hop(p, (event.subject, label, p)) for p in event.persons})

    def parent_of(self, body: str) -> list[Hop]:
        """The body's superior body as a one-hop list (``Hop.person`` is then the parent's id)."""
        return sorted(Hop(parent, (body, "parent", parent)) for parent, _ in self._out(body, "parent"))

    def government_side_of(self, project: str) -> list[Hop]:
        """The body that is a project's government side (``Hop.person`` is then the body's id)."""
        return sorted(
            Hop(body, (project, "government_side", body))
            for body, _ in self._out(project, "government_side")
        )


def subject_edges(s: Subject) -> Iterator[tuple[str, str, tuple[Any, ...], dict[str, Any]]]:
    """Every relation one subject states, as (from, to, key, attributes); the key dedupes a tenure
    stated twice (on the body and in the person's positions)."""
    for t in s.principals:
        yield s.id, t.person, (_PRINCIPAL, t.from_, t.to), _dated(_PRINCIPAL, t.from_, t.to)
    for p in s.positions:
        attrs = {**_dated("position", p.from_, p.to), "role": p.role}
        yield s.id, p.body, ("position", p.role, p.from_, p.to), attrs
        if p.role == _PRINCIPAL:
            yield p.body, s.id, (_PRINCIPAL, p.from_, p.to), _dated(_PRINCIPAL, p.from_, p.to)
    if s.parent:
        yield s.id, s.parent, ("parent",), {"kind": "parent"}
    for st in s.stages:
        attrs = {**_dated("stage", st.from_, st.to), "stage": st.stage}
        yield s.id, st.responsible, ("stage", st.stage, st.from_, st.to), attrs
    if s.government_side:
        yield s.id, s.government_side, ("government_side",), {"kind": "government_side"}


class RelationGraph(Relations):
    """A ``networkx.MultiDiGraph`` of the case file's relations, built on first use."""

    def __init__(self, subjects: Iterable[Subject]) -> None:
        self._subjects: tuple[Subject, ...] = tuple(subjects)

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        """The underlying graph (built lazily: a batch that never asks pays nothing for it)."""
        g: nx.MultiDiGraph = nx.MultiDiGraph()
        with gc_paused():
            g.add_nodes_from((s.id, {"in_file": True, "type": s.type}) for s in self._subjects)
            for u, v, key, attrs in self._edges():
                for node in (u, v):
                    if node not in g:
                        g.add_node(node, in_file=False, type=None)
                # INVARIANT: the key names the relation, so one tenure from two sources is one edge.
                g.add_edge(u, v, key=key, **attrs)
        return g

    def _edges(self) -> Iterator[tuple[str, str, tuple[Any, ...], dict[str, Any]]]:
        for s in self._subjects:
            yield from subject_edges(s)

    def _out(self, node: str, kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
        return _adjacent(self.graph.succ, node, kind)

    def in_file(self, node: str) -> bool:
        """Whether ``node`` is a subject of the case file (not only named by a relation)."""
        g = self.graph
        return node in g and bool(g.nodes[node]["in_file"])

    def _in(self, node: str, kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
        return _adjacent(self.graph.pred, node, kind)


def _adjacent(adjacency: Any, node: str, kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """The neighbours of ``node`` over edges of ``kind``, with each edge's attributes. Reads the
    adjacency dicts directly: an edge view per query costs more than the query itself."""
    for other, edges in (adjacency.get(node) or {}).items():
        for attrs in edges.values():
            if attrs["kind"] == kind:
                yield other, attrs


def _dated(kind: str, start: date, end: date | None) -> dict[str, Any]:
    return {"kind": kind, "from": start, "to": end}


def _covers(attrs: dict[str, Any], day: date) -> bool:
    return attrs["from"] <= day and (attrs["to"] is None or day <= attrs["to"])


def _one_per_person(hops: list[Hop]) -> list[Hop]:
    """Keep the first hop per person in a deterministic order (principal before leader, earliest first)."""
    def key(h: Hop) -> tuple[str, int, str]:
        return (h.person, 0 if h.path[1].startswith(_PRINCIPAL) else 1, h.path[1])

    out: dict[str, Hop] = {}
    for h in sorted(hops, key=key):
        out.setdefault(h.person, h)
    return sorted(out.values())
