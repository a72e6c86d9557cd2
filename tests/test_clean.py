"""clean: site furniture removal, paragraphs and sub-headings, spacing repairs."""

from __future__ import annotations

import re
import textwrap
import tomllib
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefer.clean import clean, clean_text
from briefer.clean.rules import _family, word_count, words_over
from briefer.clean.spacing import ATTACHED_PUNCT, SPACED_PUNCT, punctuation_spacing
from briefer.records import Article, Block

LEDE = (
    "Dock workers in the port city voted on Tuesday to end a three-week strike, union "
    "leaders said, after the operator agreed to raise wages by six percent."
)
MIDDLE = (
    "The walkout had halted container traffic and left hundreds of ships waiting offshore. "
    "Officials said the backlog would take a month to clear."
)
CLOSING = (
    "The union said it would put the deal to a formal ballot next week, and members are "
    "expected to approve it by a wide margin."
)


def texts(blocks: tuple[Block, ...]) -> list[str]:
    return [block.text for block in blocks]


def body_with(line: str, where: str) -> str:
    if where == "head":
        parts = [line, LEDE, MIDDLE, CLOSING]
    elif where == "middle":
        parts = [LEDE, MIDDLE, line, CLOSING]
    else:
        parts = [LEDE, MIDDLE, CLOSING, line]
    return "\n\n".join(parts)


def assert_only_furniture_dropped(line: str, where: str) -> None:
    blocks, removed = clean_text(body_with(line, where))
    assert texts(blocks) == [LEDE, MIDDLE, CLOSING], line
    assert removed == (line,)


# ------------------------------------------------------------------ furniture families

ANYWHERE = [
    # navigation and page chrome, in the wording of several imaginary sites
    "Skip to content",
    "Skip to main content",
    "Toggle navigation",
    "Main menu",
    "Menu Search Close",
    "Back to top",
    "Home > World > Europe",
    "News | Politics | Elections",
    "Home / Business",
    # sharing and following
    "Share",
    "Share this article",
    "Share on Facebook",
    "Share Tweet Email",
    "Facebook Twitter LinkedIn WhatsApp",
    "Follow us on Telegram",
    "Copy link",
    "1.2k shares",
    # newsletters, subscriptions, cookies
    "Sign up for our daily newsletter",
    "Subscribe to our weekly briefing and get the news in your inbox.",
    "Get the latest headlines delivered to your inbox every morning",
    "We use cookies to improve your experience. Accept all cookies",
    "By continuing to browse this site you agree to our use of cookies.",
    # advertising
    "Advertisement",
    "ADVERTISEMENT",
    "Sponsored content",
    "Story continues below advertisement",
    "Scroll to continue with content",
    "Continue reading the main story",
    # comments
    "Leave a Comment",
    "Leave a Reply Cancel reply",
    "Post a comment",
    "12 Comments",
    "Comments (3)",
    "No comments yet",
    "Join the conversation",
    "Your email address will not be published. Required fields are marked *",
    "You must be logged in to post a comment.",
    # teasers on one line
    "Read more: Port authority names new chief",
    "READ MORE - Union leaders warn of further action",
    "See also: How the strike began",
    "Click here to read the full report",
    # dates and reading times
    "Published: 12 March 2024, 10:15 GMT",
    "Updated Dec. 3, 2024 at 4:05 p.m. ET",
    "Tuesday, 3 December 2024",
    "Updated 3 hours ago",
    "5 min read",
    # credits
    "Reported by Steven Erlanger from Brussels.",
    "Reporting by Tom Black in Lisbon; Editing by Sarah White",
    "Additional reporting by Ana Ruiz",
    "Matina Stevis-Gridneff contributed report.",
    "Maria Gonzalez and Peter O'Neill contributed reporting.",
    "The Associated Press contributed reporting.",
    "English version by the Translation Service of Withub",
    "Translated by Jean Dupont",
    "(Translation: Anna Lee)",
    "Source: Example Wire",
    # photo credits and captions
    "Photo: Jane Roe/Reuters",
    "Photograph: Getty Images",
    "Image credit: Example Agency",
    "Getty Images",
    "AFP via Getty Images",
    "Opens in new window",
    "Soldiers walk past a damaged building. (Photo by Jane Roe/AFP via Getty Images)",
    # copyright
    "© 2024 Example News Ltd. All rights reserved.",
    "Copyright 2024 The Example Times",
    "This material may not be published, broadcast, rewritten or redistributed without permission.",
    # disclaimers that cannot be news wherever they stand
    "This text was not reviewed by a human editor.",
    "The views expressed in this article are the author's own.",
    # page metadata
    "Tags: elections, politics",
    "Filed under: World",
    "https://example.com/news/strike-ends",
    "newsdesk@example.com",
]


@pytest.mark.parametrize("line", ANYWHERE)
@pytest.mark.parametrize("where", ["head", "middle", "tail"])
def test_furniture_lines_are_removed_wherever_they_stand(line: str, where: str) -> None:
    assert_only_furniture_dropped(line, where)


HEAD_ONLY = [
    "Lara Jakes, Kim Barker",
    "Maria Gonzalez and Peter O'Neill",
    "By Maria Gonzalez",
    "By JOHN SMITH | The Daily Example",
    "By Lara Jakes and Kim Barker, The New York Times",
    "This article was automatically translated from Italian.",
    "This article was originally published on The Conversation.",
    "Staff and agencies",
    "Reuters",
]


@pytest.mark.parametrize("line", HEAD_ONLY)
def test_bylines_and_page_notes_at_the_head_are_removed(line: str) -> None:
    assert_only_furniture_dropped(line, "head")


def test_a_byline_below_the_lede_is_still_head_furniture() -> None:
    text = "\n".join(["Strike ends", LEDE, "Lara Jakes, Kim Barker", MIDDLE, CLOSING])
    blocks, removed = clean_text(text, title="Strike ends")
    assert texts(blocks) == [LEDE, MIDDLE, CLOSING]
    assert removed == ("Strike ends", "Lara Jakes, Kim Barker")


