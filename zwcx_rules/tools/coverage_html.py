"""The coverage report as one self-contained HTML page: the source document coloured sentence by sentence."""

from __future__ import annotations

from html import escape

from zwcx_rules.tools.coverage import Branch, ClauseCoverage, PolicyCoverage, RuleCoverage, Sentence

_CSS = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Zen Hei", sans-serif;
       margin: 2em auto; max-width: 60em; padding: 0 1em; color: #222; line-height: 1.6; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ccc; margin-top: 2em; }
table { border-collapse: collapse; margin: 1em 0; } th, td { border: 1px solid #bbb; padding: 0.25em 0.6em; }
th { background: #f0f0f0; text-align: left; } td.n { text-align: right; }
.doc { white-space: pre-wrap; border: 1px solid #ddd; padding: 1em; background: #fcfcfc; }
a.s { color: inherit; text-decoration: none; border-radius: 2px; }
a.s:hover, a.s:target { outline: 2px solid #444; }
.tested { background: #bff0c0; } .encoded { background: #ffe08a; }
.not_encoded { background: #e2e2e2; color: #555; } .unaccounted { background: #ffc2c2; }
.covered { border-left: 6px solid #3fae48; } .uncovered { border-left: 6px solid #e0a800; }
.clause.not_encoded { border-left: 6px solid #999; background: none; color: inherit; }
.clause.encoded { border-left: 6px solid #e0a800; background: none; }
.clause { padding: 0.2em 0.8em; margin: 1em 0; } .clause h3 { margin: 0.3em 0; } .clause:target { background: #fffbe6; }
blockquote { margin: 0.3em 0 0.3em 1em; color: #444; border-left: 2px solid #ddd; padding-left: 0.6em; }
.legend span { padding: 0 0.4em; margin-right: 0.6em; } .hint { color: #7a4b00; } code { font-size: 0.95em; }
.meta { color: #666; } details { margin: 0.1em 0; } ul.cases { margin: 0.2em 0; }
"""

_STATUS_WORDS = {"tested": "tested", "encoded": "encoded, not fully tested", "not_encoded": "not encoded",
                 "unaccounted": "unaccounted"}


def render_html(report: PolicyCoverage) -> str:
    """The whole page for one policy."""
    title = escape(report.title)
    parts = [
        "<!doctype html>", '<html lang="zh">', "<head>", '<meta charset="utf-8">',
        f"<title>Coverage: {title} ({escape(report.id)})</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
        f"<h1>{title}</h1>",
        f'<p class="meta">policy <code>{escape(report.id)}</code> · coverage of its policy tests '
        f"({len(report.results)} cases, {sum(not r.passed for r in report.results)} failed)</p>",
        "<h2>Summary</h2>", _summary(report), _legend(),
        '<h2 id="document">Source document</h2>', _document(report),
        '<h2 id="unaccounted">Unaccounted sentences</h2>', _unaccounted(report.sentences),
        '<h2 id="uncovered">Uncovered</h2>', _uncovered(report),
        '<h2 id="clauses">Clauses</h2>', *(_clause(c) for c in report.clauses),
        "</body>", "</html>",
    ]
    return "\n".join(parts) + "\n"


def _summary(report: PolicyCoverage) -> str:
    s = report.summary()
    sentences = s["sentences"]
    rows = [("rules fired and not fired", s["rules"]), ("branches taken", s["branches"]),
            ("clauses covered", s["clauses"])]
    cells = "".join(f'<tr><th>{label}</th><td class="n">{r["covered"]}/{r["total"]}</td>'
                    f'<td class="n">{r["percent"]:.1f}%</td></tr>' for label, r in rows)
    cells += f'<tr><th>clauses not encoded</th><td class="n">{s["clauses_not_encoded"]}</td><td></td></tr>'
    for status in ("tested", "encoded", "not_encoded", "unaccounted"):
        cells += (f'<tr><th><span class="{status}">sentences {_STATUS_WORDS[status]}</span></th>'
                  f'<td class="n">{sentences[status]}/{sentences["total"]}</td><td></td></tr>')
    return f'<table class="summary">{cells}</table>'


def _legend() -> str:
    spans = "".join(f'<span class="{k}">{v}</span>' for k, v in _STATUS_WORDS.items())
    return f'<p class="legend">{spans} (grey sentences show the reason on hover; click a sentence for its clause)</p>'


def _document(report: PolicyCoverage) -> str:
    """The document as written, each sentence a coloured link; the text between sentences kept as it is."""
    if report.document is None:
        return "<p>(no source document)</p>"
    out: list[str] = []
    position = 0
    for sentence in report.sentences:
        out.append(escape(report.document[position:sentence.start]))
        out.append(_sentence(sentence))
        position = sentence.end
    out.append(escape(report.document[position:]))
    return f'<div class="doc">{"".join(out)}</div>'


def _sentence(sentence: Sentence) -> str:
    target = f"#clause-{sentence.clauses[0]}" if sentence.clauses else "#unaccounted"
    title = f"{sentence.number}: {_STATUS_WORDS[sentence.status]}"
    if sentence.clauses:
        title += " — clause " + ", ".join(sentence.clauses)
    if sentence.reasons:
        title += " — not encoded: " + "; ".join(sentence.reasons)
    return (f'<a class="s {sentence.status}" id="s-{sentence.number}" href="{escape(target, quote=True)}" '
            f'title="{escape(title, quote=True)}">{escape(sentence.text)}</a>')


def _unaccounted(sentences: list[Sentence]) -> str:
    items = [f'<li><a href="#s-{s.number}">{s.number}</a> {escape(s.text)}</li>'
             for s in sentences if s.status == "unaccounted"]
    return f"<ol>{''.join(items)}</ol>" if items else "<p>none</p>"


def _uncovered(report: PolicyCoverage) -> str:
    hints = report.uncovered()
    if not hints:
        return "<p>every rule fired and did not fire in some test, and every branch was taken</p>"
    return "<ul>" + "".join(f'<li class="hint">{escape(h)}</li>' for h in hints) + "</ul>"


def _clause(clause: ClauseCoverage) -> str:
    head = (f'<section class="clause {clause.status}" id="clause-{escape(clause.id, quote=True)}">'
            f"<h3>{escape(clause.id)} {escape(clause.cite)} — {clause.status.replace('_', ' ')}</h3>")
    quotes = "".join(f"<blockquote>{escape(q)}</blockquote>" for q in clause.quotes)
    reasons = "".join(f"<p>not encoded: {escape(r)}</p>" for r in clause.reasons)
    statements = "".join(f"<p>encoded by <code>{escape(s)}</code></p>" for s in clause.statements)
    rules = "".join(_rule(r) for r in clause.rules)
    return f"{head}{quotes}{reasons}{statements}{rules}</section>"


def _rule(rule: RuleCoverage) -> str:
    state = "covered" if rule.complete else "uncovered"
    rest = (_cases(f"not fired in {len(rule.rested_by)} cases", rule.rested_by) if rule.rest_hint is not None
            else "<p>cannot not fire (no condition)</p>")
    hints = "".join(f'<p class="hint">{escape(h)}</p>' for h in rule.hints())
    branches = "".join(_branch(b) for b in rule.branches)
    return (f'<div class="rule {state}" style="padding-left:0.6em;margin:0.6em 0">'
            f"<h4>{escape(rule.kind)} <code>{escape(rule.name)}</code></h4>"
            f"{_cases(f'fired in {len(rule.fired_by)} cases', rule.fired_by)}{rest}{hints}{branches}</div>")


def _branch(branch: Branch) -> str:
    label = f"{branch.kind} {branch.index + 1} <code>{escape(branch.text)}</code> ({escape(branch.owner)})"
    if not branch.taken_by:
        return f'<p>{label}: never taken</p><p class="hint">{escape(branch.hint)}</p>'
    return _cases(f"{label}: taken in {len(branch.taken_by)} cases", branch.taken_by, raw=True)


def _cases(summary: str, cases: list[str], raw: bool = False) -> str:
    shown = summary if raw else escape(summary)
    if not cases:
        return f"<p>{shown}</p>"
    items = "".join(f"<li>{escape(c)}</li>" for c in cases)
    return f'<details><summary>{shown}</summary><ul class="cases">{items}</ul></details>'
