"""Phase 3, resolve: find a policy and the layers it extends, and merge them into one rule set.

A child layer may `override` or `disable` a named rule of a layer it extends and `set` a parameter
again; everything else it declares is its own. The layers form a networkx graph, so a cycle in
`extends` is found and reported rather than followed for ever.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from zwcx_rules.catalogue import Catalogue, MeasureSpec, default_catalogue
from zwcx_rules.diagnostics.errors import Diagnostic, ZwcxError
from zwcx_rules.diagnostics.source import SourceFile, Span
from zwcx_rules.language import ast
from zwcx_rules.language.build import build_policy
from zwcx_rules.resources import policies_dir

POLICY_SUFFIX = ".zwcx"


@dataclass(frozen=True)
class Layer:
    """One policy file of a chain, with its text and the text of the source document it cites."""

    policy: ast.Policy
    source: SourceFile
    document: str | None

    @property
    def id(self) -> str:
        return self.policy.header.id.name

    @property
    def is_library(self) -> bool:
        return self.policy.header.library

    def in_force(self, day: dt.date) -> bool:
        header = self.policy.header
        starts = header.effective_from is None or header.effective_from <= day
        return starts and (header.effective_until is None or day < header.effective_until)


@dataclass(frozen=True)
class ResolvedRule:
    """A rule as it stands after layering: the layer and clause it belongs to, and the text it encodes."""

    rule: ast.Rule
    layer: str
    clause: ast.Clause
    replaces: str | None = None

    @property
    def qualified(self) -> str:
        return f"{self.layer}/{self.rule.name.name}"

    @property
    def text(self) -> str:
        quotes = self.clause.quotes
        if self.rule.quote is not None:
            return quotes[self.rule.quote].text
        return "……".join(q.text for q in quotes)


@dataclass(frozen=True)
class ParameterValue:
    value: ast.Value
    since: dt.date | None
    layer: str
    declaration: ast.Parameter


@dataclass
class ResolvedPolicy:
    """The merged view of a chain of layers, root first; what the checker and the compiler read."""

    layers: tuple[Layer, ...]
    rules: list[ResolvedRule] = field(default_factory=list)
    disabled: list[tuple[ast.Disable, str, ResolvedRule]] = field(default_factory=list)
    clauses: list[tuple[str, ast.Clause]] = field(default_factory=list)
    parameters: dict[str, list[ParameterValue]] = field(default_factory=dict)
    definitions: dict[str, tuple[ast.Definition, str]] = field(default_factory=dict)
    precedences: list[tuple[ast.Precedence, str, ast.Clause]] = field(default_factory=list)
    catalogue: Catalogue = field(default_factory=default_catalogue)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def leaf(self) -> Layer:
        return self.layers[-1]

    @property
    def id(self) -> str:
        return self.leaf.id

    @property
    def title(self) -> str:
        return self.leaf.policy.header.title

    @property
    def chain(self) -> tuple[str, ...]:
        """The policies layered, root first (the libraries they use are not layers)."""
        return tuple(layer.id for layer in self.layers if not layer.is_library)

    @property
    def digest(self) -> str:
        hasher = hashlib.sha256()
        for layer in self.layers:
            hasher.update(layer.source.text.encode("utf-8"))
            hasher.update(b"\0")
        return "sha256:" + hasher.hexdigest()

    def parameter(self, name: str, day: dt.date | None) -> ParameterValue | None:
        """The value of a parameter in force on a day: the nearest layer that sets it, latest `since` first."""
        values = self.parameters.get(name, [])
        for layer in reversed([layer.id for layer in self.layers]):
            candidates = [v for v in values if v.layer == layer
                          and (v.since is None or day is None or v.since <= day)]
            if candidates:
                return max(candidates, key=lambda v: v.since or dt.date.min)
        return None


def search_path(extra: tuple[Path, ...] = ()) -> tuple[Path, ...]:
    """Folders searched for a policy id: given ones, $ZWCX_POLICY_PATH, ./policies, the bundled policies."""
    env = tuple(Path(p) for p in os.environ.get("ZWCX_POLICY_PATH", "").split(os.pathsep) if p)
    return (*extra, *env, Path.cwd() / "policies", policies_dir())


def find_policy(ref: str, near: tuple[Path, ...] = ()) -> Path | None:
    """The file a policy reference names: a path, or `<id>.zwcx` in the search path."""
    candidate = Path(ref)
    if candidate.suffix == POLICY_SUFFIX or os.sep in ref or "/" in ref:
        return candidate if candidate.is_file() else None
    for folder in search_path(near):
        path = folder / f"{ref}{POLICY_SUFFIX}"
        if path.is_file():
            return path
    return None


def read_layer(path: Path) -> Layer:
    """Parse and build one file and read the source document its header names."""
    source = SourceFile.read(path, name=_display_name(path))
    policy = build_policy(source)
    document = None
    if policy.header.source is not None:
        doc_path = path.parent / policy.header.source
        if doc_path.is_file():
            document = doc_path.read_text(encoding="utf-8")
    return Layer(policy=policy, source=source, document=document)


def _display_name(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def load_layers(ref: str) -> tuple[Layer, ...]:
    """A policy and every layer it extends, root first; a missing parent or a cycle is an error."""
    path = find_policy(ref)
    if path is None:
        raise ZwcxError(Diagnostic(
            code="Z501", message=f"no policy `{ref}`",
            help="give a path to a .zwcx file, or an id found in: "
            + ", ".join(str(p) for p in search_path()),
        ))
    chain = [read_layer(path)]
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_node(chain[0].id)
    while (parent := chain[-1].policy.header.extends) is not None:
        child = chain[-1]
        graph.add_edge(child.id, parent.name)
        if not nx.is_directed_acyclic_graph(graph):
            edges = nx.find_cycle(graph, source=child.id)
            cycle = " → ".join([a for a, _ in edges] + [edges[0][0]])
            raise ZwcxError(Diagnostic(
                code="Z502", message=f"`extends` makes a cycle: {cycle}", span=parent.span,
                label="this layer is already in the chain",
                help="a policy may extend only the policy it implements; remove one `extends`",
            ))
        parent_path = find_policy(parent.name, near=(child.source.path.parent,) if child.source.path else ())
        if parent_path is None:
            raise ZwcxError(Diagnostic(
                code="Z503", message=f"`{parent.name}` is not a policy this file can extend",
                span=parent.span, label="not found",
                help=f"put `{parent.name}{POLICY_SUFFIX}` beside this file or under policies/",
            ))
        chain.append(read_layer(parent_path))
        if chain[-1].is_library:
            raise ZwcxError(Diagnostic(
                code="Z521", message=f"`{parent.name}` is a library; a policy `uses` a library", span=parent.span,
                help=f"write `uses {parent.name}` instead of `extends {parent.name}`"))
    layers = tuple(reversed(chain))
    return (*_libraries(layers), *layers)


def _libraries(layers: tuple[Layer, ...]) -> list[Layer]:
    """The libraries a chain uses, each once, every library after the ones it uses itself."""
    loaded: dict[str, Layer] = {}
    order: list[Layer] = []

    def visit(user: Layer, trail: tuple[str, ...]) -> None:
        for ident in user.policy.header.uses:
            if ident.name in trail:
                raise ZwcxError(Diagnostic(
                    code="Z502", message=f"`uses` makes a cycle: {' → '.join((*trail, ident.name))}",
                    span=ident.span, help="a library may not use itself, directly or through another"))
            if ident.name in loaded:
                continue
            path = find_policy(ident.name, near=(user.source.path.parent,) if user.source.path else ())
            if path is None:
                raise ZwcxError(Diagnostic(
                    code="Z503", message=f"no library `{ident.name}`", span=ident.span, label="not found",
                    help=f"put `{ident.name}{POLICY_SUFFIX}` beside this file or under policies/"))
            library = read_layer(path)
            if not library.is_library:
                raise ZwcxError(Diagnostic(
                    code="Z521", message=f"`{ident.name}` is a policy, not a library", span=ident.span,
                    help=f"write `extends {ident.name}` to layer on a policy; `uses` takes libraries"))
            loaded[ident.name] = library
            visit(library, (*trail, ident.name))
            order.append(library)

    for layer in layers:
        visit(layer, (layer.id,))
    return order


def resolve(layers: tuple[Layer, ...]) -> ResolvedPolicy:
    """Merge layers root first; problems go into ``diagnostics`` (the checker reports them)."""
    resolved = ResolvedPolicy(layers=layers)
    vocabulary: dict[str, dict[str, tuple[str, ...]]] = {}
    measures: dict[str, MeasureSpec] = {}
    shared = default_catalogue()
    for layer in layers:
        _merge_codes(layer, shared, vocabulary, measures, resolved.diagnostics)
        _merge_parameters(layer, resolved)
        for definition in layer.policy.definitions:
            name = definition.name.name
            if name in resolved.definitions:
                resolved.diagnostics.append(_duplicate(
                    "Z512", f"`{name}` is already defined", definition.name.span,
                    resolved.definitions[name][0].name.span, "give the definition another name"))
            else:
                resolved.definitions[name] = (definition, layer.id)
        _merge_rules(layer, resolved)
    resolved.catalogue = shared.extended(vocabulary, measures)
    return resolved


def _merge_codes(layer: Layer, shared: Catalogue, vocabulary: dict[str, dict[str, tuple[str, ...]]],
                 measures: dict[str, MeasureSpec], out: list[Diagnostic]) -> None:
    for decl in layer.policy.codes:
        if decl.vocabulary.name not in shared.vocabularies:
            out.append(Diagnostic(
                code="Z213", message=f"unknown vocabulary `{decl.vocabulary.name}`", span=decl.vocabulary.span,
                help="one of: " + ", ".join(sorted(shared.vocabularies))))
        elif shared.code_of(decl.code.name) is not None or decl.code.name in vocabulary.get(decl.vocabulary.name, {}):
            out.append(Diagnostic(
                code="Z214", message=f"`{decl.code.name}` is already a code; a policy may add codes, not redefine them",
                span=decl.code.span, help="choose a new code name, or use the existing code"))
        else:
            vocabulary.setdefault(decl.vocabulary.name, {})[decl.code.name] = decl.names
    for m in layer.policy.measures:
        if shared.measure(m.code.name) is not None or m.code.name in measures:
            out.append(Diagnostic(
                code="Z214", message=f"`{m.code.name}` is already a measure; a policy may add measures, not redefine them",
                span=m.code.span, help="choose a new measure name, or use the catalogue's"))
        else:
            measures[m.code.name] = MeasureSpec.model_validate(
                {"code": m.code.name, "kind": m.kind, "zh": m.names, "for": tuple(s.name for s in m.for_)})


def _merge_parameters(layer: Layer, resolved: ResolvedPolicy) -> None:
    for p in layer.policy.parameters:
        name = p.name.name
        existing = resolved.parameters.get(name, [])
        if not p.is_set and existing:
            first = existing[0]
            same_layer = first.layer == layer.id
            resolved.diagnostics.append(_duplicate(
                "Z511", f"`{name}` is already a parameter" + ("" if same_layer else f" of `{first.layer}`"),
                p.name.span, first.declaration.name.span,
                "write `set` to give it another value" + (" (optionally `since` a date)" if same_layer else " in this layer")))
            continue
        if p.is_set and not existing:
            resolved.diagnostics.append(Diagnostic(
                code="Z510", message=f"`set` of `{name}`, which no layer declares", span=p.name.span,
                help="declare it with `parameter`, or check the name against the layer this one extends"))
            continue
        resolved.parameters.setdefault(name, []).append(
            ParameterValue(value=p.value, since=p.since, layer=layer.id, declaration=p))


def _merge_rules(layer: Layer, resolved: ResolvedPolicy) -> None:
    seen_clauses: dict[str, ast.Clause] = {}
    own: dict[str, ast.Rule] = {}
    for clause in layer.policy.clauses:
        if clause.id.name in seen_clauses:
            resolved.diagnostics.append(_duplicate(
                "Z504", f"clause `{clause.id.name}` appears twice", clause.id.span,
                seen_clauses[clause.id.name].id.span, "give each clause its own id, or merge the two"))
        seen_clauses[clause.id.name] = clause
        resolved.clauses.append((layer.id, clause))
        for rule in clause.rules:
            name = rule.name.name
            if name in own:
                resolved.diagnostics.append(_duplicate(
                    "Z505", f"rule `{name}` is defined twice", rule.name.span, own[name].name.span,
                    "give each rule its own name"))
                continue
            own[name] = rule
            entry = ResolvedRule(rule=rule, layer=layer.id, clause=clause)
            index = _find_rule(resolved.rules, name)
            if rule.override:
                if index is None:
                    resolved.diagnostics.append(Diagnostic(
                        code="Z506", message=f"`override` of `{name}`, which no extended layer defines",
                        span=rule.name.span, help="use the exact name of the rule you replace, or drop `override`"))
                    resolved.rules.append(entry)
                else:
                    replaced = resolved.rules[index]
                    resolved.rules[index] = ResolvedRule(rule=rule, layer=layer.id, clause=clause,
                                                         replaces=replaced.qualified)
            elif index is not None:
                resolved.diagnostics.append(Diagnostic(
                    code="Z507", message=f"rule `{name}` is already defined in `{resolved.rules[index].layer}`",
                    span=rule.name.span, label="same name as an extended rule",
                    help=f"write `override {rule.kind} {name} …` to replace it, or choose another name"))
            else:
                resolved.rules.append(entry)
        for disable in clause.disables:
            index = _find_rule(resolved.rules, disable.rule.name)
            if index is None:
                resolved.diagnostics.append(Diagnostic(
                    code="Z508", message=f"`disable` of `{disable.rule.name}`, which no layer defines",
                    span=disable.rule.span, help="name a rule of a layer this policy extends"))
            else:
                resolved.disabled.append((disable, layer.id, resolved.rules.pop(index)))
        for precedence in clause.precedences:
            resolved.precedences.append((precedence, layer.id, clause))


def _find_rule(rules: list[ResolvedRule], name: str) -> int | None:
    for index, entry in enumerate(rules):
        if name in (entry.rule.name.name, entry.qualified):
            return index
    return None


def _duplicate(code: str, message: str, span: Span, first: Span, help: str) -> Diagnostic:
    return Diagnostic(code=code, message=message, span=span, label="defined again here",
                      help=help, notes=(f"first defined at {first}",))