TAIL_ONLY = [
    "About Dianne Stinson",
    "About the author",
    "Dianne Stinson",
    "Lara Jakes writes about the West's diplomatic and military efforts to support Ukraine.",
    "Kim Barker is a reporter for The New York Times. Author of analytical articles.",
    "Jane Doe is a senior correspondent covering politics for The Daily Example.",
    "Piet van der Berg has been a journalist for thirty years and lives in Rome.",
    "Ana Ruiz covers energy and climate from Madrid.",
    "Follow her on Twitter @janedoe",
    "More articles by Jane Doe",
    "Reuters/AFP",
    "Not all news on the site expresses the point of view of the site, but we transmit this "
    "news automatically and translate it through programmatic technology on the site and not "
    "from a human editor.",
    "The opinions in this column do not necessarily reflect the views of the publication.",
    "This story was first published by Example Wire and is republished with permission.",
    "This article was machine-translated from Italian and has not been checked.",
    "Our news items are generated automatically from agency wires.",
]


@pytest.mark.parametrize("line", TAIL_ONLY)
def test_author_boxes_and_notes_at_the_tail_are_removed(line: str) -> None:
    assert_only_furniture_dropped(line, "tail")


def test_a_trailing_run_of_furniture_goes_as_a_whole() -> None:
    tail = [
        "Reported by Jane Doe from Madrid.",
        "Jane Doe is a correspondent for The Daily Example.",
        "Share",
        "Leave a Comment",
    ]
    blocks, removed = clean_text("\n\n".join([LEDE, MIDDLE, CLOSING, *tail]))
    assert texts(blocks) == [LEDE, MIDDLE, CLOSING]
    assert removed == tuple(tail)


def test_teasers_after_a_marker_at_the_tail_go_with_the_marker() -> None:
    teasers = [
        "Related stories",
        "Port authority names new chief",
        "The board picked a veteran executive on Monday…",
        "10 Harbours That Aren’t As Busy As You Remember",
    ]
    blocks, removed = clean_text("\n\n".join([LEDE, MIDDLE, CLOSING, *teasers]))
    assert texts(blocks) == [LEDE, MIDDLE, CLOSING]
    assert removed == tuple(teasers)


@pytest.mark.parametrize("marker", ["Check Also", "Read more", "You may also like", "Related"])
def test_a_marker_in_the_middle_takes_only_itself(marker: str) -> None:
    blocks, removed = clean_text("\n\n".join([LEDE, marker, MIDDLE, CLOSING]))
    assert texts(blocks) == [LEDE, MIDDLE, CLOSING]
    assert removed == (marker,)


def test_body_text_after_a_late_marker_is_kept() -> None:
    long_paragraph = " ".join([MIDDLE, CLOSING, LEDE])  # a finished paragraph of 60+ words
    text = "\n\n".join([LEDE, MIDDLE, LEDE, "Read more", long_paragraph])
    blocks, removed = clean_text(text)
    assert texts(blocks) == [LEDE, MIDDLE, LEDE, long_paragraph]
    assert removed == ("Read more",)


NEWS_SENTENCES = [
    "The minister declined to comment on the report, which a reporter for a local paper "
    "first described on Monday.",
    "Regulators said the company had used tracking cookies without consent and must pay a "
    "fine of two million euros.",
    "The statement, translated by the embassy, said the talks would resume next week in Geneva.",
    "By Tuesday, the troops had left the city and the roads were open again.",
    "Several countries contributed troops to the mission, the alliance said.",
    "Jens Stoltenberg is a former prime minister of Norway who led the alliance for a decade.",
    "The report does not necessarily reflect the views of every member state, officials said.",
    "Share prices fell sharply after the announcement, wiping out a week of gains.",
    "More than 200 people were evacuated from the coastal villages overnight.",
    "Follow-up talks are planned for March, the foreign ministry said.",
    "Several universities contributed research to the study, which was published on Monday.",
    "Update: the ministry later said the death toll had risen to twelve.",
    "Google said its machine translation system now covers 200 languages.",
    "The messages were translated automatically by the app, investigators said.",
    "Published data showed that exports rose 4 percent in the first quarter.",
]


@pytest.mark.parametrize("sentence", NEWS_SENTENCES)
@pytest.mark.parametrize("where", ["middle", "tail"])
def test_news_sentences_that_mention_furniture_words_are_kept(sentence: str, where: str) -> None:
    blocks, removed = clean_text(body_with(sentence, where))
    assert sentence in texts(blocks)
    assert removed == ()


# ------------------------------------------------------------------ title


def test_a_notice_wrapped_over_two_lines_is_judged_whole() -> None:
    # Neither line is furniture alone; joined they are a reprint notice.
    notice = ["This article may not be published, broadcast,", "rewritten or redistributed"]
    notice[1] += " without permission."
    blocks, removed = clean_text("\n\n".join([LEDE, "\n".join(notice), CLOSING]))
    assert texts(blocks) == [LEDE, CLOSING]
    assert removed == (" ".join(notice),)


def test_a_line_that_is_furniture_once_repaired_is_removed() -> None:
    # The cut mark hides the credit from the line rules; the repaired paragraph is tried again.
    blocks, removed = clean_text("\n\n".join([LEDE, "<...> Reported by Jane Doe", CLOSING]))
    assert texts(blocks) == [LEDE, CLOSING]
    assert removed == ("Reported by Jane Doe",)


def test_a_title_repeated_at_the_top_is_removed() -> None:
    title = "NATO signals support for Ukraine amid Russia threat"
    text = f"NATO Signals Support for Ukraine Amid Russia Threat!\n\n{LEDE}\n\n{MIDDLE}"
    blocks, removed = clean_text(text, title=title)
    assert texts(blocks) == [LEDE, MIDDLE]
    assert removed == ("NATO Signals Support for Ukraine Amid Russia Threat!",)


