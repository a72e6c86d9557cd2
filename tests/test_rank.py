"""Ranking: weights, Top stories, storylines, the length budget, balance notes, new marks.

Hand-built weeks go through the real rank stage (the records the grouper hands it) and the
real templates; the new-since-last checks run `briefer make` twice on files in a folder.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
from pathlib import Path

import pytest
from conftest import REPO, run_cli

from briefer.rank import rank
from briefer.records import OTHER_THEME, Article, Briefing, Bullet, Coverage, Section, Story
from briefer.render import render

SAMPLES = REPO / "samples"
UNTIL = dt.date(2024, 9, 8)
SINCE = dt.date(2024, 9, 2)


def article(key: str, source: str, day: int, title: str = "") -> Article:
    return Article(
        id=key,
        title=title,
        date=dt.date(2024, 9, day),
        source=source,
        url=f"https://example.org/{key}",
        text="",
        path=f"{key}.md",
    )


def story(
    title: str,
    reports: list[Article],
    bullets: list[str],
    theme: str = "Diplomacy",
    copies: tuple[tuple[str, str], ...] = (),
) -> Story:
    return Story(
        title=title,
        articles=tuple(reports),
        bullets=tuple(Bullet(text, reports[k % len(reports)].id) for k, text in enumerate(bullets)),
        theme=theme,
        copies=copies,
    )


def briefing(*stories: Story) -> Briefing:
    themes = sorted({s.theme for s in stories}, key=lambda t: (t == OTHER_THEME, t))
    sections = tuple(
        Section(theme, "", tuple(s for s in stories if s.theme == theme)) for theme in themes
    )
    count = sum(len(s.articles) for s in stories)
    return Briefing(
        date=UNTIL,
        since=SINCE,
        until=UNTIL,
        sections=sections,
        coverage=Coverage(read=count, in_period=count),
    )


def by_title(ranked: Briefing) -> dict[str, Story]:
    return {s.title: s for s in ranked.stories}


WIDE_REPORTS = [article(f"w{k}", f"Outlet {k}", 5) for k in range(5)]
WIDE = story(
    "Harbour strike closes the port of Valmora",
    WIDE_REPORTS,
    ["Dock workers in Valmora walked out on Thursday.", "Ships queued outside the harbour."],
)
NARROW = story(
    "Council approves a new cycle lane in Orrin",
    [article("n0", "Orrin Gazette", 5)],
    ["The council voted for a cycle lane on Mill Street."],
)


def test_five_outlets_outrank_one_and_a_copy_adds_no_weight() -> None:
    ranked = by_title(rank(briefing(NARROW, WIDE)))
    wide, narrow = ranked[WIDE.title].standing, ranked[NARROW.title].standing
    assert wide is not None and narrow is not None
    assert wide.rank == 1 and narrow.rank == 2 and wide.weight > narrow.weight
    assert len(wide.outlets) == 5 and narrow.outlets == ("Orrin Gazette",)

    # The narrow story re-posted word for word by another site: listed, but no more weight.
    copied = story(
        NARROW.title,
        [*NARROW.articles, article("n1", "Aggregator", 6)],
        [b.text for b in NARROW.bullets],
        copies=(("n1", "n0"),),
    )
    again = by_title(rank(briefing(copied, WIDE)))[NARROW.title].standing
    assert again is not None
    assert again.outlets == ("Orrin Gazette",) and again.reports == 1
    # Same evidence, and its newest article is a day later only through the copy's date.
    alone = by_title(rank(briefing(NARROW, WIDE)))[NARROW.title].standing
    assert alone is not None and again.weight >= alone.weight
    assert again.weight < wide.weight


def test_themes_and_stories_follow_weight_with_other_developments_as_headlines() -> None:
    light = story("Embassy hours change", [article("l0", "Wire", 3)], ["Hours change."], "Visas")
    other = story(
        "Local fair opens", [article("o0", "Paper A", 3)], ["The fair opened."], OTHER_THEME
    )
    ranked = rank(briefing(light, other, NARROW, WIDE), top=1)
    assert [s.theme for s in ranked.sections] == ["Diplomacy", "Visas", OTHER_THEME]
    assert [s.title for s in ranked.sections[0].stories] == [WIDE.title, NARROW.title]
    assert ranked.ranking is not None and [s.title for s in ranked.ranking.top] == [WIDE.title]
    fair = by_title(ranked)["Local fair opens"].standing
    assert fair is not None and not fair.in_body, "Other developments: a headline by default"
    markdown = render(ranked, "md")
    also = markdown.split("## Also reported", 1)[1]
    assert "- Local fair opens — Paper A ([link](https://example.org/o0))" in also
    assert "Local fair opens" not in markdown.split("## Also reported", 1)[0].split("## Top")[1]


def test_an_other_story_heavier_than_a_themed_one_told_is_told_in_full_and_last() -> None:
    # Two outlets on the last day outweigh one wire three days older, though only the wire's
    # story is in a theme: the theme term is worth one doubling of the outlets, not a gate.
    light = story("Embassy hours change", [article("l0", "Wire", 3)], ["Hours change."], "Visas")
    other = story(
        "Local fair opens",
        [article("o0", "Paper A", 8), article("o1", "Paper B", 8)],
        ["The fair opened."],
        OTHER_THEME,
    )
    quiet = story("Bake sale", [article("q0", "Paper C", 2)], ["Cakes were sold."], OTHER_THEME)
    ranked = rank(briefing(light, other, quiet, NARROW, WIDE), top=1)
    weight = {s.title: s.standing.weight for s in ranked.stories if s.standing is not None}
    assert weight["Local fair opens"] > weight["Embassy hours change"] > weight["Bake sale"]
    told = {s.title for s in ranked.stories if s.standing is not None and s.standing.in_body}
    assert {"Local fair opens", "Embassy hours change"} <= told and "Bake sale" not in told
    assert ranked.sections[-1].theme == OTHER_THEME
    # Three outlets against one themed source of the same day: equal weights, and the tie
    # goes to more outlets, as the ranking breaks it.
    same_day = story("Embassy hours change", [article("l0", "Wire", 8)], ["Hours change."], "Visas")
    wide = story(
        "Port strike ends",
        [article(f"p{k}", f"Paper {k}", 8) for k in range(3)],
        ["The strike ended."],
        OTHER_THEME,
    )
    ranked = rank(briefing(same_day, wide, NARROW, WIDE), top=1)
    weight = {s.title: s.standing.weight for s in ranked.stories if s.standing is not None}
    assert weight["Port strike ends"] == pytest.approx(weight["Embassy hours change"])
    told = {s.title for s in ranked.stories if s.standing is not None and s.standing.in_body}
    assert {"Port strike ends", "Embassy hours change"} <= told


def test_the_minutes_budget_moves_the_rest_to_also_reported_and_drops_nothing() -> None:
    many = [
        story(
            f"Story {k:02d} about the harbour",
            [article(f"s{k}-{j}", f"Outlet {j}", 2 + k % 6) for j in range(1 + k % 3)],
            [f"Sentence {i} of story {k} has several ordinary words in it." for i in range(5)],
        )
        for k in range(40)
    ]
    ranked = rank(briefing(*many), minutes=1)
    assert ranked.ranking is not None
    body = [s for s in ranked.stories if s.standing and s.standing.in_body]
    rest = [s for s in ranked.stories if s.standing and not s.standing.in_body]
    assert len(body) + len(rest) == 40 and ranked.ranking.also == len(rest) > 0
    assert all(s.standing and s.standing.top for s in body), "one minute: Top stories only"
    markdown = render(ranked, "md")
    also = markdown.split("## Also reported", 1)[1].split("\n---\n")[0]
    assert sum(1 for line in also.splitlines() if line.startswith("- ")) == len(rest)
    unlimited = rank(briefing(*many), minutes=0)
    assert unlimited.ranking is not None and unlimited.ranking.also == 0
    capped = rank(briefing(*many), minutes=0, max_stories=7)
    assert capped.ranking is not None and capped.ranking.also == 33


def test_single_source_and_dominant_outlet_notes_appear_exactly_when_due() -> None:
    # Three of five articles from one outlet: more than half.
    mostly = story(
        "Ferry service resumes",
        [article("f0", "Daily Wave", 4), article("f1", "Daily Wave", 5)],
        ["The ferry sailed again."],
    )
    dominated = rank(
        briefing(
            mostly,
            NARROW,
            story(
                "Bridge",
                [article("b0", "Daily Wave", 6), article("b1", "Other Post", 6)],
                ["A bridge."],
            ),
        )
    )
    markdown = render(dominated, "md")
    assert "**Note:** Daily Wave supplied 3 of the 5 articles in this period." in markdown
    assert "*Single source: Orrin Gazette*" in markdown
    assert "*Single source: Daily Wave*" in markdown, "two reports, one outlet"
    assert "*2 independent outlets*" in markdown
    assert "Outlets (3): Daily Wave 3, Orrin Gazette 1, Other Post 1" in markdown
    # Exactly half is not more than half: no note.
    even = rank(
        briefing(mostly, NARROW, story("Bridge", [article("b1", "Other Post", 6)], ["A bridge."]))
    )
    text = render(even, "txt")
    assert "Note:" not in text and "Note:" not in render(even, "md")
    assert "Single source: Other Post" in text
    wide = render(rank(briefing(WIDE)), "md")
    assert "Single source" not in wide and "*5 independent outlets*" in wide


ODESA_DAYS = [
    (
        3,
        "Turkey hosts first round of grain corridor talks",
        [
            "Negotiators from Ukraine and Russia met in Ankara with Turkish mediators to discuss "
            "reopening the grain corridor from Odesa.",
            "Erdogan said the grain corridor talks with Guterres would continue on Wednesday.",
            "Russia's blockade of Odesa has kept millions of tonnes of Ukrainian grain in silos.",
        ],
    ),
    (
        4,
        "Grain corridor talks in Ankara reach draft on Odesa shipments",
        [
            "The grain corridor talks in Ankara produced a draft on shipments from Odesa, Turkish "
            "mediators said.",
            "Guterres welcomed the draft and urged Ukraine and Russia to agree on the grain "
            "corridor.",
            "Millions of tonnes of grain have been stuck in Odesa since Russia's blockade began.",
        ],
    ),
    (
        6,
        "Ankara grain corridor deal signed, Odesa ships to sail",
        [
            "Ukraine and Russia signed the grain corridor deal in Ankara, with Erdogan and "
            "Guterres present.",
            "The first grain ships are to leave Odesa under the corridor deal next week.",
            "The deal should free the grain held in Odesa's silos by the Russian blockade.",
        ],
    ),
    (
        8,
        "First grain ship leaves Odesa under Ankara corridor deal",
        [
            "The first ship carrying grain left Odesa under the corridor deal agreed in Ankara.",
            "Guterres and Erdogan hailed the grain corridor as the ship sailed from Odesa.",
            "Ukraine hopes to move the grain held in silos since the Russian blockade began.",
        ],
    ),
]
OPERA = story(
    "Odesa opera house reopens its doors for a ballet season",
    [article("op", "Culture Desk", 7)],
    [
        "The opera house in Odesa reopened for a ballet season with a new production.",
        "Dancers rehearsed for weeks before the premiere of the ballet.",
    ],
    "Culture",
)


# Reports of a developing event repeat its background (here the blockade of the grain), as
# real ones do. The rest of a week's news: words are weighed against the other stories of
# the period, so a storyline is tested in a week with other subjects in it, as a real one has.
OTHER_NEWS = [
    ("Central bank holds interest rates", "The central bank kept its main rate unchanged."),
    ("Heatwave grips the south", "Temperatures passed forty degrees for a third day."),
    ("Carmaker recalls electric vans", "A battery fault led to the recall of vans."),
    ("Museum returns looted bronzes", "The bronzes were handed back at a ceremony."),
    ("Striking nurses accept pay offer", "Union members voted to accept the offer."),
    ("Wildfire forces villages to evacuate", "Firefighters fought the blaze through the night."),
    ("Tech firm fined over data breach", "The regulator fined the company for the breach."),
    ("Football club sacks its manager", "The club parted ways with its manager after defeats."),
]


def storyline_week() -> list[Story]:
    grain = [
        story(title, [article(f"g{day}", f"Outlet {day}", day)], bullets)
        for day, title, bullets in ODESA_DAYS
    ]
    others = [
        story(title, [article(f"x{k}", "Wire", 2 + k % 7)], [text], "Home")
        for k, (title, text) in enumerate(OTHER_NEWS)
    ]
    return grain + others


def test_a_storyline_over_four_days_is_one_story_with_four_dated_updates() -> None:
    ranked = rank(briefing(*storyline_week(), OPERA, NARROW))
    grain = [s for s in ranked.stories if "grain" in s.title.lower()]
    assert len(grain) == 1, [s.title for s in ranked.stories]
    standing = grain[0].standing
    assert standing is not None
    assert [u.date for u in standing.updates] == [dt.date(2024, 9, d) for d in (8, 6, 4, 3)]
    assert grain[0].title == ODESA_DAYS[-1][1], "titled by its newest update"
    assert len(grain[0].articles) == 4 and len(standing.outlets) == 4
    # Two different events that share a place name stay apart.
    assert OPERA.title in {s.title for s in ranked.stories}
    markdown = render(ranked, "md")
    body = markdown.split("### " + ODESA_DAYS[-1][1], 1)[1].split("###")[0]
    dated = [line for line in body.splitlines() if line.startswith("**") and " — " in line]
    assert [line.split("**")[1] for line in dated] == [
        "8 September 2024",
        "6 September 2024",
        "4 September 2024",
        "3 September 2024",
    ]


def test_an_undated_story_ranks_mid_period_not_below_every_dated_one() -> None:
    def one(key: str, title: str, day: int | None) -> Story:
        dated = article(key, f"Outlet {key}", day or 1, title)
        report = dated if day is not None else dataclasses.replace(dated, date=None)
        return story(title, [report], [f"{title} was reported."])

    newest = one("a", "Ferry service resumes in Brask", 8)
    oldest = one("b", "Library reopens in Tolle", 2)
    undated = one("c", "Bridge repairs begin in Varn", None)
    ranked = rank(briefing(oldest, undated, newest))
    assert [s.title for s in ranked.stories] == [newest.title, undated.title, oldest.title]
    weights = [s.standing.recency for s in ranked.stories if s.standing is not None]
    # The week's mean recency: as if its newest report were equally likely on any day.
    assert weights[1] == pytest.approx(sum(0.5 ** (age / 7) for age in range(7)) / 7, abs=1e-6)
    # All undated: the same recency for every story, so evidence alone orders them.
    alone = rank(briefing(undated, one("d", "Market hall opens in Varn", None)))
    assert len({s.standing.recency for s in alone.stories if s.standing is not None}) == 1


def test_explain_says_why_a_story_ranks_where_it_does() -> None:
    ranked = rank(briefing(NARROW, WIDE), top=1)
    text = render(ranked, "md", explain=True)
    assert "*Why this place:* rank 1 of 2, weight" in text
    assert "5 outlets (2.58)" in text and "in a theme (+1.00)" in text
    data = json.loads(render(ranked, "json"))
    first = data["sections"][0]["stories"][0]["standing"]
    assert first["rank"] == 1 and first["outlets"] == [f"Outlet {k}" for k in range(5)]
    assert data["ranking"]["top"] == ["story-1"]


def test_a_story_with_new_reports_since_the_last_briefing_is_continuing() -> None:
    from briefer.rank import bullet_key
    from briefer.records import Briefed

    earlier = Briefed(
        dt.date(2024, 9, 5),
        frozenset({"w0", "w1", "n0"}),
        frozenset({bullet_key(WIDE.bullets[0].text), bullet_key(NARROW.bullets[0].text)}),
    )
    fresh = story("Museum reopens", [article("m0", "Arts Weekly", 7)], ["Doors opened."])
    ranked = by_title(rank(briefing(NARROW, WIDE, fresh), history=[earlier]))
    wide, narrow, museum = (ranked[t].standing for t in (WIDE.title, NARROW.title, fresh.title))
    assert wide and narrow and museum
    assert wide.continuing and wide.first_briefed == dt.date(2024, 9, 5) and not wide.new
    assert wide.new_bullets == (WIDE.bullets[1].text,), "only the bullet not told before"
    assert not narrow.continuing and narrow.first_briefed == dt.date(2024, 9, 5)
    assert museum.new and museum.first_briefed is None
    markdown = render(rank(briefing(NARROW, WIDE, fresh), top=2, history=[earlier]), "md")
    assert "continuing, first briefed 5 September 2024" in markdown
    assert "- Ships queued outside the harbour. [2] **new**" in markdown
    assert "Museum reopens](#museum-reopens)** · **new**" in markdown


# ---- new since the last briefing, through `briefer make` ----------------------------------------

DAY_ONE = {
    "volcano": ("Volcano erupts on Isla Brava", "Lava flowed down the slopes of the volcano."),
    "budget": ("Parliament passes the farm budget", "Farmers will get more support for seed."),
}
DAY_TWO = {
    "chess": ("Chess champion defends her title", "The final game lasted six hours in Tallinn."),
    "rail": ("Night train to Lisbon returns", "The sleeper service runs three times a week."),
}


def _write(folder: Path, key: str, title: str, text: str, day: str, source: str) -> None:
    body = " ".join([text] + [f"{text.rstrip('.')} again, in other words {n}." for n in range(4)])
    folder.joinpath(f"{key}.md").write_text(
        f'+++\ntitle = "{title}"\ndate = "{day}"\nsource = "{source}"\n'
        f'url = "https://example.org/{key}"\n+++\n\n{body}\n',
        encoding="utf-8",
    )


def test_new_only_after_a_first_briefing_shows_only_the_second_days_stories(
    tmp_path: Path,
) -> None:
    articles, out = tmp_path / "articles", tmp_path / "briefings"
    articles.mkdir()
    for key, (title, text) in DAY_ONE.items():
        _write(articles, key, title, text, "2024-09-02", f"{key.title()} News")
    common = ("--input", str(articles), "--out", str(out), "--since", "2024-09-01", "--no-cache")
    assert run_cli("make", *common, "--until", "2024-09-02", "--format", "md,json")[0] == 0
    for key, (title, text) in DAY_TWO.items():
        _write(articles, key, title, text, "2024-09-03", f"{key.title()} Times")

    def second(*extra: str) -> tuple[dict[str, object], dict[str, bytes]]:
        code, _, err = run_cli(
            "make", *common, "--until", "2024-09-03", "--format", "md,json,txt,html", *extra
        )
        assert code == 0, err
        data = json.loads((out / "2024-09-03.json").read_text(encoding="utf-8"))
        files = {p.name: p.read_bytes() for p in out.iterdir() if p.name.startswith("2024-09-03")}
        return data, files

    data, _ = second()
    titles = {s["title"]: s["standing"] for sec in data["sections"] for s in sec["stories"]}
    assert {t for t, s in titles.items() if s["new"]} == {v[0] for v in DAY_TWO.values()}
    assert {t for t, s in titles.items() if s["first_briefed"]} == {v[0] for v in DAY_ONE.values()}
    markdown = (out / "2024-09-03.md").read_text(encoding="utf-8")
    assert "New since the briefing of 2 September 2024" in markdown
    assert "· briefed 2 September 2024" in markdown and "continuing" not in markdown

    data, files = second("--new-only")
    shown = {s["title"] for sec in data["sections"] for s in sec["stories"]}
    assert shown == {v[0] for v in DAY_TWO.values()}
    assert data["ranking"]["hidden_as_briefed_before"] == 2
    # Rerunning changes no byte.
    assert second("--new-only")[1] == files


def test_busy_real_week_fits_ten_minutes(shared_dir: Path, tmp_path: Path) -> None:
    """themes_dev and bbc_dev articles re-dated into one week: the default body stays within
    ten minutes of reading (2,300 words) and every other story is one line."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from bench_rank import _busy_rows, body_words
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    if not (shared_dir / "eval" / "bbc_dev.jsonl").is_file():
        pytest.skip("bbc_dev.jsonl is not in ../shared/eval")
    week = tmp_path / "week.jsonl"
    week.write_text("".join(json.dumps(row) + "\n" for row in _busy_rows()), encoding="utf-8")
    out = tmp_path / "out"
    themes = shared_dir / "eval" / "themes_dev.toml"
    code, _, err = run_cli(
        "make", "--input", str(week), "--themes", str(themes), "--out", str(out),
        "--since", "2022-06-06", "--until", "2022-06-12", "--format", "md,json", "--no-cache",
    )  # fmt: skip
    assert code == 0, err
    markdown = (out / "2022-06-12.md").read_text(encoding="utf-8")
    data = json.loads((out / "2022-06-12.json").read_text(encoding="utf-8"))
    assert body_words(markdown) <= 2300
    also = markdown.split("## Also reported", 1)[1].split("\n---\n")[0]
    lines = [line for line in also.splitlines() if line.startswith("- ")]
    stories = [s for sec in data["sections"] for s in sec["stories"]]
    assert len(lines) == data["ranking"]["also_reported"] > 0
    assert len(lines) + sum(s["standing"]["in_body"] for s in stories) == len(stories)


