"""The `zwcx` command: check a policy, evaluate case files, run the demo. The only module that prints."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.console import Console

from zwcx_rules.api import Policy, check_policy, evaluate, load_cases, load_policy
from zwcx_rules.diagnostics.errors import Diagnostic, ZwcxError
from zwcx_rules.diagnostics.messages_zh import default_language, translate_line
from zwcx_rules.diagnostics.render import render_diagnostics, summary_line
from zwcx_rules.diagnostics.source import SourceFile
from zwcx_rules.language.format import FormatError, format_source
from zwcx_rules.resources import examples_dir
from zwcx_rules.tools.coverage import PolicyCoverage, measure, summary_table, uncovered_report
from zwcx_rules.tools.coverage_html import render_html
from zwcx_rules.tools.diff import diff, share_layers
from zwcx_rules.tools.explain import explain, render_tree, why_not
from zwcx_rules.tools.render import render_comparison, render_differences, render_json, render_text
from zwcx_rules.tools.testing import CaseResult, run_policy_tests

app = typer.Typer(
    add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
    help="zwcx: government-integrity (政务诚信) policy as code.",
)


JURISDICTIONS = ("jiangxi", "rizhao", "yancheng", "sichuan", "licheng")


class Format(StrEnum):
    json = "json"
    text = "text"


class TraceLevel(StrEnum):
    full = "full"
    summary = "summary"
    none = "none"


class Lang(StrEnum):
    zh = "zh"
    en = "en"


LangOption = Annotated[Lang | None, typer.Option(
    "--lang", help="messages in zh or en; default: $ZWCX_LANG, else the locale (LC_ALL, LC_MESSAGES, LANG), else en")]


def _lang(lang: Lang | None) -> str:
    """The language chosen with --lang, else the one the environment gives (see docs/errors.md)."""
    return lang.value if lang is not None else default_language()


def _fail(diagnostics: list[Diagnostic], lang: str | None = None) -> None:
    typer.echo(render_diagnostics(diagnostics, lang or default_language()), err=True)
    raise typer.Exit(1)


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"`{value}` is not a date (expected YYYY-MM-DD)") from None


@app.command("check")
def check_command(
    policies: Annotated[list[str], typer.Argument(help="policy files or ids found under policies/")],
    lang: LangOption = None,
) -> None:
    """Report every diagnostic of each policy; exit 1 if any has an error."""
    failed = False
    language = _lang(lang)
    for ref in policies:
        diagnostics = check_policy(ref)
        if diagnostics:
            typer.echo(render_diagnostics(diagnostics, language) + "\n")
        typer.echo(summary_line(ref, diagnostics, language))
        failed |= any(d.is_error for d in diagnostics)
    raise typer.Exit(1 if failed else 0)


@app.command("eval")
def eval_command(
    policy: Annotated[str, typer.Argument(help="a policy file or an id found under policies/")],
    cases: Annotated[str, typer.Argument(help="a case file (JSON), or - for standard input")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="decide on this date (YYYY-MM-DD)")] = None,
    format: Annotated[Format, typer.Option("--format", help="json (interchange) or text")] = Format.json,
    subject: Annotated[list[str] | None, typer.Option("--subject", help="only these subjects")] = None,
    trace: Annotated[TraceLevel, typer.Option(
        "--trace", help="full: facts and conditions; summary: clauses; none: outcomes only")] = TraceLevel.full,
    indent: Annotated[int | None, typer.Option("--indent", help="indent JSON for reading")] = None,
    lang: LangOption = None,
) -> None:
    """Evaluate a case file under a policy and print the decisions."""
    day = _date(as_of)
    try:
        loaded = load_policy(policy)
        source: Any = _read_stdin() if cases == "-" else cases
        facts = load_cases(source, loaded, file="<stdin>" if cases == "-" else None)
        decisions = evaluate(loaded, facts, day, trace=trace.value, subjects=subject or None)
    except ZwcxError as error:
        _fail(error.diagnostics, _lang(lang))
        return
    if format is Format.text:
        typer.echo(render_text(decisions, loaded.resolved.catalogue), nl=False)
    elif indent is not None:
        typer.echo(decisions.model_dump_json(indent=indent))
    else:
        typer.echo(render_json(decisions))


def _read_stdin() -> Any:
    text = sys.stdin.read()
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ZwcxError(Diagnostic(
            code="Z600", message=f"not JSON: {error.msg} at line {error.lineno}, column {error.colno}",
            file="<stdin>", help="a case file is one JSON object with `subjects` and `events`")) from None


@app.command("test")
def test_command(
    policies: Annotated[list[str], typer.Argument(help="policy files or ids; their tests are in tests/<id>/ beside them")],
    coverage: Annotated[bool, typer.Option("--coverage", help="also measure which rules, branches, clauses and "
                                                             "source sentences the tests cover")] = False,
    format: Annotated[Format, typer.Option("--format", help="coverage report: text (tables) or json")] = Format.text,
    html: Annotated[Path | None, typer.Option(
        "--html", metavar="DIR", help="write DIR/<policy>.html, the coloured source document (implies --coverage)")] = None,
    fail_under: Annotated[float | None, typer.Option(
        "--fail-under", metavar="N",
        help="exit 1 if rule or clause coverage of any policy is below N percent (implies --coverage)")] = None,
    lang: LangOption = None,
) -> None:
    """Run the policy test files of each policy; print each failure with its expectations and trace.

    With --coverage: which rules fired and did not, which `or`/`else` branches were taken, which clauses
    are covered, and how each sentence of the source document stands (tested, encoded, not encoded,
    unaccounted), with a hint for every uncovered item.
    """
    measuring = coverage or html is not None or fail_under is not None or format is Format.json
    language = _lang(lang)
    passed = failed = 0
    reports: list[PolicyCoverage] = []
    for ref in policies:
        try:
            loaded = load_policy(ref)
            if measuring:
                reports.append(measure(loaded))
                results = reports[-1].results
            else:
                results = run_policy_tests(loaded)
        except ZwcxError as error:
            _fail(error.diagnostics, language)
            return
        ok, bad = _report_results(loaded, results, err=format is Format.json, lang=language)
        passed, failed = passed + ok, failed + bad
    below = fail_under is not None and any(r.below(fail_under) for r in reports)
    if measuring:
        _report_coverage(reports, format, html, fail_under, language)
    counts = translate_line(f"{passed} passed, {failed} failed", language)
    typer.echo(counts, err=not (format is Format.text or not measuring))
    raise typer.Exit(1 if failed or not passed or below else 0)


def _report_results(loaded: Policy, results: list[CaseResult], err: bool, lang: str = "en") -> tuple[int, int]:
    """Print each failed case (to stderr when stdout carries JSON); the counts of passed and failed."""
    failed = [r for r in results if not r.passed]
    for result in failed:
        typer.echo(translate_line(f"FAILED {loaded.id} {result.case.file.name} :: {result.case.name}", lang), err=err)
        typer.echo("\n".join(f"  {translate_line(line, lang)}" for line in result.failures), err=err)
        if result.decisions is not None:
            typer.echo(render_text(result.decisions, loaded.resolved.catalogue), err=err)
    if not results:
        typer.echo(translate_line(f"{loaded.id}: no test files in tests/{loaded.id}/ beside the policy", lang), err=err)
    return len(results) - len(failed), len(failed)


def _report_coverage(reports: list[PolicyCoverage], format: Format, html: Path | None,
                     fail_under: float | None, lang: str = "en") -> None:
    """The coverage tables or JSON, the HTML pages, and which policies fall under --fail-under."""
    if html is not None:
        html.mkdir(parents=True, exist_ok=True)
        for report in reports:
            (html / f"{report.id}.html").write_text(render_html(report), encoding="utf-8")
    if format is Format.json:
        typer.echo(json.dumps({"policies": [r.to_json() for r in reports], "fail_under": fail_under},
                              ensure_ascii=False, indent=2))
        return
    console = Console(width=max(120, shutil.get_terminal_size().columns), soft_wrap=False)
    console.print(summary_table(reports))
    for report in reports:
        console.print(uncovered_report(report), soft_wrap=True)
    if html is not None:
        typer.echo("HTML: " + ", ".join(str(html / f"{r.id}.html") for r in reports))
    for report in reports:
        if fail_under is not None and report.below(fail_under):
            typer.echo(translate_line(f"{report.id}: rule or clause coverage is below {fail_under:g}%", lang))


class KeywordStyle(StrEnum):
    en = "en"
    zh = "zh"


@app.command("fmt")
def fmt_command(
    files: Annotated[list[Path], typer.Argument(help="policy files, or directories searched for *.zwcx")],
    check: Annotated[bool, typer.Option(
        "--check", help="write nothing: list the files that would change and exit 1 if there are any")] = False,
    keywords: Annotated[KeywordStyle | None, typer.Option(
        "--keywords", help="print keywords in English (en) or Chinese (zh); default: each file's dominant style")] = None,
) -> None:
    """Rewrite policy files in the canonical layout, comments kept (see docs/fmt.md)."""
    paths = _policy_files(files)
    changed = failed = 0
    for path in paths:
        text = path.read_bytes().decode("utf-8")
        try:
            formatted = format_source(SourceFile(str(path), text, path), keywords.value if keywords else None)
        except ZwcxError as error:
            typer.echo(render_diagnostics(error.diagnostics), err=True)
            failed += 1
            continue
        except FormatError as error:
            typer.echo(f"error: {error} (a bug in `zwcx fmt`; the file is left as it is)", err=True)
            failed += 1
            continue
        if formatted == text:
            continue
        changed += 1
        if check:
            typer.echo(f"would reformat {path}")
        else:
            path.write_bytes(formatted.encode("utf-8"))
            typer.echo(f"reformatted {path}")
    verb = "would be reformatted" if check else "reformatted"
    summary = f"{changed} file{'' if changed == 1 else 's'} {verb}, {len(paths) - changed - failed} unchanged"
    typer.echo(summary + (f", {failed} not formatted (errors)" if failed else ""), err=True)
    raise typer.Exit(1 if failed or (check and changed) else 0)


def _policy_files(arguments: list[Path]) -> list[Path]:
    paths: list[Path] = []
    for argument in arguments:
        if argument.is_dir():
            paths += sorted(argument.rglob("*.zwcx"))
        elif argument.is_file():
            paths.append(argument)
        else:
            raise typer.BadParameter(f"no such file or directory: {argument}")
    return paths


@app.command("demo")
def demo_command(
    format: Annotated[Format, typer.Option("--format", help="text or json")] = Format.text,
) -> None:
    """Evaluate the bundled example case file under the Jiangxi policy and print each decision."""
    cases = examples_dir() / "cases.json"
    try:
        loaded = load_policy("jiangxi")
        decisions = evaluate(loaded, load_cases(cases, loaded))
    except ZwcxError as error:
        _fail(error.diagnostics)
        return
    if format is Format.json:
        typer.echo(decisions.model_dump_json(indent=2))
        return
    typer.echo(f"# zwcx demo: policies/jiangxi.zwcx on {Path('examples') / cases.name}\n")
    typer.echo(render_text(decisions, loaded.resolved.catalogue), nl=False)
    try:
        compared = [evaluate(policy, examples_dir() / "compare.json") for policy in JURISDICTIONS]
    except ZwcxError as error:
        _fail(error.diagnostics)
        return
    typer.echo(f"\n# one case file ({Path('examples') / 'compare.json'}), five jurisdictions: "
               "each cell is the status and the clause that caused it; ≠ marks rows whose statuses differ\n")
    typer.echo(render_comparison(compared, width=220, by_status=True), nl=False)


@app.command("explain")
def explain_command(
    policy: Annotated[str, typer.Argument(help="a policy file or id")],
    cases: Annotated[str, typer.Argument(help="a case file (JSON)")],
    subject: Annotated[str, typer.Option("--subject", help="the subject to explain")],
    outcome: Annotated[str | None, typer.Option("--outcome", help="only outcomes of this measure")] = None,
    why_not_measure: Annotated[str | None, typer.Option("--why-not", help="why the subject lacks this measure")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="decide on this date (YYYY-MM-DD)")] = None,
    lang: Annotated[Lang | None, typer.Option("--lang", help="zh or en; default: $ZWCX_LANG, else zh")] = None,
) -> None:
    """A justification tree: the clause, the facts, the exceptions considered and the responsibility chain."""
    day = _date(as_of)
    # the tree's documented default is Chinese: only ZWCX_LANG changes it, not the locale
    chosen = lang.value if lang is not None else default_language(locale=False, default="zh")
    language: Literal["zh", "en"] = "en" if chosen == "en" else "zh"
    try:
        loaded = load_policy(policy)
        facts = load_cases(cases, loaded)
        if why_not_measure is not None:
            trees = [why_not(loaded, facts, subject, why_not_measure, day, language)]
        else:
            trees = explain(loaded, facts, subject, outcome, day, language)
    except ZwcxError as error:
        _fail(error.diagnostics, language)
        return
    typer.echo("\n\n".join(render_tree(tree) for tree in trees))


@app.command("diff")
def diff_command(
    policy_a: Annotated[str, typer.Argument(help="a policy file or id")],
    policy_b: Annotated[str, typer.Argument(help="another policy file or id (another place, or another version)")],
    cases: Annotated[str, typer.Argument(help="a case file (JSON)")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="decide on this date (YYYY-MM-DD)")] = None,
    format: Annotated[Format, typer.Option("--format", help="text (lines) or json (one object per field)")] = Format.text,
    all_fields: Annotated[bool, typer.Option(
        "--all-fields", help="compare clause, rule and `also` even when the policies share no layer")] = False,
) -> None:
    """Every field of every record and outcome that differs between two policies on the same cases."""
    day = _date(as_of)
    try:
        results = []
        for ref in (policy_a, policy_b):
            loaded = load_policy(ref)
            results.append(evaluate(loaded, load_cases(cases, loaded), day))
    except ZwcxError as error:
        _fail(error.diagnostics)
        return
    before, after = results
    # two unrelated places never cite the same clause or rule: unless asked, compare what happens
    own_names = all_fields or share_layers(before, after)
    differences = diff(before, after, own_names=own_names)
    if format is Format.json:
        typer.echo(json.dumps([d.to_json() for d in differences], ensure_ascii=False, indent=2))
        return
    a, b = before.policy.id, after.policy.id
    typer.echo(render_differences(differences, a, b), nl=False)
    items = len({(d.subject, d.item) for d in differences})
    typer.echo(f"{items} difference{'s' if items != 1 else ''} between {a} and {b}"
               + (f" ({len(differences)} field{'s' if len(differences) != 1 else ''})" if differences else ""))
    if not own_names:
        typer.echo(f"clause, rule and also not compared: {a} and {b} share no layer (--all-fields compares them)")


class BatchFormat(StrEnum):
    jsonl = "jsonl"
    parquet = "parquet"


class Engine(StrEnum):
    local = "local"
    dask = "dask"


@app.command("batch")
def batch_command(
    policy: Annotated[str, typer.Argument(help="a policy file or id")],
    input: Annotated[Path, typer.Argument(help="JSON Lines (a subject a line, events nested) or Parquet")],
    out: Annotated[Path, typer.Option("--out", help="the output folder")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="decide on this date (YYYY-MM-DD)")] = None,
    workers: Annotated[int, typer.Option("--workers", help="processes (0: every core)")] = 0,
    trace: Annotated[TraceLevel, typer.Option("--trace", help="full, summary or none")] = TraceLevel.summary,
    format: Annotated[BatchFormat, typer.Option("--format", help="jsonl or parquet")] = BatchFormat.jsonl,
    resume: Annotated[bool, typer.Option("--resume", help="finish a run that was stopped")] = False,
    max_errors: Annotated[int | None, typer.Option("--max-errors", help="stop past this many bad lines")] = None,
    engine: Annotated[Engine, typer.Option("--engine", help="local processes or a Dask cluster")] = Engine.local,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Dask scheduler address")] = None,
    chunk_size: Annotated[int, typer.Option("--chunk-size", help="subjects per chunk")] = 2000,
    lang: LangOption = None,
) -> None:
    """Evaluate a province's subjects from JSON Lines or Parquet into DIR, streaming and resumable."""
    from zwcx_rules.batch import BatchOptions, run_batch

    options = BatchOptions(policy=policy, input=input, out=out, as_of=_date(as_of), workers=workers,
                           trace=trace.value, format=format.value, resume=resume, max_errors=max_errors,
                           chunk_size=chunk_size)
    mapper = None
    if engine is Engine.dask:
        from zwcx_rules.batch.dask import chunk_mapper

        mapper = chunk_mapper(scheduler)
    try:
        if sys.stderr.isatty():
            summary = _with_progress(lambda progress: run_batch(options, progress, mapper))
        else:
            summary = run_batch(options, None, mapper)
    except ZwcxError as error:
        _fail(error.diagnostics, _lang(lang))
        return
    if sys.stderr.isatty():
        _batch_table(summary)
    typer.echo(translate_line(f"{summary.subjects} subjects decided, {summary.errors} lines rejected"
                              + (" (stopped early past --max-errors)" if summary.stopped_early else "")
                              + f", {summary.seconds:.1f} s → {out}", _lang(lang)), err=True)
    raise typer.Exit(1 if summary.errors else 0)


def _with_progress(run: Any) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("[bold]zwcx batch"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]}"), TimeRemainingColumn())
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task("subjects", total=None, rate="")
        started = time.perf_counter()

        def progress(done: int, total: int) -> None:
            rate = done / max(time.perf_counter() - started, 1e-9)
            bar.update(task, completed=done, total=total, rate=f"{rate:,.0f} subjects/s")
        return run(progress)


def _batch_table(summary: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="zwcx batch")
    for column in ("measure", "status", "outcomes"):
        table.add_column(column)
    for key, count in sorted(summary.counts.items()):
        measure, status = key.split("\t")
        table.add_row(measure, status, f"{count:,}")
    Console(stderr=True).print(table)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
