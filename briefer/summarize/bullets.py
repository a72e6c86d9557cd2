"""A story's bullets: chosen across all its reports at once, most informative first, each fact
said once, each able to stand on its own, and each report's own in the order it tells them.

Every summary sentence of every report is a candidate. The next bullet is the candidate that
adds the most of the story's content (its content words and numbers not yet said, each counted
by how many of the story's reports hold it, so the facts the reports agree on come first). A
candidate that adds nothing new, or that mostly repeats a bullet already taken (the same fact
from another outlet, told in other words: _is_repeat), is skipped; the outlet is still cited
in the story's sources. A sentence that leans on the one before it in its article
(a pronoun or connective subject, or a definite description that refers back) is taken only
right after that preceding sentence, when it has been taken itself; so "The agency said ..."
never follows another outlet's sentence. The places chosen for a report's bullets are filled
with them in the report's own order (its lead before its details). A wire dateline at the
head of a sentence ("KYIV, Ukraine (AP) — ") is left off the bullet: the story is dated and
sourced already.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

from briefer.clean.rules import is_residue
from briefer.records import Article, Bullet, Sentence, Summary
from briefer.sentences import dateline_end, speech_verbs
from briefer.words import stem, stopwords, tokens

_REPEAT_SHARE = 0.7  # share of the shorter sentence's terms that makes it a repeat
# The same share for a sentence of another report of the story, when it brings no figure of
# its own: two outlets tell one fact in their own words ("The Senate passed sweeping
# legislation Tuesday ..." / "The Senate overwhelmingly passed legislation on Tuesday ..."),
# sharing about half of their terms. Chosen on half A of the dev stories (themes_dev's weeks
# and both clusters files, halves by a hash of a story's first report id), every bullet each
# value left out read: 0.6 left out 17 (13 repeats), 0.55 28 (23), 0.5 54 (46), 0.45 27 more
# (18); half B at 0.5: 63 (50). Figures in docs/quality.md, stop 32.
_REPEAT_SHARE_ACROSS = 0.5
_REPEAT_MIN_TERMS = 3  # shorter sentences are repeats only when identical
# A bullet of fewer words is a fragment (a caption, a dateline, half a quote); the same bound
# as the scorer's fragment penalty (briefer.summarize.scorer.ScorerWeights.fragment_words).
_FRAGMENT_WORDS = 6
# How much of the article before a sentence a definite description may refer back to: about
# two sentences (news sentences average 20-25 words, some 130 characters).
_BACK_CHARACTERS = 300

# Subjects that stand for something named earlier: personal, possessive and demonstrative
# pronouns (a closed class of English).
_PRONOUNS = frozenset(
    {
        "he", "she", "they", "we", "i", "you", "him", "her", "them", "us", "me", "his", "their",
        "its", "our", "my", "your", "this", "these", "those", "that", "such", "it",
    }
)  # fmt: skip
# Openers that continue the sentence before (conjunctions and linking adverbs, closed class)
_CONNECTIVES = frozenset(
    {
        "but", "and", "or", "nor", "so", "yet", "also", "however", "meanwhile", "still",
        "instead", "then", "thus", "hence", "therefore", "moreover", "furthermore", "besides",
        "nevertheless", "nonetheless", "otherwise", "likewise", "similarly", "additionally",
        "consequently", "accordingly", "here",
    }
)  # fmt: skip
# After "it" these make the subject an expletive when a clause follows ("It is likely that
# ...", "It will take years to ..."): the verbs "be", "take", "seem" and the modals ("has"
# is left out: "It has stopped shipping to Russia" is about something named before).
_EXPLETIVE_VERBS = frozenset(
    {
        "is", "was", "will", "would", "could", "can", "may", "might", "must", "should",
        "seems", "seemed", "appears", "appeared", "remains", "remained", "took", "takes", "s",
    }
)  # fmt: skip
_BE_FORMS = frozenset(
    {"is", "are", "was", "were", "have", "has", "had", "will", "would", "may", "might", "could",
     "can", "must", "should", "seems", "seem", "appear", "appears", "remain", "remains"}
)  # fmt: skip
# Words after a demonstrative that make it a time adverbial ("This week, ..."), not a subject
_TIME_NOUNS = frozenset(
    {
        "year", "week", "month", "morning", "afternoon", "evening", "night", "weekend", "day",
        "spring", "summer", "autumn", "fall", "winter", "season", "time", "decade", "century",
    }
)  # fmt: skip
# Words after "The <noun>" that introduce the noun within the sentence (a restrictive
# modifier): "The head of the agency", "The group behind the attack", "The man who ..."
_INTRODUCING = frozenset(
    {"of", "in", "at", "from", "for", "on", "with", "who", "which", "that", "whose", "behind",
     "near", "outside", "inside", "under", "over", "between", "against", "to", "by"}
)  # fmt: skip
# A definite description that always points back, whatever its noun
_ANAPHORIC_ADJECTIVES = frozenset({"same", "former", "latter", "other", "above", "aforementioned"})
# Nouns that name what someone said or did just before, when nothing in the sentence says
# what: "The comments came as ...", "The move follows ...". A closed set of news usage, not
# tuned; an introduced one stands ("The decision to ...", "The statement, issued on ...").
_REPORTED_NOUNS = frozenset(
    {"comments", "comment", "remarks", "remark", "move", "announcement", "statement", "decision"}
)
# Words that open a sentence with something other than its subject, so that a pronoun after
# the first comma is the subject: prepositions, subordinating conjunctions and determiners of
# time (closed classes of English). "In a speech to parliament, he suggested ...", "Asked
# about the talks, she said ...": the pronoun names someone the sentence does not.
_OPENERS = frozenset(
    {
        "in", "on", "at", "after", "before", "during", "despite", "with", "without", "for",
        "following", "since", "as", "while", "when", "whenever", "although", "though", "if",
        "unless", "once", "because", "unlike", "like", "amid", "among", "upon", "from", "by",
        "until", "till", "up", "over", "under", "through", "throughout", "within", "every",
        "each", "last", "next", "earlier", "later", "yesterday", "today", "tonight",
    }
)  # fmt: skip
_PERSONAL = frozenset({"he", "she", "they"})  # the pronouns that stand for people
# "they" stands for the plural of a noun the opening clause may hold ("When the Russians
# entered, they took ...", "When Meta took action against the accounts, they had ..."); a
# clause of at most three words ("Since then,", "Every day,", "In general,") holds none. A
# definition of a short adverbial, not tuned: in themes_dev's sentences every "they" after
# such a clause points back, and the longer clauses there mostly hold their antecedent.
_SHORT_CLAUSE_WORDS = 3
# An opening clause (no quotation, bracket or other clause mark in it) and the word after it.
# The 200 characters only bound the search: an adverbial opening is a line, not a paragraph.
_OPENING_CLAUSE = re.compile(r"([^,;:\"“”‘’()\[\]]{1,200}), (\w+)\b")
# A speech tag with a pronoun for its speaker, closing the sentence ("..., he added.", "...,
# she told her interviewer.": at most three words after the verb, the longest of the verb's
# object and place, "told the BBC on Sunday" being four, and a fourth word starts a clause of
# its own) or set off by commas within it ("Aid, she said, is on its way."); the verb one of
# speech_verbs.txt.
_SPEECH_TAG = re.compile(r",[\"”’']? (he|she|they) (\w+)(?:,|(?: [\w-]+){0,3}[.!]?[\"”’']?\s*$)")
_WORD = re.compile(r"[^\W_]+")  # "It's" -> "It", "s"
_OPENING_QUOTES = "\"'“‘«„"
_CLOSING_QUOTE = re.compile(r"[\"”»]")
# In British copy ('No deal,' said Jones) the mark that opens a quotation also ends it, and is
# also an apostrophe ("Putin's", "the allies' weapons"): _single_closing tells them apart.
_SINGLE_MARKS = re.compile(r"['‘’]")
_CLOSING_PUNCTUATION = frozenset(",.!?;:…")


@lru_cache(maxsize=200_000)
def _content_stem(word: str) -> str | None:
    """The stem of a lower-cased word that carries meaning, else None."""
    # The same filter as briefer.words.content_terms.
    if word in stopwords() or (len(word) == 1 and not word.isalpha()):
        return None
    return stem(word)


def _sentence_terms(words: Sequence[str]) -> frozenset[str]:
    """The set of briefer.words.content_terms (content words and numbers) of a sentence's
    tokens, found with one cached lookup a word."""
    return frozenset(filter(None, map(_content_stem, words)))


def _is_repeat(
    terms: frozenset[str],
    text: str,
    article_id: str,
    taken: Sequence[tuple[frozenset[str], str, str]],
) -> bool:
    """Whether a sentence (its terms, its text, its report) says again what a bullet already
    taken says: the same words, or most of the shorter one's terms (_REPEAT_SHARE), or, from
    another report, half of them with no figure the taken one lacks (_REPEAT_SHARE_ACROSS).
    Within one report a writer seldom tells a fact twice, and two sentences sharing half of
    their terms tell two facts about one subject ("Trump announced he was replacing campaign
    manager Brad Parscale." / "Parscale had been Trump's campaign manager since ...")."""
    for other_terms, other_text, other_article in taken:
        if " ".join(text.split()).casefold() == " ".join(other_text.split()).casefold():
            return True
        smaller = min(len(terms), len(other_terms))
        if smaller < _REPEAT_MIN_TERMS:
            continue
        shared = len(terms & other_terms)
        if shared >= _REPEAT_SHARE * smaller:
            return True
        if (
            other_article != article_id
            and shared >= _REPEAT_SHARE_ACROSS * smaller
            and not any(_is_figure(term) for term in terms - other_terms)
        ):
            return True
    return False


def _is_figure(term: str) -> bool:
    """A term that is a figure ("3.28", "2021", "18-20-year-olds"): a new one is a new fact
    ("Jobless claims soared to 3.28 million" against another week's "1.3 million")."""
    return any(character.isdigit() for character in term)


def is_unfit(text: str) -> bool:
    """A sentence no reader accepts as a bullet: residue, a question, or a fragment."""
    return _unfit(text, tokens(text))


def _unfit(text: str, words: Sequence[str]) -> bool:
    """is_unfit, given the sentence's tokens (the caller has them already). The cheap tests
    go first: the residue test runs every residue rule's regular expressions on it."""
    return (
        len(words) < _FRAGMENT_WORDS
        or text.rstrip(" \"'”’)]").endswith("?")
        or _part_of_a_quotation(text)
        or is_residue(text)
    )


def _part_of_a_quotation(text: str) -> bool:
    """A quotation the sentence opens and does not close, or closes without opening: one
    sentence of a quotation of several ('"Good that Finland can count on Hungary.' with the
    speaker and the closing mark in the next), which reads as cut off on its own."""
    return (
        text.count('"') % 2 == 1
        or text.count("“") != text.count("”")
        or (text.count("«") != text.count("»"))
    )


def leans_on_previous(text: str, before: str) -> bool:
    """Whether a sentence needs the one before it to be understood: its subject is a pronoun
    or "Both" of a pair it does not name, it opens with a connective or "There," / "Here", it
    is a quotation without a named speaker, or its subject is a definite description ("The
    agency") whose noun is neither introduced in the sentence nor new: it occurs in `before`,
    the text just before it."""
    return _leans(text, lambda: before)


def _leans(text: str, before: Callable[[], str]) -> bool:
    """leans_on_previous, with the text before asked for only when it decides (a sentence
    opening with "The <noun>"): finding it costs a search of the whole article."""
    stripped = text.lstrip()
    if stripped[:1] in _OPENING_QUOTES:
        return _quote_leans(stripped)
    # The tests below look at the first four words at most ("The <adjective> <noun> of").
    words = [match.group().lower() for match in islice(_WORD.finditer(stripped[:200]), 4)]
    if not words:
        return False
    first, second = words[0], words[1] if len(words) > 1 else ""
    if first == "it":
        expletive = second in _EXPLETIVE_VERBS and bool(re.search(r"\b(?:to|that)\b", stripped))
        return not expletive
    if first in {"this", "that", "these", "those"} and second in _TIME_NOUNS:
        return False
    if first in _PRONOUNS or first in _CONNECTIVES:
        return True
    if first == "well" and stripped[4:5] == ",":
        return True  # "Well, let's see ...": an answer to what came before
    if first == "there":
        # existential "There is ..." stands; locative "There, ..." points back
        return second not in _BE_FORMS
    if first == "both":
        return _both_leans(stripped)
    if first == "the" and stripped[:3] == "The":
        return _definite_leans(stripped, words, before) or _pronoun_subject(stripped, first)
    return _pronoun_subject(stripped, first)


def _pronoun_subject(text: str, first: str) -> bool:
    """A sentence whose speaker or subject is a personal pronoun, placed where the checks of
    the first words cannot see it: after an opening clause ("Vowing to press on, he said ...")
    or in a speech tag ("Ukraine can still win, he added.").

    A "he" or "she" after a clause leans even when the clause names the person ("When Smith
    arrived, he ..."): names cannot be told from places ("In a speech in Strasbourg, he ...")
    by their letters, and the error is the cheap one: such a sentence is only taken right
    after the one before it, where a dangling "he" would be credited to another outlet's
    speaker. In themes_dev, clusters_dev and bbc_dev the rule holds back 61 of 13,984
    sentences, of which at least 2 name their person in the clause."""
    # A participle opening ("Vowing", "Asked") of five letters or more: "bed", "red", "ring",
    # "king" are no participles, and the shortest common ones ("Asked", "Faced") have five.
    if first in _OPENERS or (first.endswith(("ing", "ed")) and len(first) > 4):
        clause = _OPENING_CLAUSE.match(text)
        if clause is not None and clause.group(2) in _PERSONAL:
            short = len(clause.group(1).split()) <= _SHORT_CLAUSE_WORDS
            if clause.group(2) != "they" or short:
                return True
    verbs = speech_verbs()
    return any(tag.group(2).lower() in verbs for tag in _SPEECH_TAG.finditer(text))


# "Both" presupposes a pair already given ("Both countries used to sell grain"), unless the
# sentence names the pair itself: "both A and B" puts "and" within a few words of it. Five
# words hold a pair of two names of two words each ("Both the White House and Republican
# senators"); past them an "and" joins clauses ("Both sides agreed to talks and ...").
_PAIR_WORDS = 5


def _both_leans(text: str) -> bool:
    """A sentence opening with "Both" leans on what came before unless it names its pair: a
    name right after ("Both Finland - which borders Russia - and Sweden") or "both A and B"."""
    after = _WORD.findall(text[:200])[1 : 1 + _PAIR_WORDS]
    if not after or after[0][:1].isupper():
        return False
    return "and" not in after


def _quote_leans(text: str) -> bool:
    """A sentence opening with a quotation stands when the speaker is named after it."""
    if text[0] in "'‘":
        end = _single_closing(text)
    else:
        closing = _CLOSING_QUOTE.search(text, 1)
        end = None if closing is None else closing.end()
    if end is None:
        return True  # a quotation cut from its speaker
    after = [word.lower() for word in _WORD.findall(text[end : end + 80])]
    if not after:
        return True
    # '..." he said' and '..." said he' both leave the speaker to the sentence before
    speaker = after[1] if after[0] in {"said", "says", "added"} and len(after) > 1 else after[0]
    return speaker in _PRONOUNS


def _single_closing(text: str) -> int | None:
    """Where a quotation that text opens with a single mark ends (the index past its closing
    mark), None when it does not end in the sentence. A mark between two letters is an
    apostrophe; one after a space and before a letter opens a quotation within it, whose
    own close is skipped; of the marks that may close it, the first right after punctuation
    ('We will win,' said Jones) is the close, else the first of them (a scare quote:
    'Progressive' Democrats; "the allies' weapons" is a close only where nothing else is)."""
    depth = 0
    first: int | None = None
    for mark in _SINGLE_MARKS.finditer(text, 1):
        at = mark.start()
        before, after = text[at - 1], text[at + 1 : at + 2]
        if after.isalnum():
            if before.isspace():
                depth += 1  # a quotation within the quotation opens
            continue  # else an apostrophe inside a word
        if depth:
            depth -= 1
        elif before in _CLOSING_PUNCTUATION:
            return at + 1
        elif first is None and not before.isspace():
            first = at + 1
    return first


def _definite_leans(text: str, words: list[str], before: Callable[[], str]) -> bool:
    """ "The <noun>" at the head of a sentence, refers back when its noun is in `before`."""
    head, comma, _ = text[:200].partition(",")
    raw = _WORD.findall(head)
    span = 0  # "The agency", "The armed group", "The five countries": lower-case words
    for word in raw[1:3]:
        if not word[:1].islower():
            break
        span += 1
    if span == 0:
        return False  # "The Kremlin", "The U.N.": a proper name stands on its own
    if raw[1].lower() in _ANAPHORIC_ADJECTIVES:
        return True
    phrase = [word for word in words[1 : 1 + span] if word not in stopwords()]
    # the word after the noun phrase, or after its first word when that is the noun
    following = words[1 + span] if len(words) > 1 + span else ""
    introduced = (span == 2 and words[2] in _INTRODUCING) or following in _INTRODUCING
    if introduced or (comma and len(raw) == 1 + span):
        return False  # introduced here: "The head of ...", "The man, a farmer, ..."
    if phrase and phrase[-1] in _REPORTED_NOUNS:
        return True
    earlier = {stem(word) for word in tokens(before().lower())}
    return any(stem(word) in earlier for word in phrase)


@dataclass(frozen=True)
class _Candidate:
    order: tuple[int, int]  # (report's place in the story, sentence index): ties go earlier
    article_id: str
    sentence: Sentence
    text: str  # the sentence as a bullet shows it: without a dateline at its head
    terms: frozenset[str]
    leans: bool
    previous: int | None  # index of its article's preceding sentence, when it is a candidate


def _preceding_text(article_text: str, sentence: str) -> str:
    """The article text just before the sentence (whitespace squashed); "" if not found."""
    at = article_text.find(sentence)
    return article_text[max(at - _BACK_CHARACTERS, 0) : at] if at > 0 else ""


def leaning(article_text: str, sentences: Sequence[Sentence]) -> tuple[bool, ...]:
    """Whether each sentence leans on the one before it in its article (leans_on_previous,
    the text before it read from the article's text): worked out where the text is (the
    summarizing worker), so the bullets need not keep every article's text (Summary.leans)."""
    body: str | None = None  # the squashed article text: made only when a sentence needs it

    def preceding(text: str) -> Callable[[], str]:
        def find() -> str:
            nonlocal body
            if body is None:
                body = " ".join(article_text.split())
            return _preceding_text(body, text)

        return find

    flags = []
    for sentence in sentences:
        # read as the bullet shows it: "KYIV (AP) — He said ..." leans on what came before
        text = " ".join(sentence.text[dateline_end(sentence.text) :].split())
        flags.append(_leans(text, preceding(text)))
    return tuple(flags)


def _candidates(
    articles: Sequence[Article], summaries: dict[str, Summary]
) -> tuple[list[_Candidate], Counter[str]]:
    """The story's candidates, and how many of its reports hold each term (over all their
    summary sentences, fit or not)."""
    candidates = []
    reports: Counter[str] = Counter()
    for place, article in enumerate(articles):
        mine, held = _article_candidates(place, article, summaries[article.id])
        candidates += mine
        reports.update(held)
    return candidates, reports


def _article_candidates(
    place: int, article: Article, summary: Summary
) -> tuple[list[_Candidate], set[str]]:
    """One report's candidates, and the terms of all its summary sentences. Each sentence is
    tokenized and its terms found once."""
    sentences = sorted(summary.sentences, key=lambda s: s.index)
    chosen = {sentence.index for sentence in sentences}
    # Whether each leans on the one before, as worked out where the text was (else here).
    given = summary.leans
    if given is None:
        given = leaning(article.text, summary.sentences)
    leans = dict(zip((sentence.index for sentence in summary.sentences), given, strict=True))
    candidates = []
    held: set[str] = set()
    for sentence in sentences:
        # A wire dateline ("KYIV, Ukraine (AP) — ") is left off: the story is dated and
        # sourced already, and what follows is still the report's own words.
        own = sentence.text[dateline_end(sentence.text) :]
        words = tokens(own)  # squashing whitespace changes no token
        terms = _sentence_terms(words)
        held |= terms
        text = " ".join(own.split())
        if not words or _unfit(text, words):
            continue
        candidates.append(
            _Candidate(
                order=(place, sentence.index),
                article_id=article.id,
                sentence=sentence,
                text=own,
                terms=terms,
                leans=leans[sentence.index],
                previous=sentence.index - 1 if sentence.index - 1 in chosen else None,
            )
        )
    return candidates, held


def story_bullets(
    articles: Sequence[Article], summaries: dict[str, Summary], max_bullets: int
) -> tuple[Bullet, ...]:
    """The story's bullets, chosen across all its reports at once (see the module docstring),
    in the order they were chosen, each report's own among them in its order
    (_report_order), each attributed to its report."""
    # `reports`: how many of the story's reports hold each term (the facts they agree on
    # weigh most)
    candidates, reports = _candidates(articles, summaries)
    said: set[str] = set()
    taken: list[tuple[frozenset[str], str, str]] = []
    chosen: list[_Candidate] = []
    taken_at: dict[tuple[str, int], int] = {}  # (article, sentence index) -> place in `chosen`
    remaining = list(candidates)
    while remaining and len(chosen) < max_bullets:
        best: _Candidate | None = None
        best_gain = 0
        for candidate in remaining:
            if candidate.leans and (
                candidate.previous is None
                or (candidate.article_id, candidate.previous) not in taken_at
            ):
                continue  # it may come only right after its own preceding sentence
            gain = sum(reports[term] for term in candidate.terms - said)
            if gain > best_gain or (gain == best_gain and best and candidate.order < best.order):
                best, best_gain = candidate, gain
        if best is None:
            break  # nothing left adds a new word or number
        remaining.remove(best)
        if _is_repeat(best.terms, best.text, best.article_id, taken):
            continue
        said |= best.terms
        taken.append((best.terms, best.text, best.article_id))
        if best.leans:
            # right after the sentence it leans on, and after any others leaning on that one
            place = taken_at[(best.article_id, best.sentence.index - 1)] + 1
        else:
            place = len(chosen)
        chosen.insert(place, best)
        taken_at = {(c.article_id, c.sentence.index): i for i, c in enumerate(chosen)}
    return tuple(Bullet(text=c.text, article_id=c.article_id) for c in _report_order(chosen))


def _report_order(chosen: list[_Candidate]) -> list[_Candidate]:
    """The bullets with each report's own in its order: the places its bullets were chosen
    for are filled with them in the order the report tells them, so a report's lead comes
    before its details, and a person is introduced ("Rafael Grossi said ...") before a later
    sentence names him short ("accusing Mr Grossi of lying"). A bullet that leans on the one
    before it moves with it, as one."""
    units: list[list[_Candidate]] = []
    for candidate in chosen:
        last = units[-1][-1] if units else None
        follows = (
            last is not None
            and last.article_id == candidate.article_id
            and last.sentence.index == candidate.sentence.index - 1
        )
        if candidate.leans and follows:
            units[-1].append(candidate)
        else:
            units.append([candidate])
    places: dict[str, list[int]] = {}
    for place, unit in enumerate(units):
        places.setdefault(unit[0].article_id, []).append(place)
    ordered = list(units)
    for article_places in places.values():
        told = sorted((units[place] for place in article_places), key=lambda u: u[0].order)
        for place, unit in zip(article_places, told, strict=True):
            ordered[place] = unit
    return [candidate for unit in ordered for candidate in unit]
