"""A story's bullets: residue never, one fact once, no sentence that leans on one left out.

Articles go through the real stages (clean, split, summarize) before the bullets are chosen,
except where a test needs a summary to hold a given sentence: then the Summary is built from the
article's own split sentences, as the scorer would return them."""

from __future__ import annotations

from datetime import date

import pytest

from briefer.clean import clean
from briefer.records import Article, Summary
from briefer.sentences import split_document
from briefer.summarize import summarize
from briefer.summarize.bullets import leans_on_previous, story_bullets

DAY = date(2024, 5, 2)


def _article(ident: str, source: str, paragraphs: list[str]) -> Article:
    return Article(
        id=ident,
        title="Floods close the river road",
        date=DAY,
        source=source,
        url="",
        text="\n\n".join(paragraphs),
        path=f"{ident}.txt",
    )


def _summary(article: Article, n: int = 3) -> Summary:
    """The default scorer's summary of the article, through the real stages."""
    document = clean(article)
    return summarize(document, split_document(document), n)


def _all_sentences(article: Article) -> Summary:
    """A summary holding every sentence of the article (the widest choice there could be)."""
    document = clean(article)
    return Summary(article=article, sentences=tuple(split_document(document)), algorithm="all")


FLOOD = [
    "Floods closed the river road between Linton and Harlan on Tuesday after two days of rain.",
    "Crews expect to reopen the road by Friday once the water falls below the bridge deck.",
    "Ferries will carry cars across the river at Linton until the road reopens.",
]


@pytest.mark.parametrize(
    "residue",
    [
        "Water is pouring over the bridge at Linton right now pic.twitter.com/a1B2c3D4",
        "- @LintonCouncil",
        "Mayor Ann Lee (@AnnLeeLinton) said the road would stay shut all week.",
        "Here is a translation by Reuters from the German.",
        "See all our coverage of the floods in the valley.",
        "Related: Harlan farmers count the cost of the spring floods",
        "Jane Roe contributed reporting to this story.",
    ],
)
def test_social_and_syndication_residue_never_becomes_a_bullet(residue: str) -> None:
    article = _article("a", "Valley Courier", [FLOOD[0], residue, *FLOOD[1:]])

    summarized = story_bullets([article], {"a": _summary(article)}, max_bullets=5)
    widest = story_bullets([article], {"a": _all_sentences(article)}, max_bullets=5)

    for bullets in (summarized, widest):
        texts = [bullet.text for bullet in bullets]
        assert texts and not any(
            "@" in text or "pic.twitter" in text or "translation by" in text for text in texts
        )
        assert not any(text.startswith(("See all", "Related", "Jane Roe", "- @")) for text in texts)


def test_one_sentence_of_a_quotation_of_several_is_never_a_bullet() -> None:
    # The splitter ends a sentence inside a quotation of several; either part alone reads as
    # cut off (no closing mark, or no speaker), so neither is a bullet. A whole one is.
    quote = [
        '"The water came up faster than anyone could remember. We lost the whole lower field,"'
        " said Tom Reed, a farmer near Linton.",
        '"The council will pay for the new flood wall by the spring," the mayor said on Tuesday.',
    ]
    article = _article("a", "Valley Courier", [FLOOD[0], *quote, *FLOOD[1:]])

    texts = [b.text for b in story_bullets([article], {"a": _all_sentences(article)}, 6)]

    assert not any("faster than anyone" in text or "lower field" in text for text in texts)
    assert quote[1] in texts
    assert all(text.count('"') % 2 == 0 for text in texts)


def test_a_fact_repeated_by_a_second_outlet_appears_once() -> None:
    first = _article("a", "Valley Courier", FLOOD)
    second = _article(
        "b",
        "Harlan Times",
        [
            "On Tuesday, after two days of rain, floods closed the river road between Harlan "
            "and Linton.",
            "Three families in Harlan were moved to a school gym overnight.",
        ],
    )
    summaries = {"a": _all_sentences(first), "b": _all_sentences(second)}

    bullets = story_bullets([first, second], summaries, max_bullets=5)

    texts = [bullet.text for bullet in bullets]
    assert sum("closed the river road" in text for text in texts) == 1
    assert "Three families in Harlan were moved to a school gym overnight." in texts
    assert {bullet.article_id for bullet in bullets} == {"a", "b"}  # each attributed