def test_a_title_with_the_site_name_appended_is_removed() -> None:
    text = f"Strike ends after three weeks | The Daily Example\n{LEDE}\n{MIDDLE}"
    blocks, _ = clean_text(text, title="Strike ends after three weeks")
    assert texts(blocks) == [LEDE, MIDDLE]


@pytest.mark.parametrize(
    ("title", "line"),
    [
        ("Straße closed after the floods", "STRASSE CLOSED AFTER THE FLOODS | The Daily Example"),
        ("STRASSE CLOSED AFTER THE FLOODS", "Straße closed after the floods - The Daily Example"),
        ("Kyiv’s mayor speaks", "KYIV’S MAYOR SPEAKS"),
    ],
)
def test_a_title_is_matched_by_its_case_folded_words(title: str, line: str) -> None:
    # An ASCII line and a non-ASCII title, and the other way round: the same folded words.
    blocks, removed = clean_text(f"{line}\n\n{LEDE}\n\n{MIDDLE}", title=title)
    assert texts(blocks) == [LEDE, MIDDLE]
    assert removed == (line,)


def test_the_title_is_only_looked_for_at_the_top() -> None:
    paragraphs = [LEDE, MIDDLE, LEDE, MIDDLE, CLOSING, "Strike ends", CLOSING]
    blocks, removed = clean_text("\n\n".join(paragraphs), title="Strike ends")
    assert "Strike ends" in texts(blocks)
    assert removed == ()


def test_without_a_title_nothing_is_taken_for_one() -> None:
    blocks, removed = clean_text(f"{LEDE}\n\n{MIDDLE}", title="")
    assert texts(blocks) == [LEDE, MIDDLE]
    assert removed == ()


# ------------------------------------------------------------------ paragraphs and wrapping


def test_blank_lines_and_single_newlines_both_separate_paragraphs() -> None:
    assert texts(clean_text(f"{LEDE}\n\n\n{MIDDLE}\n{CLOSING}")[0]) == [LEDE, MIDDLE, CLOSING]


def test_a_line_ending_mid_sentence_joins_a_lower_case_next_line() -> None:
    text = (
        "The two-day meeting of the member states’ foreign\n"
        "ministers began today at NATO\n"
        "headquarters in Brussels.\n"
        "A second paragraph starts here."
    )
    assert texts(clean_text(text)[0]) == [
        "The two-day meeting of the member states’ foreign ministers began today at NATO "
        "headquarters in Brussels.",
        "A second paragraph starts here.",
    ]


def test_a_line_ending_on_a_connector_or_comma_continues() -> None:
    text = (
        "The talks were held in\nGeneva on Monday, and\nRussia agreed to return,\nOfficials said."
    )
    assert texts(clean_text(text)[0]) == [
        "The talks were held in Geneva on Monday, and Russia agreed to return, Officials said."
    ]


def test_a_word_hyphenated_at_the_line_end_keeps_its_hyphen() -> None:
    text = "The long-\nrange missiles were delivered on Friday."
    assert texts(clean_text(text)[0]) == ["The long-range missiles were delivered on Friday."]


def test_finished_sentences_on_separate_lines_stay_separate() -> None:
    text = "The talks ended.\nthe next round is in May.\nOfficials were hopeful."
    assert len(clean_text(text)[0]) == 3


def test_a_hard_wrapped_article_is_rejoined_into_paragraphs() -> None:
    paragraph_one = (
        "Dock workers in the port city voted on Tuesday to end a three-week strike. Union "
        "leaders said the operator had agreed to raise wages by six percent. The walkout had "
        "halted container traffic. Hundreds of ships are still waiting offshore for a berth."
    )
    paragraph_two = (
        "Officials said the backlog would take a month to clear. Some perishable cargo was "
        "lost. The union said it would put the deal to a formal ballot next week. Members are "
        "expected to approve it. Shipping lines welcomed the news on Wednesday."
    )

    def wrap(paragraph: str, width: int = 60) -> str:
        lines: list[str] = []
        current = ""
        for word in paragraph.split():
            if current and len(current) + 1 + len(word) > width:
                lines.append(current)
                current = word
            else:
                current = f"{current} {word}".strip()
        lines.append(current)
        return "\n".join(lines)

    text = wrap(paragraph_one) + "\n\n" + wrap(paragraph_two)
    assert texts(clean_text(text)[0]) == [paragraph_one, paragraph_two]


# ------------------------------------------------------------------ sub-headings


def test_short_lines_between_paragraphs_are_headings() -> None:
    headings = [
        "Race against time",
        "“More guns, less discussion”",
        "Kyiv in NATO?",
        "Not so fast",
        "In Trump’s court",
    ]
    parts: list[str] = []
    for heading in headings:
        parts += [heading, MIDDLE]
    blocks, removed = clean_text("\n".join([LEDE, *parts]))
    assert [b.text for b in blocks if b.is_heading] == headings
    assert len(blocks) == 1 + 2 * len(headings)
    assert removed == ()


def test_headings_are_never_merged_into_paragraphs() -> None:
    blocks, _ = clean_text(f"{LEDE}\nNot so fast\n{MIDDLE}")
    assert blocks == (Block(LEDE), Block("Not so fast", is_heading=True), Block(MIDDLE))


@pytest.mark.parametrize(
    "line",
    [
        "NATO considers the idea absurd.",
        "“We stand by that,” he said, noting the deadline.",
        "Tajani also agreed:",
        "But he said NATO should impose limits. Western officials say the demand is a start",
    ],
)
def test_short_sentences_are_not_headings(line: str) -> None:
    blocks, _ = clean_text(f"{LEDE}\n\n{line}\n\n{MIDDLE}")
    assert not any(block.is_heading for block in blocks)


def test_a_closing_comment_prompt_is_furniture_not_a_heading() -> None:
    blocks, removed = clean_text(f"{LEDE}\n\nLeave a Comment\n\n{MIDDLE}\n\nLeave a Comment")
    assert blocks == (Block(LEDE), Block(MIDDLE))
    assert removed == ("Leave a Comment", "Leave a Comment")


