"""Alphabets and random strings for the ids, hashes and signatures in generated runs."""

from __future__ import annotations

import random

ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
B64URL = ALNUM + "-_"
HEX = "0123456789abcdef"


def rand_str(rng: random.Random, alphabet: str, size: int) -> str:
    return "".join(rng.choices(alphabet, k=size))