def _outlets(*leads: str) -> list[str]:
    """The bullets of a story of FLOOD and one more outlet's report for each lead given, each
    opening with its lead and going on with a fact of its own."""
    reports = [_article("a", "Valley Courier", FLOOD)]
    for number, lead in enumerate(leads):
        fact = f"{number + 3} families in Harlan were moved to a school gym overnight."
        reports.append(_article(f"b{number}", f"Outlet {number}", [lead, fact]))
    summaries = {report.id: _all_sentences(report) for report in reports}
    return [bullet.text for bullet in story_bullets(reports, summaries, max_bullets=5)]


def test_a_fact_another_outlet_tells_in_its_own_words_appears_once() -> None:
    """Two outlets' leads on one event share about half of their words (not the 0.7 of the
    shorter's terms that a repeat within a report takes): the reader gets the fact once."""
    own_words = (
        "Rising water shut the river road from Harlan to Linton on Tuesday, the county said."
    )
    texts = _outlets(own_words)
    assert (FLOOD[0] in texts) != (own_words in texts)
    assert "3 families in Harlan were moved to a school gym overnight." in texts


def test_another_outlets_telling_with_a_figure_of_its_own_is_kept() -> None:
    """A figure the bullet taken does not hold is a fact of its own ("40 cars"). A third
    outlet's lead tells FLOOD's first sentence again, so that one is taken first."""
    with_figure = (
        "Rising water shut the river road from Harlan to Linton on Tuesday, stranding 40 cars."
    )
    texts = _outlets(with_figure, "Floods closed the road after two days of rain.")
    assert texts.index(FLOOD[0]) < texts.index(with_figure)


def test_two_facts_of_one_report_about_one_subject_are_both_kept() -> None:
    """Within one report, sentences sharing half of their words tell two facts about one
    subject; only most of the shorter one's words make a repeat there."""
    lead = "Mayor Ann Lee ordered the river road between Linton and Harlan closed on Tuesday."
    detail = "Ann Lee had kept the river road open through the floods of 2019 and 2021."
    article = _article("a", "Valley Courier", [lead, detail, FLOOD[2]])
    texts = [b.text for b in story_bullets([article], {"a": _all_sentences(article)}, 5)]
    assert lead in texts and detail in texts


def test_a_pronoun_led_sentence_is_never_a_bullet_without_the_sentence_it_leans_on() -> None:
    lead = "Mayor Ann Lee ordered the river road closed on Tuesday as the water kept rising."
    leaning = "She warned that the bridge at Linton could be shut for a month of repairs."
    other = "Ferries will carry cars across the river at Linton until the road reopens."
    article = _article("a", "Valley Courier", [lead, leaning, other])
    split = _all_sentences(article).sentences
    without_lead = Summary(article=article, sentences=split[1:], algorithm="test")

    alone = [b.text for b in story_bullets([article], {"a": without_lead}, 5)]
    together = [b.text for b in story_bullets([article], {"a": _all_sentences(article)}, 5)]

    assert leaning not in alone and other in alone
    assert together.index(leaning) == together.index(lead) + 1  # read right after its lead


def test_each_reports_bullets_keep_its_order() -> None:
    # The second report's detail names the engineer short and adds more words than its lead:
    # chosen first, it is still told after the lead that introduces her.
    first = _article(
        "a",
        "Harlan Times",
        ["Floods closed the river road between Linton and Harlan on Tuesday after heavy rain."],
    )
    lead = "County engineer Ruth Moss inspected the Linton bridge after the river road flooded."
    detail = (
        "Ms Moss found cracks in two piers, a washed-out abutment, scoured footings and a "
        "buckled railing, and closed the bridge to lorries until repairs costing $2m are done."
    )
    second = _article("b", "Valley Courier", [lead, detail])
    summaries = {"a": _all_sentences(first), "b": _all_sentences(second)}

    bullets = story_bullets([first, second], summaries, 5)

    texts = [bullet.text for bullet in bullets]
    assert texts.index(lead) < texts.index(detail)
    assert {bullet.article_id for bullet in bullets} == {"a", "b"}


