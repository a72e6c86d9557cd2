"""Theme placement: stable whatever else is in the run, read from the whole article, not
fooled by one keyword, explained truthfully, and the same in `briefer themes` as in a
briefing."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from briefer.clean import clean
from briefer.evaluation.themes_report import themes_report
from briefer.group import group, load_themes, place_themes
from briefer.group import themes as themes_module
from briefer.group.theme_patterns import (
    given_patterns,
    null_threshold,
    theme_patterns,
    themes_patterns,
)
from briefer.ingest import read_inputs
from briefer.records import OTHER_THEME, Article, Block, Document, Summary, Theme
from briefer.store import Store

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "fixtures" / "themes_dev.jsonl"

THEMES = (
    Theme(
        "Battlefield",
        "The fighting on the ground and in the air: advances and retreats, shelling and "
        "missile attacks, battles for towns, and losses on both sides.",
        ("offensive", "shelling", "missile attack", "front line", "troops"),
    ),
    Theme(
        "Sanctions",
        "Measures that squeeze an economy: sanctions packages, banks cut off from payment "
        "systems, oil embargoes and frozen reserves.",
        ("sanctions", "embargo", "price cap", "frozen assets"),
    ),
)


def doc(ident: str, title: str, paragraphs: list[str]) -> Document:
    article = Article(ident, title, None, "", "", "\n\n".join(paragraphs), f"{ident}.txt")
    return Document(article, tuple(Block(p) for p in paragraphs))


STRIKE = doc(
    "strike",
    "Troops push forward as shelling hits the eastern front line",
    [
        "Ukrainian troops advanced near the town on Monday as heavy shelling continued along "
        "the front line, officials said.",
        "A missile attack overnight struck a depot, and both sides reported losses in the "
        "battle for the town.",
    ],
)


def unrelated(number: int) -> Document:
    return doc(
        f"u{number}",
        f"Library opens reading room number {number}",
        [
            f"The city library opened reading room {number} on Tuesday, with new shelves, "
            "quiet desks and a corner for children's books.",
            "Librarians said visitors could borrow up to ten books at a time.",
        ],
    )


def test_an_article_gets_the_same_theme_alone_among_10_and_among_500() -> None:
    alone = place_themes([[STRIKE]], THEMES)[0]
    among_10 = place_themes([[STRIKE]] + [[unrelated(n)] for n in range(10)], THEMES)[0]
    among_500 = place_themes([[unrelated(n)] for n in range(500)] + [[STRIKE]], THEMES)[-1]
    assert alone.theme == "Battlefield"
    assert among_10 == alone
    assert among_500 == alone


def test_a_theme_the_headline_names_outright_wins_among_those_a_report_qualifies_for() -> None:
    """A report that qualifies for two themes goes to the one whose keyword its headline says
    (the headline says the subject), even where the other's words fill more of its body; with
    a headline naming neither, the most evidence wins, the other theme secondary either way."""
    body = [
        "Russian troops pressed their offensive on the eastern front line on Monday, shelling "
        "towns as the troops advanced, and a missile attack hit a depot behind the front line.",
        "Ukrainian troops held the line against the offensive, officials said, and the shelling "
        "went on overnight.",
        "The allies agreed new sanctions on Russia, an embargo on its coal and frozen assets of "
        "its banks; the sanctions take effect next month.",
    ]
    headed = doc("headed", "Allies agree new sanctions on Russia as the war goes on", body)
    plain = doc("plain", "The war goes on in the east", body)
    first, second = place_themes([[headed], [plain]], THEMES)
    assert (first.theme, first.secondary) == ("Sanctions", ("Battlefield",))
    assert (second.theme, second.secondary) == ("Battlefield", ("Sanctions",))
    # The explanation says what decided: the headline, over the other theme's evidence.
    assert first.why[0] == "its headline names this theme (ahead of Battlefield)"
    assert not second.why[0].startswith("its headline")


def test_a_keyword_in_an_unrelated_context_does_not_place_a_story() -> None:
    game = doc(
        "game",
        "Fans mourn as hit game kills off its best-loved hero",
        [
            "Players of the role-playing game were stunned when its latest update killed off "
            "the hero, whose offensive playing style made her a favourite.",
            "The studio said the story would continue with new characters next season.",
        ],
    )
    placement = place_themes([[game]], THEMES)[0]
    assert placement.theme == OTHER_THEME


def test_a_keyword_cut_short_by_a_number_counts_as_context() -> None:
    """ "Article 5" is read without its lone digit; what is left, "article", is not what the
    user named (every newspaper article says it), so it weighs as a description word, half of
    a keyword, while a report quoting the treaty's Article 5 with the theme's other words is
    still placed."""
    defence = Theme("Collective defence", "", ("Article 5", "collective defence"))
    named = Theme("Collective defence", "", ("article", "collective defence"))
    cut = {p.text.lower(): p.weight for p in theme_patterns(defence)}
    whole = {p.text.lower(): p.weight for p in theme_patterns(named)}
    assert cut["article"] == pytest.approx(whole["article"] / 2)
    assert cut["collective defence"] == pytest.approx(whole["collective defence"])
    treaty = doc(
        "treaty",
        "Allies pledge collective defence under Article 5",
        [
            "Allied leaders said on Monday that Article 5 of the treaty, the promise of "
            "collective defence, covered every member.",
            "Collective defence has been the alliance's core since 1949, officials said.",
        ],
    )
    assert place_themes([[treaty]], (defence,))[0].theme == "Collective defence"


def test_a_report_naming_its_subject_by_one_word_repeated_is_placed() -> None:
    """With a theme of a name and keywords alone, a report that says "sanctions" throughout
    is about sanctions, though it uses no other word of the theme; one mention never decides."""
    terse = (Theme("Sanctions", "", ("sanctions", "embargo", "price cap")),)
    repeated = doc(
        "repeated",
        "Allies unveil new sanctions on Moscow",
        [
            "Western governments unveiled new sanctions on Moscow on Friday, the fourth round "
            "this year.",
            "Officials said the sanctions would take effect next month, and that further "
            "sanctions were being prepared if the talks failed.",
        ],
    )
    once = doc(
        "once",
        "Allies meet in Brussels",
        [
            "Western governments met in Brussels on Friday to discuss the budget for next year.",
            "Officials said sanctions were not on the agenda, and the talks ended early.",
        ],
    )
    placed, passing = place_themes([[repeated], [once]], terse)
    assert placed.theme == "Sanctions"
    assert passing.theme == OTHER_THEME
    assert "1 mention of its words, 2 needed" in passing.why[0]


def test_a_theme_clear_only_after_the_lead_places_the_story() -> None:
    late = doc(
        "late",
        "A long week for the people of Kharkiv",
        [
            "It was a long week for the people of the city, who have grown used to sirens.",
            "Shelling hit the northern districts every night, and troops dug new positions "
            "along the front line outside the city.",
            "A missile attack on Thursday destroyed a bridge; the offensive in the east has "
            "stalled, and both sides report heavy losses in the fighting.",
        ],
    )
    assert place_themes([[late]], THEMES)[0].theme == "Battlefield"


def test_a_theme_named_only_past_the_first_1500_characters_places_the_story() -> None:
    """The whole article is read: a report whose first 1,500 characters of body say nothing of
    the theme (grouping's reading for stories stops there) is placed by what its end says,
    and its explanation quotes it. Cut where that reading stops, it is Other."""
    opening = [
        f"Residents of district {n} queued for bread and water on Tuesday morning, and the "
        "city council said buses would run on a reduced timetable until the weekend."
        for n in range(12)
    ]
    ending = [
        "Shelling hit the northern districts every night, and troops dug new positions along "
        "the front line outside the city.",
        "A missile attack on Thursday destroyed a bridge; the offensive in the east has "
        "stalled, and both sides report heavy losses in the fighting.",
    ]
    assert len("\n".join(opening)) > 1500
    whole = doc("whole", "A long week in the city", opening + ending)
    cut = doc("cut", "A long week in the city", opening)
    placed, without_end = place_themes([[whole], [cut]], THEMES)
    assert placed.theme == "Battlefield"
    assert {"shelling", "troops", "front line", "missile attack"} & set(placed.why)
    assert without_end.theme == OTHER_THEME


def test_an_articles_tail_survives_the_store() -> None:
    """The words grouping reads, with the theme reading's tail, come back from the store's
    form as they went in."""
    from briefer.group.texts import document_features, tail_words
    from briefer.serialize import features_data, features_from

    paragraphs = [
        f"Paragraph {n} says troops moved, and talks of prisoners went on." for n in range(60)
    ]
    features = document_features(doc("long", "A long report", paragraphs))
    forms, words = tail_words(features.tail)
    assert len(words) > 100
    # In order, marked after a preposition: "... moved, and talks of prisoners went on.
    # Paragraph ..." ("went" and "on" are stopwords).
    read = [(forms[w >> 1], w & 1) for w in words.tolist()]
    at = read.index(("talks", 0), 1)
    assert read[at - 1 : at + 3] == [
        ("moved", 0),
        ("talks", 0),
        ("prisoners", 1),
        ("Paragraph", 1),
    ]
    assert features_from(features_data(features)) == features


def test_an_other_story_names_its_nearest_theme_and_what_it_lacked() -> None:
    passing = doc(
        "passing",
        "Grain prices rise on world markets",
        [
            "Wheat prices rose for a third day as traders weighed weather in the plains.",
            "Analysts said sanctions played little part in this week's moves.",
        ],
    )
    placement = place_themes([[passing]], THEMES)[0]
    assert placement.theme == OTHER_THEME
    assert placement.why[0].startswith("nearest theme Sanctions: ")
    assert "needed" in placement.why[0]
    assert "sanctions" in placement.why[1:]


def test_a_capital_in_a_theme_name_is_named_by_its_country() -> None:
    """A theme's name narrows it to the places it names, and a name may call a state by its
    capital, as news does ("Moscow" for Russia's government): a sanctions report that says
    "Russia" throughout but never "Moscow" is about punishing Moscow. Not the other way: a
    report's "Kyiv" is as often the city, and does not name the "Ukraine" of a theme. The
    country counts only written as a name ("turkey" is not Turkey), and a report that names
    neither says so."""
    punishing = Theme("Punishing Moscow", "", ("sanctions", "embargo", "asset freeze"))
    on_russia = doc(
        "on-russia",
        "Allies widen sanctions on Russia",
        [
            "The allies agreed new sanctions on Russia on Monday, adding an embargo on its "
            "coal and an asset freeze on twenty Russian banks.",
            "Officials said further sanctions would follow if Russia kept up the war.",
        ],
    )
    assert place_themes([[on_russia]], (punishing,))[0].theme == "Punishing Moscow"
    supplying = Theme("Arming Ukraine", "", ("howitzers", "air defence", "ammunition"))
    from_kyiv = doc(
        "from-kyiv",
        "Allies send howitzers and ammunition",
        [
            "Kyiv will receive forty howitzers and a year of ammunition, its allies said, with "
            "air defence systems to follow.",
            "The howitzers arrive next month.",
        ],
    )
    assert place_themes([[from_kyiv]], (supplying,))[0].theme == OTHER_THEME
    pressing = Theme("Pressure on Ankara", "", ("tariffs", "trade dispute"))
    poultry = doc(
        "poultry",
        "Tariffs hit poultry farmers in a trade dispute",
        [
            "Tariffs on turkey and chicken meat rose again as the trade dispute dragged on, "
            "and turkey farmers said the tariffs would cost them their export market.",
            "The trade dispute goes to arbitration next year.",
        ],
    )
    placement = place_themes([[poultry]], (pressing,))[0]
    assert placement.theme == OTHER_THEME
    assert "never names Ankara nor Turkey" in placement.why[0]


def test_a_name_written_as_a_possessive_in_a_theme_name_is_the_name() -> None:
    """ "NATO's" in a theme's name names NATO: a report says "NATO", and the possessive is
    matched whichever apostrophe either writes; it narrows the theme as "NATO" would."""
    keywords = ("accession", "membership bid", "ratify")
    joining = doc(
        "joining",
        "Sweden's accession moves a step closer",
        [
            "Two more parliaments voted to ratify Sweden's accession to NATO on Tuesday, and "
            "the membership bid now awaits one last vote.",
            "Officials expect the accession to be complete by the summer.",
        ],
    )
    for name in (
        "Joining NATO's ranks",
        "Joining NATO’s ranks",
        "NATO's new members",
        "NATO'S new members",
    ):
        theme = Theme(name, "", keywords)
        assert place_themes([[joining]], (theme,))[0].theme == name
    elsewhere = doc(
        "elsewhere",
        "Serbia's accession talks with the EU stall",
        [
            "Serbia's membership bid stalled again as the EU asked it to ratify a deal with "
            "Kosovo before accession talks resume.",
            "The accession chapters stay closed.",
        ],
    )
    placement = place_themes([[elsewhere]], (Theme("NATO's new members", "", keywords),))[0]
    assert placement.theme == OTHER_THEME
    assert "never names NATO" in placement.why[0]


def test_the_parts_of_a_hyphenated_name_in_a_theme_name_are_names() -> None:
    """ "Russia-Ukraine peace talks" narrows the theme to talks naming Ukraine, not to reports
    that happen to write "Russia-Ukraine" as one word; the parts are names of their own."""
    talks = Theme("Russia-Ukraine peace talks", "", ("ceasefire", "negotiators", "talks"))
    meeting = doc(
        "meeting",
        "Negotiators meet again as ceasefire talks resume",
        [
            "Negotiators from Russia and Ukraine met in Istanbul on Tuesday for a new round of "
            "talks on a ceasefire, Turkish officials said.",
            "Both delegations said the talks would continue next week.",
        ],
    )
    assert place_themes([[meeting]], (talks,))[0].theme == "Russia-Ukraine peace talks"
    elsewhere = doc(
        "elsewhere",
        "Negotiators meet again as ceasefire talks resume",
        [
            "Negotiators from Armenia and Azerbaijan met in Istanbul on Tuesday for a new round "
            "of talks on a ceasefire, Turkish officials said.",
            "Both delegations said the talks would continue next week.",
        ],
    )
    placement = place_themes([[elsewhere]], (talks,))[0]
    assert placement.theme == OTHER_THEME
    assert "never names Ukraine" in placement.why[0]


def test_a_themes_file_files_the_same_in_any_case() -> None:
    """Capitals mark names only where a name writes common words in lower case: "Peace
    Talks" and "PEACE TALKS" do not require "talks" of a report, while "Ukraine", a country,
    narrows "Arming Ukraine" however the file is cased, "Zelensky", which no English
    dictionary lists in lower case, narrows "Backing Zelensky" (title case, capitals or
    lower case alike), and "NATO", which the dictionary writes in capitals, is NATO in
    "nato membership" and "NATO MEMBERSHIP". A file in capitals (its keywords and
    descriptions too) files as the file written in sentence case."""
    truce = doc(
        "truce",
        "Negotiators agree a truce along the river",
        [
            "Negotiators from both sides agreed a truce on Tuesday, and the ceasefire held "
            "through the night, mediators said.",
            "The truce is to be extended if the ceasefire holds for a week.",
        ],
    )
    guns = doc(
        "guns",
        "Allies send howitzers and ammunition to Armenia",
        [
            "Armenia will receive forty howitzers and a year of ammunition from its allies, with "
            "air defence systems to follow.",
            "The howitzers arrive next month.",
        ],
    )
    joining = doc(
        "joining",
        "Parliament votes to ratify Sweden's accession to NATO",
        [
            "Parliament voted to ratify Sweden's accession to NATO on Tuesday; the membership "
            "bid now awaits one last vote.",
            "Officials expect the accession to be complete by the summer.",
        ],
    )
    elsewhere = doc(
        "elsewhere",
        "Parliament votes to ratify Serbia's accession to the EU",
        [
            "Parliament voted to ratify Serbia's accession to the EU on Tuesday; the membership "
            "bid now awaits one last vote.",
            "Officials expect the accession to be complete by the summer.",
        ],
    )
    backing = doc(
        "backing",
        "Leaders pledge backing for Zelensky at the summit",
        [
            "European leaders pledged political backing and a loan guarantee for Zelensky on "
            "Friday, and the summit endorsed his reform plan.",
            "The backing comes with a pledge to review the loan guarantee next year.",
        ],
    )
    backing_other = doc(
        "backing-other",
        "Leaders pledge backing for Macron at the summit",
        [
            "European leaders pledged political backing and a loan guarantee for Macron on "
            "Friday, and the summit endorsed his reform plan.",
            "The backing comes with a pledge to review the loan guarantee next year.",
        ],
    )
    names = ("Peace talks", "Arming Ukraine", "NATO membership", "Backing Zelensky")
    keywords = (
        ("ceasefire", "negotiators", "truce"),
        ("howitzers", "ammunition", "air defence"),
        ("accession", "ratify", "membership bid"),
        ("political backing", "loan guarantee", "pledged"),
    )
    descriptions = (
        "Talks between the two sides and the mediators around them.",
        "Weapons sent to Ukraine by its allies.",
        "Who joins NATO and when.",
        "Support for Zelensky and his government.",
    )
    reports = [[truce], [guns], [joining], [elsewhere], [backing], [backing_other]]
    placed = {}
    for style in (str, str.title, str.lower, str.upper):
        themes = tuple(
            Theme(style(n), d if style is str.title else style(d), tuple(map(style, k)))
            for n, d, k in zip(names, descriptions, keywords, strict=True)
        )
        back = {theme.name: name for theme, name in zip(themes, names, strict=True)}
        placed[style] = [back.get(p.theme, p.theme) for p in place_themes(reports, themes)]
    assert placed[str] == [
        "Peace talks",
        OTHER_THEME,
        "NATO membership",
        OTHER_THEME,
        "Backing Zelensky",
        OTHER_THEME,
    ]
    for style in (str.title, str.lower, str.upper):
        assert placed[style] == placed[str], style
    # Without the descriptions (nothing else in the file says who is a name) the same.
    for style in (str.title, str.lower, str.upper):
        bare = tuple(Theme(style(n), "", k) for n, k in zip(names, keywords, strict=True))
        back = {theme.name: name for theme, name in zip(bare, names, strict=True)}
        found = [back.get(p.theme, p.theme) for p in place_themes(reports, bare)]
        assert found == placed[str], style


@pytest.mark.parametrize("style", [str.lower, str.upper])
def test_the_samples_file_alike_with_their_themes_file_in_one_case(
    tmp_path: Path, style: Callable[[str], str]
) -> None:
    """samples/themes.toml written wholly in lower case or in capitals (names, descriptions,
    keywords) files every sample as written: in lower case the description's "ukraine" is
    still a name setting the scene, not a word of Weapons aid (read so, the NATO membership
    article went under weapons aid)."""
    written = REPO / "samples" / "themes.toml"
    recased = tmp_path / "themes.toml"
    recased.write_text(
        "".join(
            f"[[theme]]\nname = {json.dumps(style(t.name))}\n"
            f"description = {json.dumps(style(t.description))}\n"
            f"keywords = {json.dumps([style(k) for k in t.keywords])}\n\n"
            for t in load_themes(written)
        ),
        encoding="utf-8",
    )
    expected = themes_report([REPO / "samples"], written)
    found = themes_report([REPO / "samples"], recased)
    as_written = {style(theme.name): theme.name for theme in load_themes(written)}
    assert [as_written.get(f.theme, f.theme) for f in found.articles] == [
        f.theme for f in expected.articles
    ]


def test_a_title_cased_name_narrows_by_its_names_alone() -> None:
    """In a name whose every word is capitalised, common words in either spelling ("Defence",
    "Programme") narrow nothing; a country, a person no dictionary lists and an acronym do."""
    from briefer.group.theme_names import qualifier_names

    names = (
        "Air Defence Programme",
        "Refugees In Poland",
        "Mark Rutte Visits",
        "Nato Summit Plans",
        # news words newer than everyday dictionaries, which larger ones list in lower case
        "Russian Airstrikes And Warplanes",
        "Peace Talks And Ceasefires",
        "Fighting On The Frontline",
    )
    themes = tuple(Theme(name, "", ()) for name in names)
    found = [qualifier_names(theme, themes) for theme in themes]
    assert found == [[], ["Poland"], ["Rutte"], ["Nato"], [], [], []]


def test_a_capital_that_is_a_word_or_another_towns_name_names_no_country() -> None:
    """capitals.txt leaves out a capital that is an English word ("Male" of the Maldives) or
    that another town of some size is called too ("Hamilton" of Bermuda: Hamilton, Ontario
    is the larger), so "Male" in a theme's name does not make it name the Maldives."""
    from briefer.group.theme_names import other_names

    assert other_names("moscow") == ("Russia",)
    assert other_names("male") == ()
    assert other_names("hamilton") == ()


def test_a_story_takes_no_theme_that_none_of_its_reports_takes_alone() -> None:
    """Two reports that each fall short of Battlefield (one theme word in one, too little
    evidence in the other) read as one mean report clear it; the story stays in Other, and
    its explanation says how its reports went."""
    lake = doc(
        "lake",
        "Villagers count the cost of a hard winter",
        [
            "Villagers near the lake said the winter had been hard, with shelling some nights.",
            "The council said repairs to the school roof would start in spring, and the bus "
            "service would resume once the road was cleared of snow.",
        ],
    )
    fields = doc(
        "fields",
        "Farmers return to fields as the thaw begins",
        [
            "Farmers returned to fields outside the town as the thaw began; troops were seen "
            "on the road.",
            "Prices for seed and fuel rose again this month, traders at the market said.",
        ],
    )
    alone = place_themes([[lake], [fields]], THEMES)
    assert [p.theme for p in alone] == [OTHER_THEME, OTHER_THEME]
    story = place_themes([[lake, fields]], THEMES)[0]
    battlefield = story.fits[0]
    assert battlefield.score > battlefield.needed  # the mean report would have cleared it
    assert story.theme == OTHER_THEME
    assert story.why[0] == (
        "nearest theme Battlefield: 0 of 2 reports placed there alone (2 under Other developments)"
    )


def test_a_story_goes_where_most_of_its_reports_go_alone() -> None:
    front = doc(
        "front",
        "Shelling and a missile attack as troops hold the front line",
        [
            "Troops held the front line overnight under heavy shelling, officials said, and a "
            "missile attack hit a depot behind it.",
            "The offensive has stalled, and both sides reported losses in the battle.",
        ],
    )
    most = place_themes([[STRIKE, front, unrelated(1)]], THEMES)[0]
    assert most.theme == "Battlefield"
    assert most.why[0] == "2 of 3 reports placed here alone (1 under Other developments)"
    assert {"shelling", "troops"} <= set(most.why[1:])
    # One themed report and one unrelated: no majority for the theme.
    split = place_themes([[STRIKE, unrelated(1)]], THEMES)[0]
    assert split.theme == OTHER_THEME
    assert split.why[0].startswith("nearest theme Battlefield: 1 of 2 reports placed there")


def test_a_story_is_filed_where_one_of_its_reports_is_filed_alone() -> None:
    """Over the self-written items grouped three by three (and the samples' stories), a
    story's theme is one its reports take alone, or Other; a report alone is unchanged."""
    rows = [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines()]
    documents = [
        doc(str(row["id"]), str(row["title"]), str(row["text"]).split("\n\n")) for row in rows
    ]
    themes = load_themes(REPO / "samples" / "themes.toml")
    alone = [p.theme for p in place_themes([[d] for d in documents], themes)]
    stories = [documents[i : i + 3] for i in range(0, len(documents), 3)]
    placed = place_themes(stories, themes)
    themed = 0
    for start, placement in zip(range(0, len(documents), 3), placed, strict=True):
        assert placement.theme in {*alone[start : start + 3], OTHER_THEME}
        themed += placement.theme != OTHER_THEME
    assert themed >= len(stories) // 3


def test_themes_report_files_every_article_as_the_briefing_does() -> None:
    themes_path = REPO / "samples" / "themes.toml"
    report = themes_report([REPO / "samples"], themes_path)
    documents = [clean(article) for article in read_inputs([REPO / "samples"]).articles]
    items = [(d, Summary(d.article, (), "test")) for d in documents]
    grouping = group(items, load_themes(themes_path))
    in_briefing = {
        article.id: section.theme
        for section in grouping.sections
        for story in section.stories
        for article in story.articles
    }
    assert len(report.articles) == len(in_briefing) == 5
    for fit in report.articles:
        assert fit.theme == in_briefing[fit.article.id], fit.article.path


def test_the_samples_land_under_their_subjects() -> None:
    """Every sample is filed under its subject: the membership article, Rutte's call for more
    weapons (two outlets), and the two about talks."""
    report = themes_report([REPO / "samples"], REPO / "samples" / "themes.toml")
    by_title = {fit.article.title: fit.theme for fit in report.articles}
    assert by_title["NATO signals support for Ukraine amid Russia threat"] == "NATO membership"
    rutte = "NYT: NATO Secretary General Rutte urged to supply more weapons to Ukraine"
    assert by_title[rutte] == "Weapons aid"
    assert by_title[""] == "Weapons aid"  # the Eunews report of the same meeting
    # Allies split on how the war should end (ceasefire or defeat), named past the lead.
    paths = "NATO countries see different paths as war in Ukraine enters uncertain phase"
    assert by_title[paths] == "Peace talks"
    # Pre-war diplomacy: talks in Geneva, "negotiate seriously".
    assert by_title["NATO promises united response to Russian aggression against Ukraine"] == (
        "Peace talks"
    )


def test_a_theme_word_matches_its_inflections_but_not_words_derived_from_it() -> None:
    """The theme's "import", "embargo" and "advance" match "imports", "embargoes" and
    "advanced"; "important", "importance" and a president's "aide" (for the theme's
    "aid") are other words, which a full stemmer folds into them."""
    trade = (
        Theme(
            "Trade curbs",
            "Limits on what a country may buy and sell abroad.",
            ("import", "embargo", "aid", "advance"),
        ),
    )
    unrelated = doc(
        "aide",
        "An important day for the president's aide",
        [
            "The importance of the speech was clear, an aide to the president said, and "
            "it was important to get it right.",
            "Aides worked through the night on the text.",
        ],
    )
    inflected = doc(
        "curbs",
        "Coal imports face embargoes",
        [
            "The government said on Monday that embargoes on coal imports, first advanced "
            "in May, would start in June.",
        ],
    )
    placed = place_themes([[unrelated], [inflected]], trade)
    assert placed[0].theme == OTHER_THEME
    assert placed[0].fits[0].score == 0.0  # no word of the theme matched at all
    assert placed[1].theme == "Trade curbs"
    assert set(placed[1].why) == {"embargoes", "imports", "advanced"}


def test_a_keyword_phrase_matches_its_paraphrase_but_not_its_words_apart_or_reversed() -> None:
    """The keywords "price cap" and "prisoner exchange" are said by "a cap on the price"
    and "exchange of prisoners"; not by their words with another word between them, and
    "open door" not by "keep the door open" (turned around without a preposition)."""
    themes = (
        Theme(
            "Deals",
            "Agreements between governments.",
            ("price cap", "prisoner exchange", "open door"),
        ),
    )
    turned = doc(
        "turned",
        "Ministers agree a cap on the price of oil",
        ["The exchange of prisoners will follow next week, officials said."],
    )
    apart = doc(
        "apart",
        "Prices of oil cap a difficult week",
        ["Prisoners were moved; an exchange rate fell. The court kept the door open."],
    )
    placed = place_themes([[turned], [apart]], themes)
    assert set(placed[0].fits[0].terms) == {"cap on the price", "exchange of prisoners"}
    assert placed[1].fits[0].score == 0.0


def test_a_report_in_other_words_than_the_theme_file_is_placed_by_near_synonyms() -> None:
    """The theme says "ceasefire" and "negotiators"; the report says "truce" and
    "negotiations" (near-synonyms in the word vectors) and is filed under it, those words
    quoted as the evidence. The same report with other words in their place is not."""
    theme = Theme(
        "Peace talks",
        "Diplomacy aimed at ending a war.",
        ("ceasefire", "talks", "mediation"),
    )

    def report(truce: str, negotiations: str) -> Document:
        return doc(
            truce,
            f"Sides agree to a {truce} after {negotiations} in Istanbul",
            [
                f"The two sides agreed a {truce} on Tuesday after a third round of "
                f"{negotiations}, the mediators said.",
                f"The {truce} holds for thirty days while the {negotiations} go on. More "
                f"{negotiations} on a lasting {truce} will follow, with talks in May.",
            ],
        )

    (placed,) = place_themes([[report("truce", "negotiations")]], (theme,))
    assert placed.theme == "Peace talks"
    assert {"truce", "negotiations"} <= {term.casefold() for term in placed.why}
    (unplaced,) = place_themes([[report("plan", "visits")]], (theme,))
    assert unplaced.theme == OTHER_THEME


def test_placing_a_slice_of_articles_at_a_time_changes_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Placement lays out _PLACING_SLICE articles' words at a time (memory): stories whose
    reports fall in different slices, explanations and all, are placed as at once."""
    documents = [clean(article) for article in read_inputs([REPO / "samples"]).articles]
    stories = [[STRIKE, documents[0]], documents[1:3], [unrelated(1)], documents[3:]]
    at_once = place_themes(stories, load_themes(REPO / "samples" / "themes.toml"))
    monkeypatch.setattr(themes_module, "_PLACING_SLICE", 1)
    assert place_themes(stories, load_themes(REPO / "samples" / "themes.toml")) == at_once
    assert {p.theme for p in at_once} - {OTHER_THEME}


def test_a_file_of_themes_patterns_kept_in_the_store_are_the_ones_worked_out(
    tmp_path: Path,
) -> None:
    """A run keeps its themes' patterns in the article store (they depend on the themes and
    the code alone) and the next run places by them: the same patterns and null thresholds
    as worked out; what does not read as patterns is worked out again, and a file of other
    themes is never given them."""
    worked = themes_patterns(THEMES)
    alone = themes_patterns(THEMES[:1])
    with given_patterns(THEMES, None) as first:
        assert themes_patterns(THEMES) == worked
    kept = first.data()
    assert kept is not None
    store = Store.open(tmp_path / "store.sqlite3")
    assert store is not None
    store.add_theme_patterns("patterns", kept)
    store.save()
    store.close()
    again = Store.open(tmp_path / "store.sqlite3")
    assert again is not None
    stored = again.theme_patterns("patterns")
    again.close()
    with given_patterns(THEMES, stored) as second:
        given = themes_patterns(THEMES)
        assert themes_patterns(THEMES[:1]) == alone
    assert given == worked
    assert [null_threshold(p) for p in given] == [null_threshold(p) for p in worked]
    assert second.data() is None  # nothing new to keep
    for spoilt in ([["not patterns"]], kept[:1], [[[["a"], 1, "a", True, False]]] * 2):
        with given_patterns(THEMES, spoilt) as third:
            assert themes_patterns(THEMES) == worked
        assert third.data() == kept