def test_list_items_are_not_headings() -> None:
    blocks, _ = clean_text(f"{LEDE}\n- 300 troops\n• Two tank brigades\n{MIDDLE}")
    assert not any(block.is_heading for block in blocks)
    assert texts(blocks) == [LEDE, "300 troops", "Two tank brigades", MIDDLE]


def test_list_items_are_paragraphs_of_their_own_without_their_markers() -> None:
    # Lines of about one length read as a hard-wrapped text, whose lines join; an item is
    # never joined to the line before, and its marker is no word of its sentence.
    items = [
        "* Crews expect to reopen the road by Friday once the water falls below the deck.",
        "* Ferries will carry cars across the river at Linton until the road reopens there.",
        "- Two schools in Harlan closed on Tuesday and sent their pupils home early by bus.",
        "• Red Cross volunteers opened a shelter in the Linton school gym for the families.",
    ]
    text = "\n".join([LEDE, "What we know so far:", *items, MIDDLE])

    blocks, _ = clean_text(text)

    assert texts(blocks)[2:6] == [item[2:] for item in items]
    assert not any(block.is_heading for block in blocks)


def test_a_list_flattened_into_one_line_is_cut_into_its_items() -> None:
    line = (
        "Rescue workers pulled more survivors from the flooded homes of Linton on Tuesday. "
        "* The county said the river road would stay shut until Friday. * Ferries will carry "
        "cars across the river until then, the ferry company said."
    )

    blocks, _ = clean_text(line)

    assert texts(blocks) == [
        "Rescue workers pulled more survivors from the flooded homes of Linton on Tuesday.",
        "The county said the river road would stay shut until Friday.",
        "Ferries will carry cars across the river until then, the ferry company said.",
    ]


@pytest.mark.parametrize(
    "line",
    [
        "The levy works out as 0.2 * 100 = 20 pounds for each household in the county.",
        "Critics gave the new bridge a rating of 4 * Stars across the board on Tuesday.",
        "He said it was * Not * the time to reopen the river road to heavy traffic.",
        "The score (20) * 5 gave the total of one hundred points for the county team.",
        'He rated it "good" * 3 on the form the council sent to every household there.',
        "The levy on GDP * 2 would double the bill for the county and for its towns.",
    ],
)
def test_an_asterisk_within_prose_cuts_nothing(line: str) -> None:
    blocks, _ = clean_text(f"{LEDE}\n\n{line}\n\n{MIDDLE}")
    assert texts(blocks) == [LEDE, line, MIDDLE]


def test_a_flattened_list_after_an_ellipsis_is_cut() -> None:
    line = "Russia said it took two villages… * Kyiv said its troops held the line on Tuesday."
    blocks, _ = clean_text(f"{LEDE}\n\n{line}\n\n{MIDDLE}")
    assert "Kyiv said its troops held the line on Tuesday." in texts(blocks)


def test_a_flattened_list_after_a_heading_in_capitals_is_cut() -> None:
    line = "FIGHTING * The county said the river road would stay shut until Friday on Tuesday."
    blocks, _ = clean_text(f"{LEDE}\n\n{line}\n\n{MIDDLE}")
    assert "The county said the river road would stay shut until Friday on Tuesday." in texts(
        blocks
    )


def test_a_hard_wrapped_sentence_broken_at_a_dash_stays_one_paragraph() -> None:
    # Every line but the last of each paragraph fills the width (about 80 characters), so the
    # text reads as hard-wrapped; the dash lines carry on the sentence above them.
    lines = [
        "The county's flood bill came to far more than the Treasury had allowed for",
        "- a claim that officials in the finance ministry denied on Tuesday evening, as",
        "residents of Linton said the council had lost control of the river defences",
        "- and they called for an inquiry into the works once the waters had fallen.",
        "",
        "The walkout had halted container traffic and left hundreds of ships offshore,",
        "and officials said the backlog would take a month or more to clear at Linton.",
        "",
        "Crews expect to reopen the road by Friday once the water falls below the deck",
        "of the bridge, and ferries will carry cars across the river at Linton till then.",
    ]
    blocks, _ = clean_text("\n".join(lines))
    assert texts(blocks)[0] == " ".join(lines[:4])


# Two paragraphs of a text wrapped at 80 columns, around what a test puts between them.
_FLOOD = (
    "The county's flood bill came to far more than the Treasury had allowed for in its spring "
    "budget, officials said on Tuesday, and residents of Linton said the council had lost "
    "control of the river defences long before the storm arrived at the weekend."
)
_FERRIES = (
    "Crews expect to reopen the road by Friday once the water falls below the deck of the "
    "bridge, and ferries will carry cars across the river at Linton until then, the county said."
)


def _wrapped(*paragraphs: str) -> str:
    return "\n\n".join("\n".join(textwrap.wrap(paragraph, 80)) for paragraph in paragraphs)


@pytest.mark.parametrize("mark", ["-", "•"])
def test_a_wrapped_list_after_a_full_line_without_a_colon_stays_a_list(mark: str) -> None:
    intro = "Among the measures the council announced on Tuesday evening were the following"
    items = [
        "The flood levy will rise by two per cent for every household in the county from",
        "Ferries will run every hour from Linton to the far bank of the river until the end",
        "The council will publish its review of the river defences before the next budget",
    ]
    listed = "\n".join([intro, *(f"{mark} {item}" for item in items)])
    text = f"{_wrapped(_FLOOD)}\n\n{listed}\n\n{_wrapped(_FERRIES)}"
    blocks, _ = clean_text(text)
    assert texts(blocks)[1:5] == [intro, *items]


