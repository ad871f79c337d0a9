"""The coder reads a long text once (issue 14, issue 13 point 5): a sentence's place names are
taken by offset from the document's one place scan, and the sweeps that replaced per-cue scans
of a sentence give what the scans gave. No timings here: speed is `bench/bench_long_docs.py`'s.
"""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest

from extractors.coding_cue_data import Cue
from extractors.coding_cue_reasons import _RELATIVE, _relative_reach
from extractors.coding_cues import _drop_contained
from extractors.coding_text import sentences
from extractors.coding_types import _CLAUSE_START, _PARENS, _window_before
from extractors.incidents import code_incidents
from extractors.places import get_gazetteer

# a story of three acts in three countries; each copy names its own day and figures
_STORY = ("On {d} March 2024, gunmen killed {n} villagers in Gwoza, Borno state. "
          "A roadside bomb wounded {w} soldiers near Kandahar on {d} March 2024. "
          "Police arrested three protesters in Nairobi on {d} March 2024 after a march turned violent.\n")


def _copies(n: int) -> list[str]:
    return [_STORY.format(d=i + 1, n=i + 3, w=i + 2) for i in range(n)]


@pytest.fixture(scope="module")
def gz():
    return get_gazetteer()


def test_a_sentence_takes_exactly_the_place_names_inside_its_span(gz):
    text = "".join(_copies(8)) + "Shelling hit Kharkiv and Izium. Talks in Doha and Geneva stalled."
    placed = gz.placed(text)
    every = placed.find()
    assert len(every) > 20  # the text names places: the test below has something to take
    spans = [(s.start, s.end) for s in sentences(text)]
    spans += [(h.start + 1, h.end + 40) for h in every] + [(h.start - 5, h.end - 1) for h in every]  # names cut
    spans += [(a, a + w) for a in range(0, len(text), 53) for w in (1, 30, 400)]
    for start, end in spans:
        expected = [h for h in every if start <= h.start and h.end <= end]
        assert placed.find(start, end) == expected, (start, end)
    assert gz.find(text) == every  # the text-taking call reads the same scan


def test_a_span_is_located_in_the_document_context_without_reading_other_sentences(gz):
    text = "".join(_copies(6))
    placed = gz.placed(text, ("NGA",))
    for sentence in sentences(text):
        location = placed.locate(sentence.start, sentence.end)
        if "Gwoza" in sentence.text:
            assert location is not None and location.location == "Gwoza" and location.iso3 == "NGA"
        if "Nairobi" in sentence.text:
            assert location is not None and location.iso3 == "KEN"
    assert placed.locate(0, 2) is None  # no name in the span


def test_every_copy_of_a_story_is_coded_alike():
    n = 12
    copies = _copies(n)
    text = "".join(copies)
    mentions = code_incidents(text, article_id="a", published_at=dt.datetime(2024, 3, 30, tzinfo=dt.UTC))
    assert len(mentions) == 3 * n
    offset = 0
    places = None
    for i, copy in enumerate(copies):
        mine = [m for m in mentions if offset <= m.evidence_start < offset + len(copy)]
        offset += len(copy)
        assert [m.sub_event_type for m in mine] == ["Attack", "Remote explosive/landmine/IED",
                                                    "Protest with intervention"], i
        assert {m.event_date for m in mine} == {dt.date(2024, 3, i + 1)}
        assert (mine[0].fatalities, mine[1].injuries) == (i + 3, i + 2)
        copy_places = [(m.location, m.iso3) for m in mine]
        assert places is None or copy_places == places, i  # the last copy placed as the first
        places = copy_places
    assert places is not None and places[0] == ("Gwoza", "NGA")


def _contained_pairwise(cues: list[Cue]) -> list[Cue]:
    """The definition: a cue strictly inside a longer cue of another name is dropped."""
    return [c for c in cues if not any(o is not c and o.name != c.name and o.start <= c.start and c.end <= o.end
                                       and o.end - o.start > c.end - c.start for o in cues)]


def test_dropping_contained_cues_in_one_sweep_keeps_what_the_pairwise_reading_keeps():
    rng = random.Random(3)
    for _ in range(400):
        cues = []
        for _ in range(rng.randint(0, 30)):
            start = rng.randint(0, 60)
            cues.append(Cue(rng.choice("abc"), start, start + rng.randint(1, 12), "x"))
        assert _drop_contained(cues) == _contained_pairwise(cues)


# the definition: the whole text between two acts is a relative word, an auxiliary and an adverb
_RELATIVE_SLICED = re.compile(r"(?i)^\s+(?:that|which)\s+(?:had\s+|has\s+|have\s+)?(?:\w+ly\s+)?$")


def test_a_relative_clause_is_found_within_the_reach_as_slicing_the_gap_finds_it():
    # words of relative clauses, long spaces and a long adverb that cross the first window's edge
    words = ["that", "Which", "had", "has", "have", "reportedly", "x" * 70 + "ly", "the", "raid", ",", "\n"]
    rng = random.Random(5)
    found = 0
    for _ in range(80):
        text = "".join(rng.choice(words) + rng.choice([" ", "  ", " " * 80, "\t", ""])
                       for _ in range(rng.randint(1, 10))) + "raid"
        for end in range(len(text) + 1):
            reach = _relative_reach(text, end)
            for pos in range(end + 1):
                sliced = bool(_RELATIVE_SLICED.match(text[pos:end]))
                found += sliced
                assert sliced == (reach <= pos and bool(_RELATIVE.fullmatch(text, pos, end))), (text, pos, end)
    assert found > 100  # the texts hold relative clauses: the comparison above has something to find


def _window_whole(text: str, start: int, words: int = 8) -> str:
    """The definition: the head of the sentence read from its start."""
    head = re.sub(r"\([^()]*\)", " ", text[:start])
    cut = [m.end() for m in _CLAUSE_START.finditer(head)]
    head = head[cut[-1]:] if cut else head
    return " ".join(head.split()[-words:])


def test_the_window_before_an_act_is_what_reading_the_whole_head_gives():
    rng = random.Random(5)
    pieces = ["soldiers", "were", "killed", "(three", "according", "to", "medics)", "and", "then", "after",
              "villagers,", "police;", "a", "(b)", "x" * 30, "wounded", "as", "When", "(", ")", "long-" * 40]
    for _ in range(150):
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 400)))
        parens = [m.span() for m in _PARENS.finditer(text)]
        for start in sorted({rng.randint(0, len(text)) for _ in range(5)} | {len(text)}):
            assert _window_before(text, start, parens) == _window_whole(text, start), (text, start)


def test_a_clause_word_cut_by_the_stretch_edge_is_not_taken_for_one():
    # the stretch read before the act starts inside "zzzzas": there "as" looks like a clause start
    tail = " " + "b" * 393 + " c d"
    text = "w " * 300 + "zzzzas" + tail
    assert text.index("zzzzas") + 4 == len(text) - 400
    expected = "w w w w zzzzas " + "b" * 393 + " c d"
    assert _window_whole(text, len(text)) == expected
    assert _window_before(text, len(text), []) == expected
