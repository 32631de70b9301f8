"""MATH samples: competition problems with worked solutions and a checking computation."""

from __future__ import annotations

import random
from math import comb, gcd

from docent_tui.demo.actions import python
from docent_tui.demo.records import Sample

MATH_SYSTEM = (
    "Solve the math problem. Show your reasoning briefly, then give the final answer on its own "
    "last line as 'ANSWER: <answer>', simplified, in LaTeX where needed."
)


def _frac(p: int, q: int) -> str:
    g = gcd(p, q)
    p, q = p // g, q // g
    return str(p) if q == 1 else f"\\frac{{{p}}}{{{q}}}"


def math_sample(i: int, rng: random.Random) -> Sample:
    kind = i % 5
    if kind == 0:
        a, x, b = rng.randint(2, 9), rng.randint(-12, 15), rng.randint(1, 30)
        c = a * x + b
        prompt, ans, subject = f"Solve for $x$: ${a}x + {b} = {c}$.", str(x), "Algebra"
        work = f"Subtract {b} from both sides: ${a}x = {c - b}$. Divide by {a}: $x = {x}$."
        code, printed, miss = f"print(({c} - {b}) / {a})", f"{float(x)}", str(x + 1)
    elif kind == 1:
        base, exp, mod = rng.randint(2, 13), rng.randint(10, 60), rng.randint(3, 11)
        prompt = f"What is the remainder when ${base}^{{{exp}}}$ is divided by ${mod}$?"
        ans, subject = str(pow(base, exp, mod)), "Number Theory"
        work = f"Powers of {base} modulo {mod} repeat, so reduce the exponent by the cycle length."
        code, printed, miss = f"print(pow({base}, {exp}, {mod}))", ans, str((int(ans) + 1) % mod)
    elif kind == 2:
        n = rng.randint(6, 14)
        k = rng.randint(2, n // 2)
        prompt = f"In how many ways can a committee of {k} be chosen from {n} people?"
        ans, subject = str(comb(n, k)), "Counting & Probability"
        work = f"Order does not matter, so the count is $\\binom{{{n}}}{{{k}}} = {ans}$."
        code, printed = f"from math import comb\nprint(comb({n}, {k}))", ans
        miss = str(comb(n, k) * 2)
    elif kind == 3:
        factor, top, bottom = rng.randint(2, 9), rng.randint(1, 12), rng.randint(13, 29)
        p, q = top * factor, bottom * factor
        prompt, ans, subject = f"Simplify $\\frac{{{p}}}{{{q}}}$.", _frac(p, q), "Prealgebra"
        g = gcd(p, q)
        work = f"The greatest common divisor of {p} and {q} is {g}; divide both by {g}."
        code = f"from fractions import Fraction\nprint(Fraction({p}, {q}))"
        printed, miss = f"{p // g}/{q // g}", f"\\frac{{{q // g}}}{{{p // g}}}"
    else:
        a, b = rng.randint(3, 20), rng.randint(3, 20)
        prompt = f"A right triangle has legs of length {a} and {b}. What is its area?"
        ans, subject = _frac(a * b, 2), "Geometry"
        work = f"The area is half the product of the legs: $\\frac{{{a} \\cdot {b}}}{{2}}$."
        code, printed, miss = f"print({a} * {b} / 2)", f"{a * b / 2}", str(a * b)
    level = rng.randint(1, 5)
    solve = python("Let me verify with a quick computation.", code, printed + "\n")
    return Sample(
        i + 1,
        prompt,
        ans,
        (subject,),
        ("easy", "easy", "medium", "hard", "hard")[level - 1],
        (("subject", subject), ("level", f"Level {level}")),
        (),
        solve,
        ans,
        (miss, "0") if ans != "0" else (miss,),
        work,
    )