def test_a_flattened_list_after_capitals_is_cut_in_a_wrapped_text_too() -> None:
    flat = (
        "The army said on Tuesday that its units had taken two villages near the river. "
        "FIGHTING * The county said the road would stay shut. * Aid arrived."
    )
    blocks, _ = clean_text(f"{_wrapped(_FLOOD)}\n\n{flat}\n\n{_wrapped(_FERRIES, _FLOOD)}")
    assert "The county said the road would stay shut." in texts(blocks)
    assert not any("*" in block.text for block in blocks)


def test_furniture_marked_as_a_list_item_is_still_furniture() -> None:
    blocks, removed = clean_text(f"{LEDE}\n\n• Share this article\n\n{MIDDLE}")
    assert texts(blocks) == [LEDE, MIDDLE]
    assert removed == ("• Share this article",)


def test_a_short_last_line_is_not_a_heading() -> None:
    blocks, _ = clean_text(f"{LEDE}\n\nWhat comes next")
    assert blocks[-1] == Block("What comes next")


# ------------------------------------------------------------------ cut marks and spacing


@pytest.mark.parametrize("mark", ["<...>", "[...]", "(...)", "<…>", "[…]", "(…)", "[ . . . ]"])
def test_cut_marks_are_removed(mark: str) -> None:
    text = f"The statement said the treaty guaranteed peace. {mark}\n\nThe talks {mark} went on."
    assert texts(clean_text(text)[0]) == [
        "The statement said the treaty guaranteed peace.",
        "The talks went on.",
    ]


@pytest.mark.parametrize(
    ("raw", "repaired"),
    [
        ("It could not defend themselves. .", "It could not defend themselves."),
        (
            "It is a crucial phase,” Stoltenberg said. . “This is the war.”",
            "It is a crucial phase,” Stoltenberg said. “This is the war.”",
        ),
        (
            "Russia is ready to speak . and find a pretext .",
            "Russia is ready to speak. and find a pretext.",
        ),
        (
            "The United States has spent $ 2.5 billion on aid.",
            "The United States has spent $2.5 billion on aid.",
        ),
        ("Officials   said  so ,  he added .", "Officials said so, he added."),
        ("He said.. then left.", "He said. then left."),
        (
            "“ We have nothing to hide ”, the chairman said.",
            "“We have nothing to hide”, the chairman said.",
        ),
        ("The meeting began today (Dec. 3 ) at NATO.", "The meeting began today (Dec. 3) at NATO."),
        ("Wait for it... the vote passed.", "Wait for it... the vote passed."),
        (
            "Typographic “quotes” and ‘single’ ones — and dashes – stay.",
            "Typographic “quotes” and ‘single’ ones — and dashes – stay.",
        ),
    ],
)
def test_spacing_and_stray_punctuation_are_repaired(raw: str, repaired: str) -> None:
    assert texts(clean_text(raw)[0]) == [repaired]


def test_a_lone_punctuation_paragraph_is_dropped() -> None:
    blocks, removed = clean_text(f"{LEDE}\n\n.\n\n{MIDDLE}")
    assert texts(blocks) == [LEDE, MIDDLE]
    assert removed == (".",)


def test_unicode_whitespace_and_line_endings_are_normalized() -> None:
    text = (
        "Skip to content\r\nThe\u00a0talks\u2009ended\u200b.\r\rA new\u2028line “here”.\u2029End."
    )
    blocks, removed = clean_text(text)
    assert texts(blocks) == ["The talks ended.", "A new line “here”.", "End."]
    assert removed == ("Skip to content",)


def test_invisible_characters_inside_a_word_are_dropped() -> None:
    assert texts(clean_text("The nego\u00adtiations col\u200blapsed.")[0]) == [
        "The negotiations collapsed."
    ]


# ------------------------------------------------------------------ tokenized corpora

CNN_LIKE = (
    "( cnn ) it 's one of the most famous faces in history , even though no one really "
    "knows what he looked like . instead , every culture remakes jesus in its own image . "
    "\" it 's a sign , \" said the 33 - year - old , who does n't agree . a.d. , nbc 's "
    "sequel , drew 10 million viewers -- more than expected ."
)


def test_tokenized_lower_case_text_keeps_every_word() -> None:
    blocks, removed = clean_text(CNN_LIKE)
    assert removed == ()
    assert [block.text for block in blocks] == [CNN_LIKE]
    assert not blocks[0].is_heading


def test_a_credit_sentence_at_the_end_of_tokenized_text_is_removed() -> None:
    credit = "cnn 's jane doe , catherine e. shoichet and john roe contributed to this report ."
    blocks, removed = clean_text(f'{CNN_LIKE} " {credit}')
    assert [block.text for block in blocks] == [f'{CNN_LIKE} "']
    assert removed == (credit,)


# What the two counts that tell tokenized text were written as, before they began with the mark.
_SPACED_PUNCT_AS_WRITTEN = re.compile(r"(?:^|\s)[,.;:!?](?=\s|$)")
_ATTACHED_PUNCT_AS_WRITTEN = re.compile(r"\w[,.;:!?](?=\s|$)")


def _punctuation_counts(text: str) -> tuple[int, int, int, int]:
    return (
        len(SPACED_PUNCT.findall(text)),
        len(_SPACED_PUNCT_AS_WRITTEN.findall(text)),
        len(ATTACHED_PUNCT.findall(text)),
        len(_ATTACHED_PUNCT_AS_WRITTEN.findall(text)),
    )


def test_the_tokenized_text_counts_are_the_patterns_as_written_on_the_fixtures() -> None:
    fixtures = Path(__file__).resolve().parent / "fixtures"
    texts = [CNN_LIKE, LEDE, MIDDLE, " , . ; : ! ?", ",. ,\n.\t; end .", "a .\n, b , c ."]
    texts += [
        path.read_text(encoding="utf-8", errors="replace")
        for path in fixtures.rglob("*")
        if path.is_file() and path.suffix in {".md", ".txt", ".jsonl", ".html", ".xml"}
    ]
    counted = 0
    for text in texts:
        spaced, spaced_before, attached, attached_before = _punctuation_counts(text)
        assert (spaced, attached) == (spaced_before, attached_before)
        assert punctuation_spacing(text) == (spaced, attached)  # the one pass the cleaner makes
        counted += spaced + attached
    assert counted > 500  # the fixtures hold both shapes in number (650 marks)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab1_ ,.;:!?\n\t\u00a0é'\"")), max_size=40))
