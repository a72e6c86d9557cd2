"""Sentence splitting. PLACEHOLDER: being replaced by the real splitter."""

from __future__ import annotations

import re

from briefer.records import Document, Sentence


def split_text(text: str) -> list[str]:
    """Split one paragraph of text into verbatim sentences (substrings of text, stripped)."""
    return [part.strip() for part in re.split(r"(?<=[.!?])\s+(?=[A-Z\"“])", text) if part.strip()]


def split_document(document: Document) -> tuple[Sentence, ...]:
    """Sentences of the document's body paragraphs (headings are never sentences)."""
    sentences: list[Sentence] = []
    for block_index, block in enumerate(document.blocks):
        if block.is_heading:
            continue
        for text in split_text(block.text):
            sentences.append(Sentence(text=text, index=len(sentences), block=block_index))
    return tuple(sentences)
