"""Theme placement as a small learned decision over theme-agnostic features of each (article,
theme) pair: the measurement behind the note in briefer/group/theme_patterns.py (tried, not
taken; the figures are in the note below the imports).

    python benchmarks/themes_learned.py ../shared/eval/themes_dev.jsonl \
        ../shared/eval/themes_dev.toml --alt benchmarks/themes_alt.toml \
        --third benchmarks/themes_third.toml

Each high row is read as themes.placements reads it (the same patterns, mentions, readings and
null model; the rebuilt shipped choice is checked against place_themes row by row), and each
(row, theme) pair is described by features that name no theme and no word, so weights fitted
with one themes file can be read with another:
- z_front, z_whole: the front and the whole article's score in SDs of the theme's null above
  its mean (the shipped rule places at 10 on either); z_best: the larger of the two;
- head, lead: the score of the headline's mentions alone and of the lead's alone (each at its
  field weight, saturated at the report's length), in null SDs;
- distinct: log(1 + the theme's own words and phrases the whole article mentions);
- outright: the share of the whole article's score from the name and keywords (the user naming
  the subject); synonym: the share from near-synonyms (the rest is description words);
- gap: z_whole less the best z_whole of the file's other themes;
- headlined: the headline says the theme's name or a keyword (the shipped tie-break).
Sets: "small" (z_front, z_whole, gap, headlined) and "full" (the first nine), fixed before any
fit; "cut" (z_best, headlined: the shipped rule's own quantities), the log-scaled reading of
the z features and the '+cut' lines were added after the first run, to see whether the model's
form or its operating point held it back. A pair is a candidate only if it passes the shipped
rules that are not the cut: two mentions of the theme's words and the theme's proper names
named, in one reading.

Two models, each with an intercept and an L2 penalty of LAMBDA on the standardised weights:
- choice: a conditional logit: each candidate theme's utility w.x + b against Other's 0, the
  row filed under the candidate of highest utility when it is above 0 (which theme wins and
  whether it clears Other, decided at once);
- pairs: a logistic regression of "this theme is the row's label" over candidate pairs, the
  row filed under the most probable candidate when its probability is 0.5 or more.
'+cut': the same weights with the intercept moved to the fitting rows' best accuracy.
Protocol: fit on half A of one wording; report half B of the same wording and both halves of
the other two wordings (which share no words with the fitting file); and fit on half A of all
three wordings pooled, report half B of each. Each line gives accuracy and, against the shipped
rule on the same rows, rows gained and lost; each block ends with how many of those halves the
fit bettered. Also, for reference: the self-written fixture (tests/fixtures/themes_dev.jsonl,
115 rows, three themes) with samples/themes.toml and its second wording
(tests/fixtures/themes_alt.toml), which no fit sees; LAMBDA 0.1 and 10; and the fit on all 420
rows read on themselves (in-sample; the log-loss optimum, not accuracy's, so no bound); and each
wording read with a fit on every row of the other two (leave one wording out).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from scipy import optimize, sparse

from briefer.clean import clean
from briefer.group import load_themes, place_themes
from briefer.group import theme_patterns as P
from briefer.group import themes as T
from briefer.group.texts import TITLE_PART, document_parts, read_texts
from briefer.group.theme_choice import Reading, choose, headlined
from briefer.records import OTHER_THEME, Theme

sys.path.insert(0, str(Path(__file__).resolve().parent))
from themes_halves import auc, half, parsed, read_rows, row_article, wordings

# Measured, not taken (2026-12-05, main b6af2e5; shipped half A / B: file 0.882 / 0.736, second
# 0.750 / 0.792, third 0.706 / 0.667). 24 variants (2 models x 3 sets x linear / log x the cut
# as fitted / moved), each fitted on each wording's half A and on the three pooled:
# - Fitted on one wording's half A, no variant bettered the shipped rule on the other wordings'
#   halves (12 halves each) but one (pairs, full, linear, fitted on the file's half A: the second
#   wording's half A 0.765, +4 -3; its own half B 0.667, -5 rows); own half B better only for
#   the full set fitted on the third wording (choice, linear 0.694, log 0.708 on its half B),
#   which then fall on every other wording's half (file A 0.750 / 0.809, B 0.722 / 0.694;
#   second A 0.691 / 0.676, B 0.694 / 0.681).
# - Pooled over the three half A's, no variant reaches the second wording's half B (0.764 at
#   best, against 0.792). Best: 0.736 / 0.764 / 0.681, the cut set with its cut moved (pairs;
#   choice 0.722 on the file's): the shipped rule relearned, ranking by z instead of the own
#   words. Over all variants: cut 0.708-0.736 / 0.736-0.764 / 0.611-0.681; small 0.694-0.736 /
#   0.722-0.764 / 0.583-0.681; full 0.667-0.694 / 0.708-0.736 / 0.597-0.639.
# - Left one wording out (fitted on all 280 rows of the other two, every variant): the held-out
#   wording's half A / B file 0.794-0.882 / 0.653-0.750, second 0.676-0.750 / 0.681-0.778, third
#   0.618-0.676 / 0.597-0.653; at best one row fewer right than the shipped rule over both halves
#   (file), two (second), four (third).
# - The extra features fit half A (full, fitted on the file's half A: 0.912) and carry nothing
#   past the z-score: of the label's theme against the other candidates, AUC z_whole 0.936 /
#   0.926 / 0.882, gap 0.930 / 0.910 / 0.852, lead 0.873 / 0.874 / 0.780, distinct 0.831 /
#   0.831 / 0.801, outright 0.730 / 0.822 / 0.779, head 0.774 / 0.763 / 0.680, synonym 0.49-0.60.
#   The third wording's themed rows sit lower (median z_whole of the label's theme 8.5 against
#   14.2 and 14.5, lead 3.6 against 7.0 and 7.1): a per-file shift that weights shared by all
#   files cannot follow without reading the run's other articles.
# - At the log-loss optimum the models leave more themed rows in Other (pooled, small: file half
#   B 14 missed against 8, third 23 against 17); moving the cut to half A's best accuracy
#   recovers the shipped rule, not more. The fixture (no fit sees it): pooled fits 0.843-0.878
#   with the samples' themes (shipped 0.861), 0.843-0.887 with its second wording (0.852).

REPO = Path(__file__).resolve().parent.parent
FEATURES = (
    "z_front",
    "z_whole",
    "head",
    "lead",
    "distinct",
    "outright",
    "synonym",
    "gap",
    "headlined",
    "z_best",
)
SETS = {
    "cut": ("z_best", "headlined"),
    "small": ("z_front", "z_whole", "gap", "headlined"),
    "full": FEATURES[:9],
}
# The features in null SDs, read also as sign(x) log(1 + |x|): a z of 40 is not four times
# the evidence of a z of 10 to a reader, and in a linear utility it would outweigh the rest.
SCALED = ("z_front", "z_whole", "head", "lead", "gap", "z_best")
LAMBDA = 1.0  # sklearn's default C = 1, as an L2 penalty on standardised weights
LAMBDAS = (0.1, 10.0)  # sensitivity, reported, never chosen on


@dataclass(frozen=True)
class Table:
    """One wording's rows: features of every (row, theme) pair and what decides."""

    wording: str
    x: np.ndarray  # rows x themes x FEATURES
    candidate: np.ndarray  # rows x themes: passes the mention and proper-name rules
    gold: np.ndarray  # rows: the label's theme index, -1 for Other
    shipped: np.ndarray  # rows: the shipped choice (-1 Other)
    halves: np.ndarray  # rows: "A" or "B"

    def part(self, which: str) -> Table:
        keep = self.halves == which if which in ("A", "B") else np.ones(len(self.gold), bool)
        return replace(
            self,
            x=self.x[keep],
            candidate=self.candidate[keep],
            gold=self.gold[keep],
            shipped=self.shipped[keep],
            halves=self.halves[keep],
        )


