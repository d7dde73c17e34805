"""Which questions read as English, for the rules calibrated on English words."""

from __future__ import annotations

import pytest

from assistant.ask.question_language import reads_as_english


@pytest.mark.parametrize(
    "question",
    [
        "Wie lange muss Omas Apfelkuchen backen?",
        "Was ist das Rezept für Apfelkuchen?",  # "was" is English too; "ist", "das", "für"
        "Quelle est la capitale de la France ?",
        "¿Cuánto tiempo hay que hornear el pastel?",
        "Quanto tempo devo cuocere la torta?",
        "Hoe lang moet de taart in de oven?",
        "Quais pacotes sao necessarios para a compilacao?",  # typed without its accents
        "¿Cuál es el tamaño de la página?",
    ],
)
def test_questions_in_other_languages(question: str) -> None:
    assert not reads_as_english(question)


@pytest.mark.parametrize(
    "question",
    [
        "What is the capital of France?",
        "What does 'la vie en rose' mean?",  # two French words, two English ones
        "Is de Gaulle airport in Paris?",
        "Die Hard: who is the villain?",
        "pyenv tmux zsh",  # no function words at all: the rules stay as they are
    ],
)
def test_english_questions_and_keywords(question: str) -> None:
    assert reads_as_english(question)
