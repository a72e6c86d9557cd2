"""`briefer eval summaries|clusters|themes`: measurements on labelled data. They read no
settings, so a measurement is the same on every machine."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from briefer.cli.conventions import Command, Group, Verbose, fail
from briefer.errors import BrieferError
from briefer.options import DEFAULT_ALGORITHM, DEFAULT_SENTENCES, check_length

eval_app = typer.Typer(
    cls=Group,
    no_args_is_help=True,
    help="Measure briefer on labelled data (needs the eval extra).",
)


_Json = Annotated[bool, typer.Option("--json", metavar="", help="Print JSON instead of a table.")]


@eval_app.command("summaries", cls=Command)
def eval_summaries(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="JSONL rows with id, article, reference.")
    ],
    algorithm: Annotated[
        str,
        typer.Option(metavar="NAME", help="A sentence scorer, or 'all' for every one of them."),
    ] = DEFAULT_ALGORITHM,
    sentences: Annotated[
        int, typer.Option(metavar="N", help="Summary sentences.")
    ] = DEFAULT_SENTENCES,
    words: Annotated[int | None, typer.Option(metavar="N", help="Word budget.")] = None,
    limit: Annotated[int | None, typer.Option(metavar="N", help="Only the first N rows.")] = None,
    as_json: _Json = False,
    verbose: Verbose = 0,
) -> None:
    """ROUGE-1/2/Lsum and articles per second of the sentence scorers.

    Reads no settings: a measurement is the same on every machine."""
    import json
    from dataclasses import asdict

    from briefer.evaluation.summaries import evaluate_summaries
    from briefer.options import ALGORITHMS, check_algorithm

    try:
        check_length(sentences, words)
        if algorithm != "all":
            check_algorithm(algorithm)
        algorithms = ALGORITHMS if algorithm == "all" else (algorithm,)
        scores = evaluate_summaries(file, algorithms, sentences, words, limit)
    except BrieferError as error:
        raise fail(error) from None
    if as_json:
        typer.echo(json.dumps([asdict(score) for score in scores], indent=2))
        return
    typer.echo(f"{'algorithm':<10} {'n':>5} {'R1':>6} {'R2':>6} {'RLsum':>6} {'art/s':>9}")
    for score in scores:
        typer.echo(
            f"{score.algorithm:<10} {score.n:>5} {score.rouge1:>6.2f} {score.rouge2:>6.2f} "
            f"{score.rougeLsum:>6.2f} {score.articles_per_second:>9.1f}"
        )


@eval_app.command("clusters", cls=Command)
def eval_clusters(
    file: Annotated[
        Path,
        typer.Argument(metavar="FILE", help="JSONL rows with id, title, date, text, label."),
    ],
    undated: Annotated[
        float,
        typer.Option(
            metavar="SHARE",
            help="Leave out the dates of this share of the rows (0-1; the same rows every "
            "run): how stories hold when most reports carry no date.",
        ),
    ] = 0.0,
    as_json: _Json = False,
    verbose: Verbose = 0,
) -> None:
    """Cluster labelled articles into stories: B-cubed precision/recall/F1, ARI and NMI."""
    import json
    from dataclasses import asdict

    from briefer.evaluation.groups import evaluate_clusters

    try:
        scores = evaluate_clusters(file, undated)
    except BrieferError as error:
        raise fail(error) from None
    if as_json:
        typer.echo(json.dumps(asdict(scores), indent=2))
        return
    typer.echo(
        f"{'n':>6} {'stories':>8} {'gold':>6} {'B3-P':>6} {'B3-R':>6} {'B3-F1':>6} "
        f"{'ARI':>6} {'NMI':>6}"
    )
    typer.echo(
        f"{scores.n:>6} {scores.stories:>8} {scores.gold_stories:>6} "
        f"{scores.bcubed_precision:>6.3f} {scores.bcubed_recall:>6.3f} {scores.bcubed_f1:>6.3f} "
        f"{scores.ari:>6.3f} {scores.nmi:>6.3f}"
    )


@eval_app.command("themes", cls=Command)
def eval_themes(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="JSONL rows with title, text and label.")
    ],
    themes: Annotated[Path, typer.Option(metavar="FILE", help="The themes file to score against.")],
    map_label: Annotated[
        list[str] | None,
        typer.Option(
            metavar="LABEL=THEME",
            help="Read label LABEL as theme THEME; repeatable.",
        ),
    ] = None,
    mistakes: Annotated[
        bool, typer.Option(metavar="", help="List the misfiled articles too.")
    ] = False,
    confidence: Annotated[
        str | None,
        typer.Option(metavar="LEVEL", help="Score only the rows of this confidence (high)."),
    ] = None,
    as_json: _Json = False,
    verbose: Verbose = 0,
) -> None:
    """Accuracy and macro-F1 of the primary theme against labels ("Other" for none)."""
    import json
    from dataclasses import asdict

    from briefer.evaluation.groups import evaluate_themes, parse_label_map

    try:
        scores = evaluate_themes(file, themes, parse_label_map(map_label or []), confidence)
    except BrieferError as error:
        raise fail(error) from None
    if as_json:
        data = asdict(scores)
        if not mistakes:
            del data["mistakes"]
        typer.echo(json.dumps(data, indent=2))
        return
    typer.echo(f"n {scores.n}  accuracy {scores.accuracy:.3f}  macro-F1 {scores.macro_f1:.3f}")
    width = max(len(label) for label in scores.labels)
    typer.echo("")
    typer.echo(
        f"{'label / filed under':<{width}}  "
        + "  ".join(f"{k + 1:>4}" for k in range(len(scores.labels)))
        + "    F1"
    )
    for k, (label, row) in enumerate(zip(scores.labels, scores.confusion, strict=True)):
        cells = "  ".join(f"{count:>4}" for count in row)
        typer.echo(f"{label:<{width}}  {cells}  {scores.per_label_f1[k]:.3f}  ({k + 1})")
    if mistakes:
        typer.echo("")
        for miss in scores.mistakes:
            why = f" ({', '.join(miss.why)})" if miss.why else ""
            typer.echo(f"{miss.label} -> {miss.predicted}: {miss.title or miss.id}{why}")