def _null(themes: tuple[Theme, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Each theme's null mean and SD (null_threshold at 0 and 1 SD)."""
    saved = P._NULL_SIGMAS
    try:
        P._NULL_SIGMAS = 0.0
        mean = np.asarray([P.null_threshold(p) for p in P.themes_patterns(themes)])
        P._NULL_SIGMAS = 1.0
        sd = np.asarray([P.null_threshold(p) for p in P.themes_patterns(themes)]) - mean
    finally:
        P._NULL_SIGMAS = saved
    return mean, np.maximum(sd, 1e-12)


def table(
    wording: str, rows: list[dict[str, object]], themes_path: Path, rename: dict[str, str]
) -> Table:
    themes = load_themes(themes_path)
    names = [t.name for t in themes]
    docs = [clean(row_article(row)) for row in rows]
    texts = read_texts([document_parts(d) for d in docs])
    count = len(docs)
    story_of = np.arange(count, dtype=np.int64)
    # As themes.placements builds its query.
    patterns = P.themes_patterns(themes)
    needed = np.asarray([P.null_threshold(p) for p in patterns])
    columns = sorted({p.stems for tp in patterns for p in tp})
    read = T._mentions(texts, columns, themes)
    hits = read.hits
    weights, own, outright = T.pattern_weights(patterns, columns)
    query = (weights, own, needed)
    front = T._read(hits, hits.weight, read.front_length, story_of, query, read.named_front)
    whole = T._read(hits, hits.whole, read.whole_length, story_of, query, read.named_whole)
    said = headlined(texts, hits, outright, story_of, count)
    _, shipped = choose(front, whole, said)
    placed = place_themes([[d] for d in docs], themes)
    check = [names[b] if b >= 0 else OTHER_THEME for b in shipped.tolist()]
    assert check == [p.theme for p in placed], "rebuilt choice differs from place_themes"

    in_head = np.zeros(len(hits.first), dtype=bool)
    ordered = hits.first >= 0
    in_head[ordered] = texts.part[hits.first[ordered]] == TITLE_PART
    in_lead = ~in_head & (hits.weight == P._LEAD_FIELD)

    def part_scores(mask: np.ndarray) -> np.ndarray:
        reading = T._read(
            hits,
            np.where(mask, hits.weight, 0.0),
            read.front_length,
            story_of,
            query,
            read.named_front,
        )
        return reading.scores

    mean, sd = _null(themes)
    z_front = (front.scores - mean) / sd
    z_whole = (whole.scores - mean) / sd
    head = part_scores(in_head) / sd
    lead = part_scores(in_lead) / sd
    mentioned = sparse.csr_matrix(whole.gains, copy=True)
    mentioned.data = (mentioned.data > 0).astype(np.float64)
    distinct = np.log1p(np.asarray(mentioned @ (own > 0)).reshape(count, len(themes)))
    safe = np.where(whole.scores > 0, whole.scores, 1.0)
    out_share = np.asarray(whole.gains @ (weights * outright)).reshape(count, -1) / safe
    syn_share = (whole.scores - whole.own) / safe
    others = np.stack(
        [np.delete(z_whole, t, axis=1).max(axis=1) for t in range(len(themes))], axis=1
    )
    gap = z_whole - others
    x = np.stack(
        [
            z_front,
            z_whole,
            head,
            lead,
            distinct,
            out_share,
            syn_share,
            gap,
            said.astype(float),
            np.maximum(z_front, z_whole),
        ],
        axis=2,
    )
    candidate = _candidates(front) | _candidates(whole)
    index = {name: t for t, name in enumerate(names)}
    gold = np.asarray(
        [
            -1 if r["label"] == "Other" else index[rename.get(str(r["label"]), str(r["label"]))]
            for r in rows
        ]
    )
    halves = np.asarray([half(str(r["id"])) for r in rows])
    return Table(wording, x, candidate, gold, shipped, halves)


def _candidates(reading: Reading) -> np.ndarray:
    result: np.ndarray = (reading.mentions >= P._MIN_MENTIONS) & reading.qualified
    return result


@dataclass(frozen=True)
class Model:
    kind: str  # "choice" or "pairs"
    features: tuple[str, ...]
    log: bool  # the SCALED features read as sign(x) log(1 + |x|)
    mean: np.ndarray
    scale: np.ndarray
    w: np.ndarray
    b: float

    def utility(self, x: np.ndarray) -> np.ndarray:
        z = (_columns(x, self.features, self.log) - self.mean) / self.scale
        return np.asarray(z @ self.w + self.b)

    def decide(self, tab: Table) -> np.ndarray:
        u = np.where(tab.candidate, self.utility(tab.x), -np.inf)
        best = np.argmax(u, axis=1)
        top = u[np.arange(len(u)), best]
        # choice: above Other's utility 0; pairs: probability 0.5 or more (logit 0).
        placed = top > 0 if self.kind == "choice" else top >= 0
        return np.where(placed, best, -1)

    def raw(self) -> tuple[dict[str, float], float]:
        """The weights in the features' own units and the intercept."""
        w = self.w / self.scale
        return dict(zip(self.features, w.tolist(), strict=True)), self.b - float(w @ self.mean)


def _columns(x: np.ndarray, features: tuple[str, ...], log: bool) -> np.ndarray:
    cols = [FEATURES.index(f) for f in features]
    picked = x[..., cols]
    if log:
        for i, f in enumerate(features):
            if f in SCALED:
                picked[..., i] = np.sign(picked[..., i]) * np.log1p(np.abs(picked[..., i]))
    return picked


def fit(
    kind: str, features: tuple[str, ...], log: bool, tabs: list[Table], lam: float = LAMBDA
) -> Model:
    # rows x themes x features (every file here has six themes)
    x = np.concatenate([_columns(t.x, features, log) for t in tabs])
    cand = np.concatenate([t.candidate for t in tabs])
    gold = np.concatenate([t.gold for t in tabs])
    pairs = x[cand]
    mean = pairs.mean(axis=0)
    scale = np.where(pairs.std(axis=0) > 0, pairs.std(axis=0), 1.0)
    z = (x - mean) / scale
    nf = len(features)
    if kind == "choice":
        # A row whose label is a theme that is no candidate cannot be placed right: left out.
        usable = (gold < 0) | cand[np.arange(len(gold)), np.maximum(gold, 0)]
        z, c, g = z[usable], cand[usable], gold[usable]
        onehot = np.zeros(c.shape)
        onehot[np.arange(len(g))[g >= 0], g[g >= 0]] = 1.0

        def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
            w, b = theta[:nf], theta[nf]
            u = np.where(c, z @ w + b, -np.inf)
            top = np.maximum(u.max(axis=1), 0.0)
            e = np.where(c, np.exp(u - top[:, None]), 0.0)
            norm = np.exp(-top) + e.sum(axis=1)
            p = e / norm[:, None]
            chosen = np.where(g >= 0, np.where(onehot > 0, u, 0.0).sum(axis=1), 0.0)
            value = float((top + np.log(norm) - chosen).sum()) + 0.5 * lam * float(w @ w)
            diff = p - onehot  # rows x themes
            gw = np.einsum("rt,rtf->f", diff, np.where(c[..., None], z, 0.0)) + lam * w
            gb = float(diff.sum())
            return value, np.append(gw, gb)
    else:
        zp = z[cand]
        y = np.zeros(cand.shape)
        y[np.arange(len(gold))[gold >= 0], gold[gold >= 0]] = 1.0
        yp = y[cand]

        def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
            w, b = theta[:nf], theta[nf]
            s = zp @ w + b
            value = float(np.logaddexp(0.0, s).sum() - (yp * s).sum()) + 0.5 * lam * float(w @ w)
            p = 1.0 / (1.0 + np.exp(-s))
            return value, np.append(zp.T @ (p - yp) + lam * w, float((p - yp).sum()))

    found = optimize.minimize(loss, np.zeros(nf + 1), jac=True, method="L-BFGS-B")
    return Model(kind, features, log, mean, scale, found.x[:nf], float(found.x[nf]))


def figure(tab: Table, decided: np.ndarray) -> str:
    right = decided == tab.gold
    was = tab.shipped == tab.gold
    return f"{right.mean():.3f} (+{int((right & ~was).sum())} -{int((was & ~right).sum())})"


def kinds(tab: Table, decided: np.ndarray) -> str:
    """Errors: a themed row left in Other, an Other row filed, a wrong theme."""
    wrong = decided != tab.gold
    return (
        f"missed {int((wrong & (decided < 0)).sum())} filed {int((wrong & (tab.gold < 0)).sum())}"
        f" crossed {int((wrong & (decided >= 0) & (tab.gold >= 0)).sum())}"
    )


def accuracy(model: Model, tab: Table) -> tuple[float, float]:
    """Accuracy of the model and of the shipped rule on the same rows."""
    return float(np.mean(model.decide(tab) == tab.gold)), float(np.mean(tab.shipped == tab.gold))


def report(label: str, model: Model, tabs: dict[str, Table]) -> None:
    cells = []
    for name, tab in tabs.items():
        a, b = tab.part("A"), tab.part("B")
        cells.append(f"{name} A {figure(a, model.decide(a))} B {figure(b, model.decide(b))}")
    print(f"  {label:17} " + " | ".join(cells))


def tuned(model: Model, tabs: list[Table]) -> Model:
    """The model with its intercept moved to where accuracy on the fitting rows is highest (the
    log-loss optimum is not accuracy's: it leaves more themed rows in Other); ties go to the
    smallest move."""
    utilities = [np.where(t.candidate, model.utility(t.x), -np.inf).max(axis=1) for t in tabs]
    edges = np.unique(np.concatenate([u[np.isfinite(u)] for u in utilities]))
    moves = np.concatenate([[0.0], -(edges[:-1] + edges[1:]) / 2 if len(edges) > 1 else []])
    if len(edges):
        moves = np.concatenate([moves, [-edges[0] + 1e-6, -edges[-1] - 1e-6]])

    def right(move: float) -> int:
        shifted = replace(model, b=model.b + move)
        return sum(int((shifted.decide(t) == t.gold).sum()) for t in tabs)

    best = max(sorted(moves.tolist(), key=abs), key=right)
    return replace(model, b=model.b + best)


def block(
    kind: str,
    features: tuple[str, ...],
    log: bool,
    tabs: dict[str, Table],
    fixture: dict[str, Table],
) -> None:
    """One model and feature set: every fit of the protocol, and the verdict."""
    scale = "log" if log else "linear"
    print(
        f"\n{kind} / {scale} ({', '.join(features)}), lambda {LAMBDA}: accuracy "
        "(rows gained / lost against the shipped rule); '+cut': the intercept then moved to "
        "the fitting rows' best accuracy"
    )
    verdicts: dict[str, tuple[list[bool], list[bool], list[bool]]] = {
        "": ([], [], []),
        "+cut": ([], [], []),
    }
    for name, tab in tabs.items():
        plain = fit(kind, features, log, [tab.part("A")])
        for suffix, model in (("", plain), ("+cut", tuned(plain, [tab.part("A")]))):
            report(f"fit {name} A{suffix}", model, tabs)
            own_b, transfer, _ = verdicts[suffix]
            for other, held in tabs.items():
                for which in ("A", "B") if other != name else ("B",):
                    new, old = accuracy(model, held.part(which))
                    (own_b if other == name else transfer).append(new > old)
    halves_a = [t.part("A") for t in tabs.values()]
    plain = fit(kind, features, log, halves_a)
    for suffix, pooled in (("", plain), ("+cut", tuned(plain, halves_a))):
        report(f"fit pooled A{suffix}", pooled, tabs)
        verdicts[suffix][2].extend(
            new > old for new, old in (accuracy(pooled, t.part("B")) for t in tabs.values())
        )
        if fixture:
            cells = [
                f"{name} {accuracy(pooled, tab)[0]:.3f} (shipped {accuracy(pooled, tab)[1]:.3f})"
                for name, tab in fixture.items()
            ]
            print(f"  fixture, pooled fit{suffix}: " + " | ".join(cells))
    for lam in LAMBDAS:
        report(f"pooled lambda {lam}", fit(kind, features, log, halves_a, lam), tabs)
    report("in-sample, all", fit(kind, features, log, list(tabs.values())), tabs)
    # Leave one wording out: fitted on every row of the other two (280 rows), read on this one.
    cells = []
    for name, tab in tabs.items():
        held_out = fit(kind, features, log, [t for n, t in tabs.items() if n != name])
        for suffix, model in (
            ("", held_out),
            ("+cut", tuned(held_out, [t for n, t in tabs.items() if n != name])),
        ):
            a, b = tab.part("A"), tab.part("B")
            cells.append(
                f"{name}{suffix} A {figure(a, model.decide(a))} B {figure(b, model.decide(b))}"
            )
    print("  fit the other two wordings, all rows: " + " | ".join(cells))
    raw, intercept = plain.raw()
    print(
        "  pooled weights: "
        + ", ".join(f"{k} {v:+.3f}" for k, v in raw.items())
        + f", intercept {intercept:+.3f}"
        + (" (features log-scaled)" if log else "")
    )
    for suffix, (own_b, transfer, pooled_b) in verdicts.items():
        print(
            f"  verdict{suffix}: own half B better {sum(own_b)} of {len(own_b)}; other "
            f"wordings' halves better {sum(transfer)} of {len(transfer)}; pooled half B "
            f"better {sum(pooled_b)} of {len(pooled_b)}"
        )


def main() -> int:
    given = parsed()
    if given is None:
        return 0
    args, loaded = given
    rows = [r for r in loaded if r.get("confidence") == "high"]
    tabs = {label: table(label, rows, path, rename) for label, path, rename in wordings(args)}
    print("shipped rule (accuracy; errors: themed rows missed / Other rows filed / crossed):")
    for name, tab in tabs.items():
        a, b = tab.part("A"), tab.part("B")
        print(
            f"  {name:5} A {np.mean(a.shipped == a.gold):.3f} ({kinds(a, a.shipped)})"
            f"  B {np.mean(b.shipped == b.gold):.3f} ({kinds(b, b.shipped)})"
        )
    print("each feature's AUC, the label's theme against the other candidate pairs:")
    for name, tab in tabs.items():
        c = tab.candidate
        y = np.zeros(c.shape, dtype=bool)
        themed = tab.gold >= 0
        y[np.arange(len(tab.gold))[themed], tab.gold[themed]] = True
        aucs = " ".join(
            f"{f} {auc(tab.x[..., i][c & y], tab.x[..., i][c & ~y]):.3f}"
            for i, f in enumerate(FEATURES)
        )
        missing = int(themed.sum() - (c & y).sum())
        print(f"  {name:5} {aucs}; themed rows whose theme is no candidate {missing}")
    fixture = _fixture()
    for kind in ("choice", "pairs"):
        for log in (False, True):
            for features in SETS.values():
                block(kind, features, log, tabs, fixture)
    return 0


def _fixture() -> dict[str, Table]:
    """The self-written fixture's rows with the samples' themes and its second wording."""
    rows = read_rows(REPO / "tests" / "fixtures" / "themes_dev.jsonl")
    if rows is None:
        return {}
    samples = REPO / "samples" / "themes.toml"
    second = REPO / "tests" / "fixtures" / "themes_alt.toml"
    rename = {
        a.name: b.name for a, b in zip(load_themes(samples), load_themes(second), strict=True)
    }
    return {
        "samples": table("samples", rows, samples, {}),
        "second": table("second", rows, second, rename),
    }


if __name__ == "__main__":
    raise SystemExit(main())