def test_a_briefing_whose_stories_all_fit_in_the_top_list_has_no_top_stories() -> None:
    # Two stories and the default five Top stories: a list would repeat both just above them.
    ranked = rank(briefing(NARROW, WIDE))
    assert ranked.ranking is not None and ranked.ranking.top == ()
    standings = [s.standing for s in ranked.stories]
    assert all(s is not None and not s.top and not s.highlights for s in standings)
    assert all(s is not None and s.in_body for s in standings), "both still told in full"
    markdown, text, html = render(ranked, "md"), render(ranked, "txt"), render(ranked, "html")
    assert "Top stories" not in markdown + text + html
    assert f"### {WIDE.title}" in markdown and f"### {NARROW.title}" in markdown
    assert json.loads(render(ranked, "json"))["ranking"]["top"] == []
    # One story more than the list holds: the list opens the briefing again.
    listed = rank(briefing(NARROW, WIDE), top=1)
    assert listed.ranking is not None and [s.title for s in listed.ranking.top] == [WIDE.title]
    assert "## Top stories" in render(listed, "md")
    # --top 0 still means no list at all.
    assert "Top stories" not in render(rank(briefing(NARROW, WIDE), top=0), "md")


def test_a_top_story_highlight_never_leans_on_a_bullet_left_out() -> None:
    from briefer.rank import highlights

    lead = "The harbour strike in Valmora closed the port on Thursday."
    aside = "Dock workers voted at dawn."
    # "They" points back to the bullet before it, the aside: it shares more with the title
    # than the aside does, but shown without the aside it would name the wrong people.
    leaning = "They said the strike would close the port of Valmora for a week."
    strike = story(
        "Harbour strike closes the port of Valmora", WIDE_REPORTS, [lead, aside, leaning]
    )
    assert [b.text for b in highlights(strike.bullets, strike.title)] == [lead, aside]
    # Picked together with the bullet it leans on, it may be shown: right after it.
    shown = highlights(strike.bullets, strike.title, count=3)
    assert [b.text for b in shown] == [lead, aside, leaning]
    ranked = rank(briefing(strike, NARROW), top=1)
    assert ranked.ranking is not None
    top = ranked.ranking.top[0].standing
    assert top is not None and [b.text for b in top.highlights] == [lead, aside]