def test_the_tokenized_text_counts_are_the_patterns_as_written(text: str) -> None:
    spaced, spaced_before, attached, attached_before = _punctuation_counts(text)
    assert (spaced, attached) == (spaced_before, attached_before)
    assert punctuation_spacing(text) == (spaced, attached)


def test_a_comments_notice_at_the_end_of_the_last_paragraph_is_removed() -> None:
    notice = "sorry we are not currently accepting comments on this article ."
    blocks, removed = clean_text(f"{CNN_LIKE} {notice}")
    assert [block.text for block in blocks] == [CNN_LIKE]
    assert removed == (notice,)


# ------------------------------------------------------------------ odd input


@pytest.mark.parametrize("text", ["", "   ", "\n\n\n", "\u200b\u00a0\r\n", "...", "<...>"])
def test_empty_or_blank_input_gives_no_blocks(text: str) -> None:
    assert clean_text(text)[0] == ()


def test_clean_wraps_the_article_in_a_document() -> None:
    article = Article(
        id="abc",
        title="Strike ends",
        date=None,
        source="",
        url="",
        text=f"Strike ends\n\nAdvertisement\n\n{LEDE}",
        path="x.txt",
    )
    document = clean(article)
    assert document.article is article
    assert document.blocks == (Block(LEDE),)
    assert document.removed == ("Strike ends", "Advertisement")


# ------------------------------------------------------------------ the real samples


def read_sample(path: Path) -> tuple[str, str]:
    """(title, body) of a sample: TOML front matter between '+++' lines, then the raw text."""
    _, front, body = path.read_text(encoding="utf-8").split("+++\n", 2)
    return str(tomllib.loads(front)["title"]), body


SAMPLES = {
    "000": (
        "BRUSSELS — Faced with the prospect that the war in Ukraine will be long",
        "Foreign Ministers will also begin a more in-depth discussion on NATO’s new Strategic",
    ),
    "001": (
        "KYIV, Ukraine Faced with a building threat from Russia",
        "“If you push towards Kiev, if you are outside the capital",
    ),
    "002": (
        "NATO Secretary General Rutte called for strengthening Ukraine's position",
        '"We need such certainty," said Ukrainian Foreign Minister Andriy Sibiga.',
    ),
    "003": (
        "BRUSSELS – NATO foreign ministers gathered virtually on Friday",
        "Russia responded by suspending the mission’s work to NATO",
    ),
    "004": (
        "Brussels – Less discussion on the peace process and more military aid.",
        "Tajani’s comment was also along the same lines:",
    ),
}
FURNITURE = [
    "Skip to content",
    "Leave a Comment",
    "Check Also",
    "About Dianne",
    "Xbox",
    "writes about",
    "is a reporter for",
    "Translation Service",
    "human editor",
    "contributed report",
    "Reported by",
    "<...>",
    "Lara Jakes",
    "Kim Barker",
    "Author of",
]


@pytest.fixture(scope="module")
def cleaned_samples() -> dict[str, tuple[Block, ...]]:
    folder = Path(__file__).resolve().parents[1] / "samples"
    result: dict[str, tuple[Block, ...]] = {}
    for path in sorted(folder.glob("*.txt")):
        title, body = read_sample(path)
        result[path.name[:3]] = clean_text(body, title)[0]
    return result


def test_all_five_samples_are_there(cleaned_samples: dict[str, tuple[Block, ...]]) -> None:
    assert sorted(cleaned_samples) == sorted(SAMPLES)


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_no_furniture_survives_in_the_samples(
    cleaned_samples: dict[str, tuple[Block, ...]], sample: str
) -> None:
    for block in cleaned_samples[sample]:
        for furniture in FURNITURE:
            assert furniture not in block.text, (sample, furniture)


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_first_and_last_real_paragraphs_of_the_samples_survive(
    cleaned_samples: dict[str, tuple[Block, ...]], sample: str
) -> None:
    first, last = SAMPLES[sample]
    blocks = cleaned_samples[sample]
    assert blocks[0].text.startswith(first)
    assert blocks[-1].text.startswith(last)
    assert not blocks[0].is_heading and not blocks[-1].is_heading


def test_the_samples_lose_their_repeated_titles(
    cleaned_samples: dict[str, tuple[Block, ...]], repo_samples: Path
) -> None:
    for path in sorted(repo_samples.glob("*.txt")):
        title, _ = read_sample(path)
        if title:
            assert all(block.text != title for block in cleaned_samples[path.name[:3]])


def test_sample_004_sub_headings_are_headings(
    cleaned_samples: dict[str, tuple[Block, ...]],
) -> None:
    assert [block.text for block in cleaned_samples["004"] if block.is_heading] == [
        "Race against time",
        "“More guns, less discussion”",
        "The difficulties at the front",
        "Kyiv in NATO?",
        "Not so fast",
        "In Trump’s court",
    ]
    assert all(not block.is_heading for key in "0123" for block in cleaned_samples[f"00{key}"])


def test_sample_004_wrapped_lines_are_rejoined(
    cleaned_samples: dict[str, tuple[Block, ...]],
) -> None:
    assert any(
        block.text.startswith("The two-day meeting of the 32 member states’ foreign ministers to")
        and "at NATO headquarters in Brussels." in block.text
        for block in cleaned_samples["004"]
    )


