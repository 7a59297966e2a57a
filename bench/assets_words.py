"""The prompts' vocabulary: 2,000 words, real ones at the head (commonest first), made-up ones
after, and the words the prompt searches look for (a common one, a rare one, two together)."""

from __future__ import annotations

import random

# The head of the vocabulary, commonest first; made-up words fill it up to 2,000.
_HEAD = (
    "a of the portrait in with and light cinematic style detailed on at woman city forest "
    "night man soft golden hour sky old dark blue red morning mountain lake street girl cat dog "
    "house garden sea ocean sunset fog rain snow winter summer autumn spring flowers tree river "
    "bridge castle robot dragon ship car train window room table coffee book painting oil "
    "watercolor sketch photo realistic 35mm lens bokeh studio lighting neon vintage retro "
    "futuristic fantasy illustration minimal abstract colorful warm cold moody bright shadows "
    "reflections glass gold silver wooden stone ancient modern tiny giant smiling standing "
    "sitting walking flying under above beside through behind field desert island village "
    "market crowd child face eyes hands hair dress hat mask wings stars moon sun clouds waves "
    "beach"
)
COMMON_WORDS = _HEAD.split()
VOCABULARY_SIZE = 2_000
COMMON = "portrait"  # rank 4: in about a third of prompts
TWO_WORDS = "cinematic forest"  # ranks 9 and 16: each in 1 prompt of 6–10, together 1 of 60
RARE_RANK = 1_800  # in about 1 prompt of 1,300


def vocabulary(rng: random.Random) -> tuple[str, ...]:
    onsets = [
        "b",
        "br",
        "d",
        "f",
        "g",
        "k",
        "l",
        "m",
        "n",
        "p",
        "pr",
        "r",
        "s",
        "st",
        "t",
        "v",
        "z",
    ]
    vowels = ["a", "e", "i", "o", "u", "ai", "ea", "ou"]
    codas = ["", "", "n", "r", "l", "s", "th"]
    made = dict.fromkeys(COMMON_WORDS)
    while len(made) < VOCABULARY_SIZE:
        syllables = rng.randint(2, 4)
        word = "".join(
            rng.choice(onsets) + rng.choice(vowels) + rng.choice(codas) for _ in range(syllables)
        )
        made.setdefault(word, None)
    return tuple(made)


WORDS = vocabulary(random.Random(2_000))
RARE = WORDS[RARE_RANK - 1]
