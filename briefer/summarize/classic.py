"""Lead and the classic algorithms, from sumy, fed through our own tokenizer and stopwords:
sumy's default tokenizer needs nltk's downloaded punkt data, which briefer never uses."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from typing import Any

from briefer.options import SUMY_ALGORITHMS
from briefer.words import stopwords, tokens

logger = logging.getLogger(__name__)


def _rank_lead(sentences: list[str], title: str) -> list[int]:
    return list(range(len(sentences)))


class _Tokenizer:
    """sumy's tokenizer interface, answered by briefer's own word splitter (no nltk data)."""

    language = "english"

    def to_words(self, text: str) -> tuple[str, ...]:
        return tuple(tokens(text))

    def to_sentences(self, text: str) -> tuple[str, ...]:
        # sumy only asks this of parsers, and we hand it sentences already split
        return (text,)


def _sumy_ranker(name: str) -> Callable[[list[str], str], list[int]]:
    def rank(sentences: list[str], title: str) -> list[int]:
        return _rank_with_sumy(name, sentences)

    return rank


def _make_sumy_summarizer(name: str) -> Any:
    # Imported here so that `briefer make` with the default scorer never pays for sumy
    from sumy.nlp.stemmers import Stemmer
    from sumy.summarizers.kl import KLSummarizer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.lsa import LsaSummarizer
    from sumy.summarizers.luhn import LuhnSummarizer
    from sumy.summarizers.sum_basic import SumBasicSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer

    classes: dict[str, Any] = {
        "lexrank": LexRankSummarizer,
        "textrank": TextRankSummarizer,
        "lsa": LsaSummarizer,
        "luhn": LuhnSummarizer,
        "sumbasic": SumBasicSummarizer,
        "kl": KLSummarizer,
    }
    summarizer = classes[name](Stemmer("english"))
    summarizer.stop_words = stopwords()
    return summarizer


_summarizers: dict[str, Any] = {}


def _rank_with_sumy(name: str, sentences: list[str]) -> list[int]:
    """sumy's full ranking of the sentences, best first, as indices into `sentences`."""
    from sumy.models.dom import ObjectDocumentModel, Paragraph
    from sumy.models.dom import Sentence as SumySentence

    summarizer = _summarizers.get(name)
    if summarizer is None:
        summarizer = _summarizers[name] = _make_sumy_summarizer(name)
    tokenizer = _Tokenizer()
    # One paragraph: sumy's algorithms here ignore paragraph structure, and sumy numbers
    # sentences across paragraphs anyway, so this keeps its order equal to our indices.
    model = ObjectDocumentModel([Paragraph([SumySentence(text, tokenizer) for text in sentences])])
    ranked: list[int] = []

    def capture_ranking(infos: list[Any]) -> list[Any]:
        # sumy hands the count callable every sentence sorted best first (a stable sort, so
        # ties keep document order); each carries its position, which maps back to our index
        # even when two sentences have the same text.
        ranked.extend(int(info.order) for info in infos)
        return infos

    with warnings.catch_warnings():
        # LSA warns when an article has fewer distinct words than sentences; that is harmless
        warnings.simplefilter("ignore")
        summarizer(model, capture_ranking)
    if len(ranked) != len(sentences):
        # sumy returns nothing for an article without a single content word: fall back to lead
        logger.debug("%s gave no ranking for %d sentences; using lead", name, len(sentences))
        return list(range(len(sentences)))
    return ranked


RANKERS: dict[str, Callable[[list[str], str], list[int]]] = {
    "lead": _rank_lead,
    **{name: _sumy_ranker(name) for name in SUMY_ALGORITHMS},
}
