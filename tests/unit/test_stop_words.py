"""A patient stops (or resumes) her messages with a plain word in her own language, or with
STOP and START in any; a sentence that only contains the word is not a request to stop."""

import pytest

from aftercare_bot.adapters.telegram.handlers.stop_words import stop_start_words
from aftercare_bot.texts import Texts

WORDS = stop_start_words(Texts.load())


@pytest.mark.parametrize(
    "text", ["STOP", "stop!", " Stop. ", "стоп", "Parar", "BAJA", "basta", "Arrêt", "Stopp", "dur"]
)
def test_a_stop_word_alone_stops(text: str) -> None:
    assert WORDS.stop.match(text)
    assert not WORDS.start.match(text)


@pytest.mark.parametrize("text", ["START", "старт", "Reanudar", "riprendi", "BAŞLA", "retomar"])
def test_a_start_word_alone_resumes(text: str) -> None:
    assert WORDS.start.match(text)
    assert not WORDS.stop.match(text)


@pytest.mark.parametrize(
    "text", ["stop the itching?", "no quiero parar el tratamiento", "durum iyi", "stopper", ""]
)
def test_a_sentence_with_the_word_in_it_is_not_the_word(text: str) -> None:
    assert not WORDS.matches(text)


def test_only_the_offered_languages_words_count() -> None:
    english_only = stop_start_words(Texts.load().offering(("en",)))
    assert english_only.stop.match("STOP")
    assert not english_only.stop.match("parar")