def test_sample_repairs(cleaned_samples: dict[str, tuple[Block, ...]]) -> None:
    joined = {
        key: "\n".join(block.text for block in blocks) for key, blocks in cleaned_samples.items()
    }
    assert "Stoltenberg said. “This is a crucial phase of the war.”" in joined["000"]
    assert "drive them out of Ukraine." in joined["000"] and "Ukraine. ." not in joined["000"]
    assert "or to defend themselves." in joined["001"] and "themselves. ." not in joined["001"]
    assert "$2.5 billion" in joined["001"]
    assert "the Budapest Memorandum.\n" in joined["002"]
    assert "winter cold in Ukraine." in joined["002"]


def test_the_raw_originals_clean_like_the_repo_samples(
    shared_dir: Path, repo_samples: Path
) -> None:
    for path in sorted(repo_samples.glob("*.txt")):
        title, body = read_sample(path)
        raw = (shared_dir / "samples" / path.name).read_text(encoding="utf-8")
        assert clean_text(raw, title) == clean_text(body, title)


# ------------------------------------------------------------------ invariants

WORD_RUN = re.compile(r"[^\W_]+")


def word_runs(text: str) -> set[str]:
    visible = "".join(char for char in text if unicodedata.category(char) != "Cf")
    return set(WORD_RUN.findall(visible))


PIECES = st.sampled_from(
    [
        "Skip to content",
        "Leave a Comment",
        "By Jane Doe",
        "Jane Doe, John Roe",
        "Advertisement",
        "Read more",
        "About Jane Doe",
        "Jane Doe is a reporter for The Times.",
        "Reported by Jane Doe from Rome.",
        "<...>",
        "[…]",
        " . ",
        ". .",
        "$ 2",
        "“ quoted ”",
        "said .",
        "Not so fast",
        "Kyiv in NATO?",
        "contributed to this report .",
        "the",
        "-",
        "\n",
        "\n\n",
        "\u00a0",
        "\u200b",
        "\r\n",
        LEDE,
        MIDDLE,
    ]
)
ARTICLES = st.one_of(
    st.text(max_size=400),
    st.lists(st.one_of(PIECES, st.text(max_size=30)), max_size=30).map(" ".join),
    st.lists(st.one_of(PIECES, st.text(max_size=30)), max_size=30).map("\n".join),
)


@settings(max_examples=300, deadline=None)
@given(text=ARTICLES, title=st.one_of(st.just(""), st.text(max_size=40), PIECES))
def test_cleaning_never_invents_words_and_never_raises(text: str, title: str) -> None:
    blocks, removed = clean_text(text, title)
    allowed = word_runs(text)
    for block in blocks:
        assert block.text == block.text.strip() and block.text
        assert "\n" not in block.text
        assert word_runs(block.text) <= allowed
    assert clean_text(text, title) == (blocks, removed)


def _paragraphs(text: str) -> list[str]:
    blocks, _ = clean_text(text)
    return [block.text for block in blocks]


def test_an_inline_photo_credit_and_its_dated_caption_are_furniture() -> None:
    """Wire copy flattened into one paragraph: the caption (ending on the photo's day) and the
    credit in parentheses go; the report's sentences on either side stay, and the credit no
    longer glues itself to the next sentence ("Scott Applewhite) It was ...")."""
    text = (
        "The Senate voted 95-1 to ratify the accession of Finland and Sweden. The minister "
        "spoke with reporters in his office at the Capitol in Washington, Wednesday, Aug. 3, "
        "2022. (AP Photo/J. Scott Applewhite) It was a milestone for the alliance."
    )
    blocks, removed = clean_text(text)
    assert [block.text for block in blocks] == [
        "The Senate voted 95-1 to ratify the accession of Finland and Sweden. It was a "
        "milestone for the alliance."
    ]
    assert "(AP Photo/J. Scott Applewhite)" in removed
    assert any(line.startswith("The minister spoke with reporters") for line in removed)


def test_a_story_caption_after_the_photos_own_goes_with_it() -> None:
    """AP's way: the photo's dated caption, then a sentence or two for the whole story, the
    same under every photo, then the credit. Said once, such a sentence is the report's."""
    story = (
        "Poland and Czechia signed an agreement to protect Slovak airspace as its MiGs retire. "
        "That protection is meant to last until Slovakia receives new F-16s in 2024."
    )
    text = (
        "Poland signed an agreement Saturday to protect Slovak airspace. Slovakia has a fleet "
        "of 11 jets. Jets fly over an airshow in Malacky, Slovakia, Saturday, Aug. 27, 2022. "
        f"{story} (AP Photo/Petr David Josek) The jets fly on until September. Defense "
        "ministers smile before signing the treaty at an airshow in Malacky, Slovakia, "
        f"Saturday, Aug. 27, 2022. {story} (AP Photo/Petr David Josek) Czechia pays its share."
    )
    assert _paragraphs(text) == [
        "Poland signed an agreement Saturday to protect Slovak airspace. Slovakia has a fleet "
        "of 11 jets. The jets fly on until September. Czechia pays its share."
    ]
    once = (
        "The vote was held on 3 August 2022. It passed. Few noticed. (Photo: Reuters) More later."
    )
    assert _paragraphs(once) == [
        "The vote was held on 3 August 2022. It passed. Few noticed. More later."
    ]


def test_a_caption_ends_on_its_date_and_a_full_stop() -> None:
    """A report's sentence ending on a date keeps its place, and so does one a credit
    interrupts; AP's place after the date ("..., 2022, in Washington.") still ends a caption."""
    assert _paragraphs(
        "Lawmakers voted on the bill on Aug. 3, 2022 (AP Photo/J. Doe) and it passed easily."
    ) == ["Lawmakers voted on the bill on Aug. 3, 2022 and it passed easily."]
    assert _paragraphs(
        "Samsonova won in straight sets. Liudmila Samsonova poses with the trophy, Sunday, Aug. "
        "7, 2022, in Washington. (AP Photo/Nick Wass) She had not played for weeks."
    ) == ["Samsonova won in straight sets. She had not played for weeks."]
    prose = "The sketch (Photo: left) shows the old bridge."
    assert _paragraphs(prose) == [prose]
    assert _paragraphs(
        "The law, which Congress passed, takes effect on Jan. 1, 2023. (Photo: Reuters) Critics "
        "said it was rushed."
    ) == [
        "The law, which Congress passed, takes effect on Jan. 1, 2023. Critics said it was rushed."
    ]
    assert _paragraphs(
        "The meeting ended at 5 p.m. Officials left Geneva on Aug. 3, 2022. (AP Photo/J. Doe) "
        "They returned."
    ) == ["The meeting ended at 5 p.m. Officials left Geneva on Aug. 3, 2022. They returned."]


