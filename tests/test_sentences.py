"""The sentence splitter: hand-labelled news paragraphs, tokenized text, samples, properties."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

from briefer.records import Article, Block, Document
from briefer.sentences import split_document, split_text

# Hand-labelled cased news paragraphs: each is the list of its sentences, joined by one space to
# make the paragraph. Between them they hold well over 40 places where a splitter could go wrong.
CASED: list[list[str]] = [
    [
        "Russian President Vladimir V. Putin met Antony J. Blinken on Tuesday.",
        "The talks lasted two hours.",
    ],
    [
        "Mr. Putin and Mrs. Clinton spoke with Dr. Fauci and Ms. Rivera.",
        "Nobody else was present.",
    ],
    [
        "Lt. Col. Alexander S. Vindman and Col. Smith testified before Sen. Warner and "
        "Rep. Schiff.",
        "Gov. Newsom was absent.",
    ],
    [
        "Sgt. Jones met Capt. Lee, Cmdr. Shaw, Adm. Rogers and Maj. Gen. Patrick Ryder.",
        "They discussed the plan.",
    ],
    [
        "Insp. Morse and Supt. Bright of the Thames Valley police arrived at 9 a.m. Monday.",
        "The house was empty.",
    ],
    [
        "The Rev. Martin Luther King Jr. spoke in Washington, D.C., in 1963.",
        "His words still echo.",
    ],
    [
        "The company raised $2.4 billion in a deal led by Goldman Sachs Group Inc. and "
        "Morgan Stanley & Co. on Friday.",
        "Shares rose 1.5% to $31.25.",
    ],
    [
        "Prices rose 3.2 percent in Jan. and 2.9 percent in Feb., the data showed.",
        "Economists had expected less.",
    ],
    ["The attack on Sept. 11, 2001, changed everything.", "It was a Tuesday."],
    ["He lives at 10 Downing St. in London.", "She lives on Fifth Ave. near the park."],
    ["The troops moved to Ft. Bragg and then to Mt. Rainier.", "None were hurt."],
    [
        "The U.S. Army and the U.K. Ministry of Defence issued a joint statement.",
        "The U.N. Security Council met later.",
    ],
    [
        "Sanctions were imposed by the E.U. and the U.S.",
        "The Kremlin said it would retaliate.",
    ],
    ["The meeting ended at 5 p.m.", "Then everybody went home."],
    ["She earned a Ph.D. from Stanford University in 2010.", "She now teaches there."],
    ["Apples, oranges, pears, etc. were on the table.", "Nothing else was."],
    [
        "Some regions, e.g. the north, were hit hardest, i.e. those near the border.",
        "Aid is on its way.",
    ],
    ["The case of Roe vs. Wade was decided in 1973.", "It was overturned in 2022."],
    ["He ranked No. 1 in the world for most of 2015.", "He then retired."],
    ["He paused... and then walked away.", "Nobody followed him."],
    ["Wait for it…", "Here it comes."],
    ["Is the war over?", "Not yet, officials said."],
    ["“Why now?” he asked.", "Nobody answered."],
    ["“This is unacceptable!” shouted the mayor.", "The crowd cheered."],
    ["“Is this the end?” Smith wondered aloud.", "It was not."],
    ["“Is this the end?”", "The question hung in the air."],
    [
        "“The war is far from over,” he said.",
        "“This is a crucial phase of the war.”",
        "Next week the ministers meet again.",
    ],
    ['"We will not back down," the minister said.', '"Never."', "The statement was brief."],
    ["He called the plan “a disaster.”", "Critics agreed."],
    ["“It’s over,” he said.", "“We lost.”"],
    [
        "The ministers (meeting in Brussels) agreed on one point.",
        "(The details were not released.)",
        "Talks continue.",
    ],
    [
        "The report is at www.example.com/report.html for subscribers.",
        "Questions go to press@example.org.",
        "Answers come within a day.",
    ],
    [
        "Visit https://www.nato.int/cps/en/natohq/news.htm?selectedLocale=en for details.",
        "The page is updated daily.",
    ],
    [
        "BRUSSELS — Faced with the prospect of a long war, NATO nations are divided — deeply so.",
        "Poland wants a full break.",
    ],
    ["Shares of Apple Inc. fell 2% on Tuesday.", "Microsoft Corp. shares rose."],
    ["The deal was announced by Pfizer Inc.", "The drugmaker said it would close in June."],
    ["He was born in 1950.", "In 1970 he moved to Paris."],
    ["Growth slowed to 2.5%.", "15 people were hurt in the crash."],
    ["The suspect, identified as John A. Smith, 45, was arrested.", "He has been charged."],
    ["J. D. Vance spoke first.", "Then came the governor."],
    ["It was 98.6 degrees.", "The patient recovered."],
    ["They called it Plan B.", "It failed."],
    ["He served in World War II.", "Then he became a teacher."],
    [
        "The talks in St. Petersburg ended Oct. 12 without a deal.",
        "A new round is set for Nov. 3.",
    ],
    ["Prof. Jane Doe of the Univ. of Chicago disagreed.", "Others did not."],
    ["Sen. Elizabeth Warren (D-Mass.) said the bill was flawed.", "Others disagreed."],
    ["The suspect fled to Calif. after the shooting.", "Police are searching."],
    ["He moved to Springfield, Ill.", "The family followed."],
    ["Officials said the U.S.-led coalition would respond.", "No date was set."],
    ["The result — a narrow win — surprised everyone.", "Even the winners."],
    ["He asked: “Why?”", "No one replied."],
    ["She shouted “Stop!” and ran.", "Police arrived."],
    ["“Stop!”", "Police arrived moments later."],
    ["The score was 3-1!", "Fans celebrated."],
    ["Is it real?!", "Nobody knows."],
    ["The firm, Smith & Wesson Brands Inc., said sales fell.", "Its stock dropped."],
    ["“Moscow is not giving up,” NATO Secretary General Jens Stoltenberg said this week."],
]

# Paragraphs whose shape is not "sentences joined by a space": lists and line breaks.
SHAPED: list[tuple[str, list[str] | None]] = [
    (
        "The plan has three steps:\n1. Cut costs.\n2. Raise prices.",
        ["The plan has three steps:", "1. Cut costs.", "2. Raise prices."],
    ),
    ("Steps: 1. Wash the car. 2. Dry it.", ["Steps: 1. Wash the car.", "2. Dry it."]),
    (
        "What they want:\n- a ceasefire\n- talks in Geneva",
        ["What they want:", "- a ceasefire", "- talks in Geneva"],
    ),
    ("First part.\n\nSecond part without a stop", ["First part.", "Second part without a stop"]),
    ("A long sentence that is wrapped\nover two lines by its author.", None),  # one sentence
    # A separator of underscores between sentences on one line (wire copy's section rules),
    # after a closing quote or a full stop: a break, and part of neither sentence.
    (
        "“We will not stop until the war ends.” ___ Jane Doe contributed to this report. "
        "___ Follow our coverage of the war.",
        [
            "“We will not stop until the war ends.”",
            "Jane Doe contributed to this report.",
            "Follow our coverage of the war.",
        ],
    ),
    (
        "Talks ended on Friday. ___\nThe next round opens in May. ___",
        ["Talks ended on Friday.", "The next round opens in May."],
    ),
]

# Lower-cased, tokenized text in the style of the CNN/DailyMail rows.
TOKENIZED: list[tuple[str, list[str] | None]] = [
    (
        "( cnn ) it 's one of the most famous faces in history , even though no one really "
        "knows what he looked like . instead , every culture , every generation , remakes "
        "jesus in its own image .",
        [
            "( cnn ) it 's one of the most famous faces in history , even though no one really "
            "knows what he looked like .",
            "instead , every culture , every generation , remakes jesus in its own image .",
        ],
    ),
    (
        "the u.s. and the u.n. met at 5 p.m. on monday , mr. smith said . "
        "no. 1 seed serena williams won .",
        [
            "the u.s. and the u.n. met at 5 p.m. on monday , mr. smith said .",
            "no. 1 seed serena williams won .",
        ],
    ),
    (
        '" why are n\'t you dancing ? " channing tatum obliged , popping a twerk . '
        '" your turn , " he told her .',
        [
            '" why are n\'t you dancing ? "',
            "channing tatum obliged , popping a twerk .",
            '" your turn , " he told her .',
        ],
    ),
    (
        '" did you see him ? " the representative asked . " there are ten of them . " '
        "cummings said that gray joined .",
        [
            '" did you see him ? " the representative asked .',
            '" there are ten of them . "',
            "cummings said that gray joined .",
        ],
    ),
    (
        "he was dr. j. smith 's son . st. louis is a city in missouri .",
        ["he was dr. j. smith 's son .", "st. louis is a city in missouri ."],
    ),
    (
        "' i need to get better . ' and i think over my career i 've gotten better .",
        ["' i need to get better . '", "and i think over my career i 've gotten better ."],
    ),
    ("a smile … and when he left , nobody saw him .", None),  # one sentence
    (
        "the best players : 8 . lionel messi , barcelona . 7 . cristiano ronaldo .",
        ["the best players : 8 . lionel messi , barcelona .", "7 . cristiano ronaldo ."],
    ),
    # underscores within a sentence, after no stop: a censored word, not a separator
    (
        "he told them to f ___ off , police said . nobody moved .",
        ["he told them to f ___ off , police said .", "nobody moved ."],
    ),
    (
        "does god have a prayer in hollywood ? what unites these projects is the type of men .",
        [
            "does god have a prayer in hollywood ?",
            "what unites these projects is the type of men .",
        ],
    ),
    # Lower-cased but not tokenized: a full stop before a lower-case word still ends a sentence.
    (
        "we met mr. smith at 9 a.m. on monday. then we left for the u.s. the trip was long.",
        [
            "we met mr. smith at 9 a.m. on monday.",
            "then we left for the u.s.",
            "the trip was long.",
        ],
    ),
]


def _expected(text: str, sentences: list[str] | None) -> list[str]:
    return [text.strip()] if sentences is None else sentences


def _all_cases() -> list[tuple[str, list[str]]]:
    cases = [(" ".join(sentences), sentences) for sentences in CASED]
    cases += [(text, _expected(text, sentences)) for text, sentences in SHAPED]
    cases += [(text, _expected(text, sentences)) for text, sentences in TOKENIZED]
    return cases


def _boundaries(sentences: list[str]) -> int:
    return len(sentences) - 1


def test_hand_labelled_set_holds_enough_boundaries() -> None:
    # Ends to find, plus full stops, ? and ! that must not end a sentence.
    ends = sum(_boundaries(sentences) for _, sentences in _all_cases())
    traps = sum(
        len(re.findall(r"[.!?…]+\S*\s", " ".join(sentences))) - _boundaries(sentences)
        for _, sentences in _all_cases()
    )
    assert ends >= 40
    assert traps >= 40


@pytest.mark.parametrize(("sentences"), CASED, ids=lambda sentences: sentences[0][:40])
def test_cased_news_paragraphs(sentences: list[str]) -> None:
    assert split_text(" ".join(sentences)) == sentences


@pytest.mark.parametrize(("text", "sentences"), SHAPED, ids=lambda value: str(value)[:40])
def test_lists_and_line_breaks(text: str, sentences: list[str] | None) -> None:
    assert split_text(text) == _expected(text, sentences)


@pytest.mark.parametrize(("text", "sentences"), TOKENIZED, ids=lambda value: str(value)[:40])
def test_lower_cased_tokenized_text(text: str, sentences: list[str] | None) -> None:
    assert split_text(text) == _expected(text, sentences)


def _punkt() -> PunktSentenceTokenizer:
    """Punkt as it can be had offline: untrained parameters plus our abbreviation list."""
    parameters = PunktParameters()
    data = Path(__file__).resolve().parents[1] / "briefer" / "data" / "abbreviations.txt"
    for line in data.read_text(encoding="utf-8").splitlines():
        entry = line.split(" ")[0]
        if entry.endswith(".") and not line.startswith("#"):
            parameters.abbrev_types.add(entry[:-1].lower())
    return PunktSentenceTokenizer(parameters)


def test_at_least_as_accurate_as_punkt_on_the_hand_labelled_set() -> None:
    punkt = _punkt()
    cases = _all_cases()
    ours = sum(split_text(text) == sentences for text, sentences in cases)
    theirs = sum(
        [s.strip() for s in punkt.tokenize(text) if s.strip()] == sentences
        for text, sentences in cases
    )
    assert ours == len(cases)
    assert ours > theirs


def _sample_paragraphs(folder: Path, name_start: str) -> list[str]:
    (path,) = folder.glob(f"{name_start}_*.txt")
    body = path.read_text(encoding="utf-8").split("+++", 2)[2]
    return [part for part in re.split(r"\n\s*\n", body) if part.strip()]


def test_sample_000_keeps_names_with_initials_and_titles_whole(repo_samples: Path) -> None:
    sentences = [s for part in _sample_paragraphs(repo_samples, "000") for s in split_text(part)]
    putin = [s for s in sentences if "Vladimir V. Putin" in s]
    assert len(putin) == 1
    assert putin[0].startswith("Countries like France, Germany and Turkey")
    assert putin[0].endswith("committed by his troops, officials said.")
    assert not any(re.search(r"\b(?:Mr|Mrs|Dr|[A-Z])\.$", s) for s in sentences)
    assert "“This is a crucial phase of the war.”" in sentences


def test_samples_split_on_every_paragraph_without_loss(repo_samples: Path) -> None:
    for path in sorted(repo_samples.glob("*.txt")):
        body = path.read_text(encoding="utf-8").split("+++", 2)[2]
        for part in re.split(r"\n\s*\n", body):
            sentences = split_text(part)
            assert _non_space("".join(sentences)) == _non_space(part)
            assert not any(re.search(r"\bMr\.$", s) for s in sentences)


def test_split_document_skips_headings_and_numbers_sentences_across_blocks() -> None:
    article = Article(id="x", title="T", date=None, source="", url="", text="", path="memory/x.txt")
    document = Document(
        article=article,
        blocks=(
            Block("Mr. Smith went to Washington. He stayed."),
            Block("A Sub-Heading. With A Stop", is_heading=True),
            Block("Then he left."),
        ),
    )
    sentences = split_document(document)
    assert [(s.text, s.index, s.block) for s in sentences] == [
        ("Mr. Smith went to Washington.", 0, 0),
        ("He stayed.", 1, 0),
        ("Then he left.", 2, 2),
    ]


def test_bbc_reference_sentences_come_out_whole(shared_dir: Path) -> None:
    # The BBC references are sentences copied verbatim from their articles: a silver standard.
    found = total = 0
    with (shared_dir / "eval" / "bbc_dev.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            parts = re.split(r"\n\s*\n", row["article"])
            sentences = {s for part in parts for s in split_text(part)}
            references = [r.strip() for r in row["reference"].splitlines() if r.strip()]
            total += len(references)
            found += sum(reference in sentences for reference in references)
    assert found / total >= 0.99


def _non_space(text: str) -> str:
    return "".join(text.split())


def test_cnndm_rows_split_on_free_standing_stops(shared_dir: Path) -> None:
    with (shared_dir / "eval" / "cnndm_dev.jsonl").open(encoding="utf-8") as handle:
        rows = [json.loads(line) for _, line in zip(range(60), handle, strict=False)]
    sentence_end = re.compile(r"(?:^|\s)(?:[.!?…]+|\S*[!?])(?:\s[\"'”’)\]]+)*$")
    for row in rows:
        text = row["article"]
        sentences = split_text(text)
        assert len(sentences) > 3
        # Never inside "u.s.", "mr." or "p.m.": only at a stop that stands apart.
        assert [s for s in sentences[:-1] if not sentence_end.search(s)] == []
        assert _non_space("".join(sentences)) == _non_space(text)


# Properties, on arbitrary text and on text assembled from news-like pieces. Any exception
# raised by the splitter fails them too.
NEWS_WORDS = """Mr. Dr. U.S. Inc. J. V. e.g. No. St. a.m. said. said asked. the The He he war.
war “Why now?” over,” "Yes," 1. 8 2.5% $2.4 ... … — ( ) . , ? ! " ' it's Putin Vladimir iPhone
www.example.com. u.s. mr. says wales ___ f___"""
NEWS_PIECES = [*NEWS_WORDS.split(), "\n", "\n\n", "\t", "- item"]
news_text = st.lists(st.sampled_from(NEWS_PIECES), max_size=40).map(" ".join)
any_text = st.lists(
    st.sampled_from([*"aAbB .!?…\"'“”’()—-,:1\n\t$%", "Mr", "U.S", "etc", "i"]),
    max_size=60,
).map("".join)
texts = st.one_of(news_text, any_text, st.text(max_size=60))


# What may lie between sentences: white space, and separators of underscores ("... ends.” ___
# Jane Doe contributed"), which belong to no sentence.
_SKIPPABLE = re.compile(r"(?:\s|(?<!\S)_{3,}(?!\S))*")


@settings(max_examples=300, deadline=None)
@given(texts)
def test_sentences_are_verbatim_ordered_and_cover_the_text(text: str) -> None:
    sentences = split_text(text)
    position = 0
    for sentence in sentences:
        assert sentence and sentence == sentence.strip()
        found = text.find(sentence, position)
        assert found >= 0
        assert _SKIPPABLE.fullmatch(text[position:found])  # nothing but white space is skipped
        position = found + len(sentence)
    assert _SKIPPABLE.fullmatch(text[position:])


@settings(max_examples=300, deadline=None)
@given(texts)
def test_splitting_a_sentence_again_gives_the_sentence(text: str) -> None:
    for sentence in split_text(text):
        assert split_text(sentence) == [sentence]