def test_a_top_story_shows_the_bullet_that_says_what_its_title_says() -> None:
    from briefer.rank import highlights

    # Two bullets on a side matter agree with each other more than either agrees with the
    # headline's claim: the claim is shown all the same, so the title is never shown over
    # bullets on another matter.
    claim = "Dock workers in Valmora voted to strike, closing the harbour from Thursday."
    side = [
        "A storm damaged the lighthouse at Cape Orran and the coast road near the lighthouse.",
        "Crews began repairing the storm damage to the Cape Orran lighthouse on Monday.",
    ]
    strike = story("Valmora dock workers vote to strike", WIDE_REPORTS, [*side, claim])

    shown = [b.text for b in highlights(strike.bullets, strike.title)]

    assert claim in shown and len(shown) == 2


def test_every_format_carries_top_stories_and_also_reported() -> None:
    many = [
        story(
            f"Story {k:02d} about the harbour",
            [article(f"s{k}-{j}", f"Outlet {j}", 2 + k % 6) for j in range(1 + k % 3)],
            [f"Sentence {i} of story {k} has several ordinary words in it." for i in range(5)],
        )
        for k in range(12)
    ]
    ranked = rank(briefing(*many), minutes=1, top=2)
    assert ranked.ranking is not None
    first = ranked.ranking.top[0]
    assert first.standing is not None
    text, html = render(ranked, "txt"), render(ranked, "html")
    assert "Top stories\n===========" in text and "Also reported\n=============" in text
    assert f"1. {first.title}" in text
    assert ">Top stories</h2>" in html and 'id="also-reported"' in html
    assert f'href="#{first.standing.anchor}"' in html, "Top stories link to the story"
    assert f'<h3 id="{first.standing.anchor}"' in html
    data = json.loads(render(ranked, "json"))
    assert data["ranking"]["also_reported"] == ranked.ranking.also == 10
    assert data["ranking"]["top"] == [s.standing.anchor for s in ranked.ranking.top if s.standing]


def test_a_name_opening_a_sentence_is_told_as_the_sentence_search_told_it() -> None:
    """storylines._starts_sentence stands for searching text[:start] with the regex below;
    every word position of the samples (and the edge cases of `$` and empty prefixes) agrees."""
    import re

    from briefer.rank.storylines import _starts_sentence

    pattern = re.compile(r"(?:^|[.!?:;\"“”]\s+)$")
    texts = [path.read_text(encoding="utf-8")[:6000] for path in sorted(SAMPLES.glob("*.txt"))]
    texts += ["\nNew York", " Paris", "  \nRome", 'Said: "Kyiv', "end.\u00a0Oslo", "x.\n\nBern"]
    checked = 0
    for text in texts:
        for match in re.finditer(r"\S+", text):
            for start in (match.start(), match.end()):
                prefix = text[:start]
                assert _starts_sentence(text, start) == bool(pattern.search(prefix)), prefix[-20:]
                checked += 1
    assert checked > 1000
