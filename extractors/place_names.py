"""Place names that stand for people: a personal-name guard and capitals named as governments.

In: for `person_names`, the text, its tokens and the `place_scan.Mention`s found in it (with the
gazetteer data to tell a country from a town); for `governs`, the clean text and where a city name
ends. Out: `person_names(...)` -> {mention index: rule id} for the mentions that stand where a
person's name stands; `governs(...)` -> whether the city name stands for its government.

Rules (`PERSON_RULES`, in order; the first that fires names the reason):
- `title_before`: a title right before the name ("Treasury Secretary Michael Brandt", "Judge Florence");
- `given_name_before`: a capitalised word that is not a place, a direction, an institution or a
  sentence start right before it ("director Paul Capri"), outside a headline written in title case
  and not after a locative ("in Mojolo Sinaloa" is a village and its state);
(Not yet: the same surname alone elsewhere in the text, "Paul Capri ... Capri said". Tried, it
also took away the right country an unplaced incident had drawn by luck from a lawyer's surname.)
A person's name is never a town, a district or a region (`place_resolve` treats it as doubtful);
country names are left alone (a country is rarely a person's name, and never only one).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container
from dataclasses import dataclass

from extractors.gazetteer import GazetteerData, Token
from extractors.place_scan import TOWN_WORDS, UNIT_WORDS, VILLAGE_WORDS, Mention

# words that name a person's office or honour, before the name
TITLES = frozenset(
    "mr mrs ms miss dr prof professor sir dame lord lady col gen lt maj capt sgt cpl president minister "
    "secretary senator sen rep representative congressman congresswoman governor gov mayor judge justice "
    "ambassador envoy chairman chairwoman chair director actor actress singer rapper author novelist "
    "filmmaker coach player striker goalkeeper captain commissioner chancellor premier deputy spokesman "
    "spokeswoman spokesperson attorney lawyer officer sheriff pastor father rev reverend bishop pope saint "
    "st king queen prince princess sheikh emir imam ayatollah chief host anchor columnist correspondent".split()
)
# capitalised words that may stand before a place without being a given name
_NOT_GIVEN = frozenset(
    "eastern western northern southern central north south east west northeast northwest southeast southwest "
    "upper lower middle greater rural downtown old new lake mount mt river camp port cape the in at near of "
    "on by from to for and or but with as after before since during into across over under via".split()
) | UNIT_WORDS | TOWN_WORDS | VILLAGE_WORDS | frozenset(
    "center centre hospital university college school academy institute market bridge airport station camp base "
    "port harbour harbor square stadium prison church mosque temple office court council ministry police army "
    "military national regional federal state general international trans south-east south-west".split()
)
# a locative before the word before the name: "in Mojolo Sinaloa" is a place and its region
_LOCATIVE = re.compile(r"(?i)\b(?:in|at|near|outside|from|to|into|across|around|inside|of|between|and)\s+(?:the\s+)?$")
_GAP = re.compile(r"^[ \t]*$")  # nothing but a space between two words of one name
_SENTENCE_ENDS = frozenset(".!?:;\n\"“”([•")


def _sentence_ends(text: str, pos: int) -> bool:
    """Whether text[:pos] ends with a sentence or line break, then spaces (the pattern
    `[.!?:;\\n"“”(\\[•]\\s*$`, read backwards from `pos` instead of searched from the start)."""
    while pos > 0 and text[pos - 1].isspace():
        if text[pos - 1] == "\n":
            return True
        pos -= 1
    return pos > 0 and text[pos - 1] in _SENTENCE_ENDS


@dataclass(frozen=True, slots=True)
class Ctx:
    """One mention in its text: its first token's index and the tokens."""

    text: str
    toks: list[Token]
    mention: Mention
    covered: Container[int]  # token indices inside any place mention


def _line_in_title_case(text: str, pos: int) -> bool:
    """Whether the line holding `pos` is a headline in title case ("Troops Enter Border Town")."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    words = [w for w in re.findall(r"[^\W\d_][\w’'-]*", text[start:end if end >= 0 else len(text)]) if len(w) > 3]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.7 * len(words)


def _prev(ctx: Ctx) -> Token | None:
    i = ctx.mention.lo
    if i == 0:
        return None
    prev = ctx.toks[i - 1]
    if not _GAP.match(ctx.text[prev.end:ctx.mention.start]) and ctx.text[prev.end:ctx.mention.start].strip() != ".":
        return None
    return prev


def title_before(ctx: Ctx) -> bool:
    """A title right before the name: "Secretary Michael ...", "Sen. Georgia ..."."""
    prev = _prev(ctx)
    return prev is not None and prev.norm in TITLES


def given_name_before(ctx: Ctx) -> bool:
    """A capitalised word right before the name that is neither a place, a direction, a function
    word nor a sentence's first word: "Denzel Washington", "Frank Capri"."""
    prev = _prev(ctx)
    i = ctx.mention.lo
    if prev is None or not _GAP.match(ctx.text[prev.end:ctx.mention.start]) or i < 2:
        return False
    if not prev.text[:1].isupper() or prev.text.isupper() or prev.norm in _NOT_GIVEN or (i - 1) in ctx.covered:
        return False
    if _sentence_ends(ctx.text, prev.start) or _line_in_title_case(ctx.text, ctx.mention.start):
        return False
    if _LOCATIVE.search(ctx.text[max(0, prev.start - 20):prev.start]):
        return False
    return True


PERSON_RULES: tuple[tuple[str, str, Callable[[Ctx], bool]], ...] = (
    ("title_before", "a title stands right before the name", title_before),
    ("given_name_before", "a given name stands right before the name", given_name_before),
)


@dataclass(frozen=True, slots=True)
class _Covered:
    """The token indices inside a place mention not taken as a person's name so far, read in
    place (a copy per mention made the scan quadratic in the names of a long text)."""

    owner: dict[int, int]  # token index -> index of the mention holding it
    found: dict[int, str]

    def __contains__(self, k: object) -> bool:
        return k in self.owner and self.owner[k] not in self.found


def person_names(data: GazetteerData, text: str, toks: list[Token], mentions: list[Mention]) -> dict[int, str]:
    """{index of a mention: rule id} for the mentions of `text` that name a person (see the module
    docstring). Mentions that can only be countries are never taken."""
    owner = {k: n for n, m in enumerate(mentions) for k in range(m.lo, m.hi)}
    found: dict[int, str] = {}
    for n, m in enumerate(mentions):
        if all(data.row(rid).kind == "country" for rid, _ in m.ids):
            continue
        # a place name before this one hides a given name only when it is not a person's name itself
        # ("Senator Carolina Ruiz": both words name the senator)
        ctx = Ctx(text, toks, m, _Covered(owner, found))
        for rule_id, _reason, test in PERSON_RULES:
            if test(ctx):
                found[n] = rule_id
                break
    return found


# a city named as the government that wants or does something: "Ankara's bid to ...",
# "Moscow's decision", "Beijing's response"
_WILL_AFTER = re.compile(
    r"(?i)[’']s\s+(?:\w+\s+)?(?:attempts?|efforts?|bids?|plans?|decisions?|moves?|push|policy|policies|position|stance|"
    r"response|demands?|refusal|proposals?|offers?|threats?|warnings?|claims?|support|backing|approval|strategy|"
    r"campaign|reply|retaliation|envoy|ambassador|diplomats?|officials?|leaders?|allies|ally|narrative|rhetoric)\b")


def governs(clean: str, end: int) -> bool:
    """Whether the city name ending at `end` stands for its government ("X's attempt to annex")."""
    return bool(_WILL_AFTER.match(clean, end))