def test_a_short_sentence_said_twice_is_no_story_caption() -> None:
    text = (
        "It passed. Lawmakers met in Washington on Wednesday, Aug. 3, 2022. It passed. (Photo: "
        "Reuters) Few noticed."
    )
    assert _paragraphs(text) == [text.replace(" (Photo: Reuters)", "")]


def test_a_credit_in_another_script_is_cut_too() -> None:
    assert _paragraphs("Talks resumed. (Photo: Éric Feferberg/AFP) They ended late.") == [
        "Talks resumed. They ended late."
    ]


def test_a_labelled_credit_after_its_caption_is_cut_and_the_next_sentence_kept_whole() -> None:
    """A caption's credit as a photo's page shows it under the photo ("Photograph: Name/Agency"),
    flattened into the text: the credit goes and the sentence after it reads from its first
    word, whether that is a stopword, a possessive, or a name the agency's words run into."""
    caption = "Farmers queue at a grain silo near the port."
    cases = [
        ("Jane Roe/Reuters", "In the first weeks, exports fell by half."),
        ("The Guardian", "Since March, however, no ship has sailed."),
        ("Ann Lee/The Observer", "Kovalenko, who farms 500 hectares, expects a loss."),
        ("Loop Images/Universal Images Group/Getty Images", "Moscow’s plan has not happened."),
        ("Sky Pictures/Reuters", "Petro Kovalenko, the mayor, said prices had doubled."),
        # the next sentence opening on a common noun, a title or a country: none of them is
        # an agency's word, so none is taken for part of the credit
        ("Getty Images", "Police said the silo was closed."),
        ("Jane Roe/Reuters", "Turkey brokered a new deal."),
        ("Reuters", "President Biden said the deal holds."),
        ("Alamy Stock Photo", "Prices rose again."),
        ("AFP via Getty Images", "Officials said the port reopened."),
        ("Anadolu Agency via Getty Images", "Police said the silo was closed."),
        ("Sean Gallup via Getty Images", "Crews said the road would reopen."),
        ("The Washington Post via Getty Images", "Police said so."),
        ("PA Media", "Police said so."),
        # an agency's word that opens the sentence: a lower-case word follows it
        ("Getty Images", "Media reports said the silo was closed."),
        ("Jane Roe/Reuters", "News of the closure spread."),
        ("Reuters", "Press secretary Jo Lee said so."),
    ]
    for credit, sentence in cases:
        text = f"Exports stopped in March. {caption} Photograph: {credit} {sentence}"
        blocks, removed = clean_text(text)
        assert [block.text for block in blocks] == [
            f"Exports stopped in March. {caption} {sentence}"
        ]
        assert f"Photograph: {credit}" in removed
    # a full stop after the credit is the credit's
    blocks, removed = clean_text(f"{caption} Photograph: Jane Roe/Reuters. Police said so.")
    assert [block.text for block in blocks] == [f"{caption} Police said so."]
    assert "Photograph: Jane Roe/Reuters." in removed
    # at the head of a line that goes on with the report, too
    assert _paragraphs(
        "Photo: Jane Roe/AFP On Friday the ministers met in Brussels to agree the next package."
    ) == ["On Friday the ministers met in Brussels to agree the next package."]


def test_what_only_looks_like_a_labelled_credit_is_kept() -> None:
    """Prose with such a label and no capitalised name after it stays; a teaser line that
    opens with one is furniture as a whole, as it was."""
    for prose in (
        "The sketch was shown to reporters. Photo: left, the bridge; right, the dam.",
        "Lawmakers approved it. Picture: a 12-page plan for the port.",
    ):
        assert _paragraphs(prose) == [prose]
    assert _paragraphs("Photos: The war in pictures\n\nThe talks ended on Friday.") == [
        "The talks ended on Friday."
    ]


def test_an_undated_sentence_before_a_credit_is_kept() -> None:
    """Only a caption ending on a date is taken for one: a sentence of the report that a
    credit follows stays, as do parentheses that are not a photo credit."""
    kept = (
        "Hundreds gathered in front of the presidency in Sofia. They want Gazprom to cease "
        "to be the only supplier (a demand made in March 2022, too)."
    )
    assert _paragraphs(f"{kept} (AP Photo/Valentina Petrova) More protests are planned.") == [
        f"{kept} More protests are planned."
    ]
    prose = "The report (Photo evidence, page 4) was published on Monday, Aug. 1, 2022."
    assert _paragraphs(prose) == [prose]


@given(
    st.lists(st.text(alphabet="ab", min_size=1, max_size=30), max_size=120).map(" ".join),
    st.integers(min_value=0, max_value=90),
)
@settings(max_examples=300, deadline=None)
def test_words_over_answers_as_the_whole_count(text: str, bound: int) -> None:
    # Short and long words alike: the prefix it counts first never decides wrongly.
    assert words_over(text, bound) == (word_count(text) > bound)


def test_a_search_family_keeps_its_anchored_patterns_at_the_line_start() -> None:
    family = _family(
        {
            "name": "notes",
            "where": "edge",
            "max_words": 80,
            "match": "find",
            "patterns": [r"^correction\s*:", r"\ball rights reserved\b"],
        }
    )
    _, test = family.test()
    assert test("Correction: an earlier version misnamed the minister.")
    assert not test("The minister asked for a correction: none came.")
    assert test("Photos by the agency. All rights reserved.")
    assert not test("The rights were reserved for members.")
