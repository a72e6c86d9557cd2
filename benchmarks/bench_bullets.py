"""Count the bullets a reader would reject, in briefings of real dev articles.

    .venv/bin/python benchmarks/bench_bullets.py [--quiet]

Briefings are built, one a week, from ../shared/eval/themes_dev.jsonl with its themes file
(skipped cleanly when absent), and from the feeds in tests/fixtures/feeds as one briefing. Each
bullet is flagged when it is page furniture or social residue (a handle, a link, a credit, a
"see all our coverage" line), a question, a fragment under 6 words, or leans on the sentence
before it (led by a pronoun, a connective, "Both" of a pair it does not name, or a bare definite
description such as "The agency said"; or with a pronoun for its subject after an opening
clause or for the speaker of a verb of saying: "Asked why, he said ...", "..., she added."),
unless the bullet before it in the story is its own article's preceding sentence, or leaves a
quotation mark unmatched that no neighbouring bullet of its article completes; a story is
flagged when two of its bullets state one fact (the shorter's content words are nearly all in
the other); and a story without a bullet is counted (the opposite failure: every sentence held
back). The checks are written apart from the
selection's own rules, more broadly, so that they can catch what the selection misses. Prints
the counts, the rate and the flagged bullets; then how many stories open with a report's
opening sentence, and how many bullets are told before a sentence of their own report that
comes earlier in it.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path

from briefer.clean import clean
from briefer.group import group, load_themes
from briefer.ingest import read_file
from briefer.records import Article, Document, Story, Summary
from briefer.sentences import split_document
from briefer.summarize import summarize
from briefer.words import stem, stopwords, tokens

REPO = Path(__file__).resolve().parents[1]
EVAL_DIR = REPO.parent / "shared" / "eval"
FEEDS = REPO / "tests" / "fixtures" / "feeds"
SENTENCES = 3  # the default summary length (briefer.options.DEFAULT_SENTENCES)
MAX_BULLETS = 5  # the default bullets per story
FRAGMENT_WORDS = 6  # the definition of a fragment
SAME_FACT = 0.8  # share of the shorter bullet's content words found in the other: one fact

_SOCIAL = re.compile(
    r"(?:^|\s)[-–—•]?\s*@\w{2,}|pic\.twitter\.com|https?://|www\.\w|\b(?:t\.co|bit\.ly)/"
    r"|\(@\w+\)|—\s*[\w .]+\(@\w+\)",
    re.IGNORECASE,
)
_CREDIT = re.compile(
    r"\b(?:translat(?:ion|ed) (?:by|from)|contributed (?:to )?(?:this )?report|"
    r"(?:additional )?reporting by|editing by|written by|compiled by|produced by|"
    r"see (?:all )?(?:of )?our\b|for (?:the )?(?:latest|more) (?:news|updates|coverage)|"
    r"^related\s*:|\bread more\b|^watch\s*:|^listen\s*:|subscribe|sign up|newsletter|"
    r"follow (?:us|our|the latest)|click here|all rights reserved|copyright|©)",
    re.IGNORECASE,
)
_PRONOUNS = frozenset(
    {
        "he", "she", "it", "they", "we", "i", "you", "him", "her", "them", "his", "their", "its",
        "our", "my", "your", "this", "these", "those", "that", "such",
    }
)  # fmt: skip
_CONNECTIVES = frozenset(
    {
        "but", "and", "or", "so", "yet", "also", "however", "meanwhile", "still", "instead",
        "then", "there", "here", "thus", "hence", "moreover", "furthermore", "besides",
        "nevertheless", "nonetheless", "accordingly", "otherwise", "afterwards", "therefore",
    }
)  # fmt: skip
_TOKEN = re.compile(r"[^\W_]+")
# "It is likely that ...", "It will take years to ...": "it" as an expletive stands
_EXPLETIVE = re.compile(
    r"^It(?:'s|’s| is| was| will| would| could| may| might| seems| took| takes)\b.*\b(?:to|that)\b"
)
# "There is ..." stands; "There, ..." points back
_EXISTENTIAL = re.compile(r"^There (?:is|are|was|were|have|has|had|will|may|might|could|seems?)\b")
_TIME_ADVERBIAL = re.compile(
    r"^(?:This|That|These|Those) (?:year|week|month|morning|weekend|day|time)\b"
)
# "The agency said": "The" and a lower-case noun not followed by what introduces it
_DEFINITE = re.compile(r"^The ([a-z][\w-]*)(?: ([a-z][\w-]*))?")
_INTRODUCED = re.compile(
    r"^(?:,|\s+(?:of|in|at|from|for|on|with|who|which|that|whose|behind|to|by)\b)"
)
# "Both countries ...": "Both" and a lower-case word, with no "and" naming the pair soon after
_PAIR = re.compile(r"^Both (?:[a-z]\S*)(?: \S+){0,6}")
_QUOTE_OPEN = "\"'“‘«"
_QUOTE_CLOSE = re.compile(r"[\"”»]")
# A single mark ends a quotation after its punctuation ('No,' she said); one to three words
# set off by single marks at the head of a sentence are a scare quote, not a quotation (a
# definition written apart from the selection's rule, not tuned: a scare quote sets off a word
# or a short name, a quotation a clause).
_QUOTE_CLOSE_SINGLE = re.compile(r"(?<=[,.!?;:…])['’](?!\w)")
_SCARE_QUOTE = re.compile(r"['‘][^\s'‘’]+(?: [^\s'‘’]+){0,2}['’] ")
# A personal pronoun as the subject after the first comma ("In a speech, he said ...",
# "Vowing to win, she ..."), or as the speaker of a verb of saying anywhere ("..., he added.");
# broader than the selection's rule, which looks at the opening word and a closed verb list.
_PRONOUN_SUBJECT = re.compile(r"^[^,\"“”]{1,200}, (?:he|she) \w")
_PRONOUN_SPEAKER = re.compile(
    r"\b(?:he|she|they) (?:said|says|added|adds|told|wrote|explained|noted|warned|argued|"
    r"insisted|stressed|continued|claimed|declared|recalled)\b"
)
BACK_CHARACTERS = 300  # about two sentences before the bullet in its article
OPENING_CHARACTERS = 60  # a dateline ("KYIV, Ukraine (AP) — ") is about 20 to 40 characters
_LEANING_KINDS = frozenset(
    {
        "pronoun-led", "connective-led", "definite-led", "pair-led", "unattributed quote",
        "pronoun subject",
    }
)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quiet", action="store_true", help="counts only, no bullets")
    args = parser.parse_args(argv)
    runs: list[tuple[str, list[Article], Path]] = []
    themes_file = EVAL_DIR / "themes_dev.toml"
    if (EVAL_DIR / "themes_dev.jsonl").is_file() and themes_file.is_file():
        weeks: defaultdict[str, list[Article]] = defaultdict(list)
        for article in read_file(EVAL_DIR / "themes_dev.jsonl"):
            if article.date is not None:
                year, week, _ = article.date.isocalendar()
                weeks[f"themes_dev {year}-W{week:02d}"].append(article)
        runs += [(name, weeks[name], themes_file) for name in sorted(weeks)]
    else:
        print(f"note: {EVAL_DIR}/themes_dev.* not found; only the fixture feeds", file=sys.stderr)
    feeds = [article for path in sorted(FEEDS.iterdir()) if path.suffix in {".xml", ".rss", ".atom"}
             for article in _read(path)]  # fmt: skip
    runs.append(("fixture feeds", feeds, FEEDS / "themes.toml"))

    totals: defaultdict[str, int] = defaultdict(int)
    bullets = stories = bare = opening = reordered = 0
    for name, articles, themes_path in runs:
        story_list = _stories(articles, themes_path)
        for story in story_list:
            stories += 1
            bullets += len(story.bullets)
            if not story.bullets:  # the other failure: a story told by its headline alone
                bare += 1
                if not args.quiet:
                    print(f"[no bullet] {name} | {story.title[:50]}")
            first, backwards = _order(story)
            opening += first
            reordered += backwards
            for kind, text in _flags(story):
                totals[kind] += 1
                if not args.quiet:
                    print(f"[{kind}] {name} | {story.title[:50]} | {text}")
    flagged = sum(count for kind, count in totals.items() if kind != "same fact")
    print(
        f"\n{bullets} bullets in {stories} stories ({len(runs)} briefings): "
        + (", ".join(f"{kind} {totals[kind]}" for kind in sorted(totals)) or "none flagged")
    )
    rate = 100 * flagged / bullets if bullets else 0.0
    print(f"flagged bullets: {flagged} ({rate:.2f}%); stories stating one fact twice: "
          f"{totals['same fact']}; stories without a bullet: {bare}")  # fmt: skip
    print(f"stories led by a report's opening sentence: {opening} of {stories - bare}; bullets "
          f"told before an earlier sentence of their own report: {reordered}")  # fmt: skip
    return 0


def _order(story: Story) -> tuple[bool, int]:
    """Whether the story's first bullet opens its report (a lead, which introduces what the
    report's later sentences refer to), and how many bullets come before a sentence their
    own report tells earlier ("accusing Mr Grossi of lying" before "Rafael Grossi said")."""
    texts = {article.id: " ".join(article.text.split()) for article in story.articles}
    places = [texts.get(b.article_id, "").find(" ".join(b.text.split())) for b in story.bullets]
    backwards = 0
    for number, bullet in enumerate(story.bullets):
        later = [
            place
            for other, place in zip(story.bullets[number + 1 :], places[number + 1 :], strict=True)
            if other.article_id == bullet.article_id
        ]
        backwards += any(place < places[number] for place in later)
    # a lead may follow a dateline or a byline of a few characters
    return bool(places) and 0 <= places[0] < OPENING_CHARACTERS, backwards


def _read(path: Path) -> list[Article]:
    try:
        return read_file(path)
    except Exception as error:  # a deliberately broken fixture feed: the others still count
        print(f"note: {path.name}: {error}", file=sys.stderr)
        return []


def _stories(articles: list[Article], themes_path: Path) -> list[Story]:
    items: list[tuple[Document, Summary]] = []
    for article in articles:
        document = clean(article)
        items.append((document, summarize(document, split_document(document), SENTENCES)))
    grouping = group(items, load_themes(themes_path), MAX_BULLETS)
    return [story for section in grouping.sections for story in section.stories]


def _terms(text: str) -> frozenset[str]:
    stop = stopwords()
    return frozenset(stem(word) for word in tokens(text.lower()) if word not in stop)


def _flags(story: Story) -> list[tuple[str, str]]:
    """(kind, bullet text) for each flagged bullet, and one "same fact" per repeated pair."""
    flags = []
    texts = {article.id: " ".join(article.text.split()) for article in story.articles}
    previous = ""
    bullets = [bullet.text for bullet in story.bullets]
    for number, bullet in enumerate(story.bullets):
        text = bullet.text
        body = texts.get(bullet.article_id, "")
        at = body.find(text)
        kind = _kind(text, body[max(at - BACK_CHARACTERS, 0) : at] if at > 0 else "")
        # it reads on when the bullet before it is its own article's preceding sentence
        reads_on = bool(previous) and f"{previous} {text}" in body
        if kind and not (kind in _LEANING_KINDS and reads_on):
            flags.append((kind, text))
        elif _cut_quotation(text):
            # a quotation's mark left unmatched, unless the neighbouring bullet, the next
            # sentence of the same article, completes it
            following = bullets[number + 1] if number + 1 < len(bullets) else ""
            completed = (reads_on and _cut_quotation(previous)) or (
                bool(following) and _cut_quotation(following) and f"{text} {following}" in body
            )
            if not completed:
                flags.append(("cut quotation", text))
        previous = text
    seen: list[frozenset[str]] = []
    for bullet in story.bullets:
        terms = _terms(bullet.text)
        for other in seen:
            smaller = min(len(terms), len(other))
            if smaller and len(terms & other) >= SAME_FACT * smaller:
                flags.append(("same fact", bullet.text))
                break
        seen.append(terms)
    return flags


def _cut_quotation(text: str) -> bool:
    return text.count('"') % 2 == 1 or text.count("\u201c") != text.count("\u201d")


def _kind(text: str, before: str) -> str | None:
    if _SOCIAL.search(text) or _CREDIT.search(text):
        return "furniture"
    if text.rstrip(" \"'”’)]").endswith("?"):
        return "question"
    if len(tokens(text)) < FRAGMENT_WORDS:
        return "fragment"
    subject = text.lstrip()
    if subject[:1] in _QUOTE_OPEN:  # the speaker after the quotation is the subject
        if subject[0] in "'‘":
            closing = _QUOTE_CLOSE_SINGLE.search(subject, 1)
            scare = _SCARE_QUOTE.match(subject)
            if closing is None and scare is not None:
                return None  # 'Progressive' Democrats: a word or three set off, not a quotation
        else:
            closing = _QUOTE_CLOSE.search(subject, 1)
        if closing is None or not _TOKEN.search(subject[closing.end() :]):
            return "unattributed quote"
        subject = subject[closing.end() :].lstrip(" ,")
        words = [w.lower() for w in _TOKEN.findall(subject)[:2]]
        speaker = words[1] if words[:1] == ["said"] and len(words) > 1 else words[0]
        return "pronoun-led" if speaker in _PRONOUNS else None
    first = (_TOKEN.findall(subject[:40]) or [""])[0].lower()
    if _EXPLETIVE.match(subject) or _EXISTENTIAL.match(subject) or _TIME_ADVERBIAL.match(subject):
        return None
    if first in _PRONOUNS:
        return "pronoun-led"
    if first in _CONNECTIVES:
        return "connective-led"
    pair = _PAIR.match(subject)
    if pair and " and " not in f"{pair.group()} ":
        return "pair-led"
    definite = _DEFINITE.match(subject)
    if definite and not _INTRODUCED.match(subject[definite.end() :]):
        nouns = [w for w in definite.groups() if w and w not in stopwords()]
        earlier = {stem(w) for w in tokens(before.lower())}
        if any(stem(noun) in earlier for noun in nouns):
            return "definite-led"
    if _PRONOUN_SUBJECT.match(subject) or _PRONOUN_SPEAKER.search(subject):
        return "pronoun subject"
    return None


if __name__ == "__main__":
    sys.exit(main())
