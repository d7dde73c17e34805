"""Whether a question is written in English, for the rules calibrated on English words.

The names rule (`assistant.ask.names`) takes a word the embedding model does not know whole,
or a capitalised one, for a name the documents must mention. In "Wie lange muss Omas
Apfelkuchen backen?" that is every word, and the recipe that answers it was refused because
no passage says "Wie". A question is taken for another language when it holds more of one
language's everyday function words than of English's, and at least two: "Quelle est la
capitale de la France ?" is French, "What does 'la vie en rose' mean?" stays English.
"""

from __future__ import annotations

import re

from assistant.ask.terms import STOP_WORDS, folded

_FUNCTION_WORDS = {
    "de": """der die das den dem des ein eine einen einem einer und oder aber ist sind war
        wird werden hat haben nicht kein keine wie was wann wo warum wer welche welcher
        welches mit für auf bei zu zum zur im vom von aus nach muss müssen kann können soll
        ich du er sie wir ihr mein meine dein noch schon auch lange""",
    "fr": """le la les un une des du au aux et ou est sont était pas que qui quoi quel quelle
        quels quelles où quand comment pourquoi combien avec pour dans sur par mon ma mes
        ton ta je tu il elle nous vous ils elles ce cette ces faut peut doit""",
    "es": """el la los las un una unos unas y o es son era está están no que qué quién cómo
        cuándo dónde cuánto cuánta cuántos cuál cuáles por para con en del al mi mis tu hay
        puedo debo se lo le""",
    "it": """il lo la gli le un una uno e o è sono era non che chi come quando dove perché
        quanto con per in del della dei delle nel nella mio mia io tu lui lei posso devo""",
    "pt": """o a os as um uma e ou é são era não que quem qual quais como quando onde porquê
        quanto por para com em do da dos das no na meu minha eu você ele ela posso devo""",
    "nl": """de het een en of is zijn was niet geen wat wie hoe wanneer waar waarom welke
        met voor op van bij naar uit mijn ik jij hij zij wij moet kan""",
}
_FOREIGN = {  # without their accents: "sao" typed for "são" is Portuguese all the same
    language: frozenset(folded(words).split()) - STOP_WORDS
    for language, words in _FUNCTION_WORDS.items()
}
_WORD = re.compile(r"[^\W\d_]+")
_MIN_FOREIGN = 2


def reads_as_english(question: str) -> bool:
    """Whether `question` reads as English rather than one of six other European languages."""
    words = _WORD.findall(folded(question))
    english = sum(1 for word in words if word in STOP_WORDS)
    foreign = max(
        sum(1 for word in words if word in vocabulary) for vocabulary in _FOREIGN.values()
    )
    return foreign < _MIN_FOREIGN or foreign <= english