def test_the_agency_said_never_follows_another_outlets_sentence() -> None:
    first = _article(
        "a",
        "Harlan Times",
        ["The state weather agency issued a flood warning for Harlan County on Monday night."],
    )
    second = _article(
        "b",
        "Valley Courier",
        [
            "Forecasters at the national weather agency expect more rain over the valley.",
            "The agency said river levels at Linton would peak on Thursday afternoon.",
        ],
    )
    lone = Summary(article=second, sentences=_all_sentences(second).sentences[1:], algorithm="test")

    bullets = story_bullets([first, second], {"a": _all_sentences(first), "b": lone}, 5)

    assert all(not bullet.text.startswith("The agency said") for bullet in bullets)


def test_a_speaker_left_to_a_pronoun_never_follows_another_outlets_sentence() -> None:
    # Another outlet's bullet named the mayor: "..., he said" after it would put his words
    # in her mouth.
    first = _article(
        "a",
        "Harlan Times",
        ["Mayor Ann Lee said on Monday the river road would stay shut until Friday morning."],
    )
    lead = "The county's engineer inspected the Linton bridge on Monday after the flood."
    second = _article(
        "b",
        "Valley Courier",
        [
            lead,
            "Vowing that the bridge would be safe again, he said repairs would take a month.",
            "The bridge deck will be rebuilt before the road reopens to lorries, he added.",
        ],
    )
    lone = Summary(article=second, sentences=_all_sentences(second).sentences[1:], algorithm="test")

    alone = story_bullets([first, second], {"a": _all_sentences(first), "b": lone}, 5)
    together = story_bullets(
        [first, second], {"a": _all_sentences(first), "b": _all_sentences(second)}, 5
    )

    assert [bullet.article_id for bullet in alone] == ["a"]
    texts = [bullet.text for bullet in together]
    assert texts.index(lead) + 1 == texts.index(second.text.split("\n\n")[1])


@pytest.mark.parametrize(
    ("sentence", "before", "leans"),
    [
        ("He warned that the dam could fail within days.", "", True),
        ("But the council voted against the plan on Monday.", "", True),
        ("There, photos show water up to the windows.", "", True),
        ("There are 40 homes without power in Linton.", "", False),
        ("It will take weeks to repair the bridge at Linton.", "", False),
        ("“We will rebuild,” she said after the vote on Monday.", "", True),
        ("“We will rebuild,” Mayor Ann Lee said after the vote.", "", False),
        # single marks, as British outlets write quotations: the mark that opens one ends it,
        # and an apostrophe inside a word ("council's") is no end
        ("'We will rebuild,' she said after the vote on Monday.", "", True),
        ("'We will rebuild,' Mayor Ann Lee said after the vote.", "", False),
        ("‘The council's plan failed,’ said Mayor Ann Lee on Monday.", "", False),
        ("'The council's plan failed us all.'", "", True),
        ("'Progressive' councillors were criticised for the letter on Monday.", "", False),
        # a plural possessive or a quotation within the quotation is not its end
        ("'The councils' pumps failed us,' she said on Monday.", "", True),
        ("‘The councils’ pumps failed us,’ she said on Monday.", "", True),
        ("'Our crews held basement 'talks' that did not say anything at all.", "", True),
        ("'Progressive' councillors criticised the 'naive' letter on Monday.", "", False),
        ("The agency said the river would peak on Thursday.", "The weather agency warned.", True),
        ("The agency said the river would peak on Thursday.", "", False),
        ("The head of the agency said the river would peak.", "The agency warned.", False),
        ("The Kremlin said it would not take part in the talks.", "The Kremlin spoke.", False),
        ("This week, crews began clearing the river road.", "", False),
        # "Both" leans on a pair given before, unless the sentence names the pair itself
        ("Both towns used to draw water from the river.", "", True),
        ("Both have asked the state for pumps since Monday.", "", True),
        ("Both sides agreed on Monday to talks and to a vote in May.", "", True),
        ("Both Linton and Harlan asked the state for pumps.", "", False),
        ("Both the county and the state sent pumps on Monday.", "", False),
        # a personal pronoun the sentence does not name, after an opening clause or as the
        # speaker of a speech tag
        ("Vowing that Linton would rebuild, he said the road would reopen in May.", "", True),
        ("In a speech to the county board, she asked for pumps and sandbags.", "", True),
        ("Asked about the bridge, he said it would stay shut for a month.", "", True),
        ("Since then, they have pumped water out of forty basements.", "", True),
        ("The river road will reopen once the water falls, he added.", "", True),
        ("The river road, she said, will reopen once the water falls.", "", True),
        ("The pumps were the first she ordered, she told the council.", "", True),
        # a "he" after a clause that names him leans too: the cheap error (see _pronoun_subject)
        ("When Mayor Lee arrived on Monday, he told the crews to close the road.", "", True),
        # ... but not a "they" after a longer clause, which mostly holds its antecedent, nor
        # a pronoun that is not the subject
        ("When the crews arrived, they cleared the river road in a day.", "", False),
        ("When Mayor Lee spoke on Monday, the crews had cleared the road.", "", False),
        ("Mayor Ann Lee said on Monday that if the river rose, she would close it.", "", False),
        ("The crews, who said they were tired, cleared the road by Monday.", "", False),
        # a noun naming what was said or done before; "Well," answering what came before
        ("The comments came as the river rose again on Monday night.", "", True),
        ("The move follows two days of heavy rain across the valley.", "", True),
        ("The decision to close the road was taken on Monday.", "", False),
        ("Well, the river has come up to our door twice this year.", "", True),
        ("Well-drilling crews began clearing the river road on Monday.", "", False),
    ],
)
def test_what_leans_on_the_sentence_before(sentence: str, before: str, leans: bool) -> None:
    assert leans_on_previous(sentence, before) is leans


