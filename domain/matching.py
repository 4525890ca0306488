"""Find the module (or the FAQ answer) a worker's free text is about.

Tokens are case- and accent-folded; a query word matches a content word when one starts with
the other and the shorter has at least 4 letters ("lösenordet" ~ "lösenord"); a keyword word is
not matched by the start of a compound ("wachtwoord" is not "wachtwoordsleutel"). Words that
occur in many FAQ questions weigh less (inverse document frequency), so "how do I" decides
nothing. One topic word is no match when the question also names something the training does
not cover: "what is the wifi password?" is not about resetting a password.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

FAQ_CLEAR = 0.55  # F1-style overlap an FAQ question must reach to be answered directly
FAQ_MARGIN = 0.08  # ...and by how much it must beat the next best FAQ of another module


class FaqEntry(Protocol):
    @property
    def q(self) -> str: ...


class Matchable(Protocol):
    """What the matcher reads of a module: its id, title, summary, keywords and FAQ questions."""

    @property
    def id(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def summary(self) -> str: ...

    @property
    def keywords(self) -> Sequence[str]: ...

    @property
    def faq(self) -> Sequence[FaqEntry]: ...


@dataclass(frozen=True)
class Match:
    module_id: str
    faq_index: int | None  # set when the FAQ answer fits clearly
    score: float


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokens(text: str) -> list[str]:
    return [w for w in re.findall(r"\w+", fold(text)) if len(w) >= 2]


def _same_word(a: str, b: str) -> bool:
    if a == b:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= 4 and long_.startswith(short)


COMMON_WEIGHT = math.log(1 + 1 / 0.08)  # in more than 8% of the questions and keyword lists
COMPOUND_TAIL = 3  # a keyword word this much longer than the query word is another word


def _keyword_word(keyword: str, query: str) -> bool:
    """`query` is an inflection of the keyword word, or a short form of it, not a part of it."""
    return _same_word(keyword, query) and len(keyword) - len(query) < COMPOUND_TAIL


class Matcher:
    def __init__(self, modules: Sequence[Matchable]):
        self._modules = modules
        self._faqs = [(m.id, i, set(tokens(f.q))) for m in modules for i, f in enumerate(m.faq)]
        self._keywords = {m.id: [tokens(k) for k in m.keywords] for m in modules}
        docs = [words for _, _, words in self._faqs] + [
            {w for kw in kws for w in kw} for kws in self._keywords.values()
        ]
        df = Counter(w for doc in docs for w in doc)
        self._n = len(docs)
        self._idf = {w: math.log(1 + self._n / c) for w, c in df.items()}
        self._known = set(df) | {w for m in modules for w in tokens(f"{m.title} {m.summary}")}

    def _common(self, word: str) -> bool:
        """A word of many questions ("how", "what", "my"): it says nothing about the topic."""
        return self._weight(word) < COMMON_WEIGHT

    def _weight(self, word: str) -> float:
        return self._idf.get(word, math.log(1 + self._n))

    def _overlap(self, query: set[str], words: set[str]) -> float:
        return sum(self._weight(w) for w in words if any(_same_word(w, q) for q in query))

    def _faq_scores(self, query: set[str]) -> list[tuple[float, str, int]]:
        query_weight = sum(self._weight(q) for q in query)
        scores = []
        for module_id, index, words in self._faqs:
            if not words:
                continue
            hit = self._overlap(query, words)
            if hit == 0:
                continue
            recall = hit / sum(self._weight(w) for w in words)
            precision = min(1.0, hit / query_weight)
            scores.append((2 * precision * recall / (precision + recall), module_id, index))
        return sorted(scores, reverse=True)

    def _keyword_hits(self, query: set[str], module_id: str) -> list[list[str]]:
        return [keyword for keyword in self._keywords[module_id]
                if keyword and all(any(_keyword_word(k, q) for q in query) for k in keyword)]

    def _keyword_score(self, query: set[str], module_id: str) -> float:
        return sum(self._weight(k) for keyword in self._keyword_hits(query, module_id) for k in keyword)

    def _off_topic(self, query: set[str], module_id: str) -> bool:
        """Only one of the module's words was asked about, beside a word no module knows."""
        evidence = {q for keyword in self._keyword_hits(query, module_id) for k in keyword
                    for q in query if _keyword_word(k, q)}
        evidence |= {q for mid, _, words in self._faqs if mid == module_id
                     for q in query if any(_same_word(w, q) for w in words) and not self._common(q)}
        unknown = {q for q in query if len(q) >= 4 and not any(_same_word(q, w) for w in self._known)}
        return len(evidence) <= 1 and bool(unknown)

    def best(self, text: str) -> Match | None:
        query = set(tokens(text))
        if not query:
            return None
        faqs = self._faq_scores(query)
        if faqs and faqs[0][0] >= FAQ_CLEAR:
            top, module_id, index = faqs[0]
            rival = next((s for s, mid, _ in faqs[1:] if mid != module_id), 0.0)
            if top - rival >= FAQ_MARGIN:
                return Match(module_id, index, round(top, 3))
        ranked = sorted(((self._keyword_score(query, m.id), m.id) for m in self._modules), reverse=True)
        if ranked and ranked[0][0] > 0 and (len(ranked) == 1 or ranked[0][0] > ranked[1][0]):
            if not self._off_topic(query, ranked[0][1]):
                return Match(ranked[0][1], None, round(ranked[0][0], 3))
            return None
        if faqs and faqs[0][0] >= FAQ_CLEAR / 2 and not self._off_topic(query, faqs[0][1]):
            return Match(faqs[0][1], None, round(faqs[0][0], 3))
        return None


def best_of_languages(found: Mapping[str, Match | None], preferred: str) -> tuple[str, Match] | None:
    """The language and match to answer with, when the text was matched in every language: an
    FAQ answer beats a module offer, then the worker's own language, then the score."""
    ranked = [(match.faq_index is not None, language == preferred, match.score, language, match)
              for language, match in found.items() if match is not None]
    if not ranked:
        return None
    *_, language, match = max(ranked, key=lambda r: r[:3])
    return language, match