@pytest.mark.parametrize(
    ("dateline", "own"),
    [
        ("LINTON, Valley (AP) — ", FLOOD[0]),
        ("LINTON, May 2 (Reuters) - ", FLOOD[0]),
        ("LINTON -- ", FLOOD[0]),
        ("ROME -- ", FLOOD[0]),  # a capital shorter than five letters is a place too
        ("(CNN) -- ", FLOOD[0]),
        ("(CNN)", FLOOD[0]),
        ("HARLAN, Ky. — ", FLOOD[0]),
        # in ordinary case, a place and its country
        ("Mihail Kogălniceanu, Romania — ", FLOOD[0]),
        ("Kyiv, Ukraine – ", FLOOD[0]),
    ],
)
def test_a_wire_dateline_is_left_off_the_bullet(dateline: str, own: str) -> None:
    article = _article("a", "Valley Courier", [dateline + own, *FLOOD[1:]])

    texts = [b.text for b in story_bullets([article], {"a": _all_sentences(article)}, 5)]

    assert own in texts  # the sentence itself, verbatim and whole
    assert all(text in article.text for text in texts)  # still the report's own words
    assert not any(dateline.strip() in text for text in texts)


@pytest.mark.parametrize(
    "sentence",
    [
        "NATO — the alliance of 32 countries — met in Linton on Tuesday to talk about floods.",
        "NATO (North Atlantic Treaty Organization) members met in Linton on Tuesday.",
        "U.S. engineers came to Linton on Tuesday to look at the flooded river road.",
        "Finland — The country sent pumps to Linton on Tuesday after two days of rain.",
        # a name and its descriptor keep the speaker; an acronym that is the subject stays
        "Ann Lee (Linton mayor): The river road will stay shut until the water falls.",
        "Ann Lee (Democrat) - The river road will stay shut until the water falls.",
        "FEMA — The agency that pays for repairs — sent pumps to Linton on Tuesday.",
        "UK — The national roads office sent pumps to Linton on Tuesday after the rain.",
        "EU, UK — Both sent pumps to Linton on Tuesday after two days of heavy rain.",
        # in ordinary case only a place with its country is a dateline
        "Brussels – Less talk of the river road and more pumps for the Linton valley.",
        "Poland, Hungary — Both sent pumps to Linton on Tuesday after two days of rain.",
        "Linton, Valley — The county sent pumps to the town on Tuesday after the rain.",
    ],
)
def test_a_sentence_opening_like_a_dateline_is_shown_whole(sentence: str) -> None:
    article = _article("a", "Valley Courier", [sentence, *FLOOD[1:]])

    texts = [b.text for b in story_bullets([article], {"a": _all_sentences(article)}, 5)]

    assert sentence in texts


def test_a_pronoun_after_a_dateline_still_leans_on_what_came_before() -> None:
    lead = "Mayor Ann Lee ordered the river road closed on Tuesday as the water kept rising."
    leaning = "LINTON (AP) — She warned that the bridge could be shut for a month of repairs."
    article = _article("a", "Valley Courier", [lead, leaning])
    split = _all_sentences(article).sentences
    without_lead = Summary(article=article, sentences=split[1:], algorithm="test")

    assert [b.text for b in story_bullets([article], {"a": without_lead}, 5)] == []
