"""A run's main conversation: a tool-using agent's episode or a math solver's answer."""

from __future__ import annotations

from docent_tui.demo.messages import system_message, user_message
from docent_tui.demo.records import Sample
from docent_tui.demo.transcript import Transcript

_INCORRECT = (
    "That answer was not accepted. Keep investigating and submit again once you have found "
    "the correct answer."
)


def agent_messages(tr: Transcript, sample: Sample, outcome: str) -> str:
    """Fill a tool-using agent transcript; return the submitted answer ('' if none)."""
    rng, task, model = tr.rng, tr.task, tr.model
    tr.messages += [system_message(task.system), user_message(sample.prompt)]
    lo, hi = task.turns
    turns = rng.randint(lo, hi)
    if outcome == "limit":
        turns = rng.randint(29, 34)
    elif outcome != "pass":
        turns += rng.randint(0, 2)
    explore = sample.explore
    long_at = rng.randrange(turns + 1) if task.long_outputs and rng.random() < 0.02 else -1
    for t in range(turns):
        if t == long_at:
            tr.turn(rng.choice(task.long_outputs))
        if rng.random() < model.nudge_rate:
            tr.nudge()
        action = explore[t] if t < len(explore) else rng.choice(explore)
        roll = rng.random()
        if roll < 0.045:
            tr.failed_turn(*rng.choice(task.errors))
        elif roll < 0.045 + model.parse_error_rate:
            tr.parse_error_turn(action)
        else:
            tr.turn(action)
    if long_at == turns:
        tr.turn(rng.choice(task.long_outputs))
    retries = task.kind in ("ctf", "cybench", "gaia")
    if outcome == "pass":
        if retries and rng.random() < 0.15:
            tr.submit(rng.choice(sample.wrong), "I believe this is the answer.")
            tr.messages.append(user_message(_INCORRECT))
        tr.turn(sample.solve)
        tr.submit(sample.answer, f"The answer is {sample.answer}.")
        return sample.answer
    if outcome == "wrong":
        answer = rng.choice(sample.wrong)
        if retries and rng.random() < 0.3:
            tr.submit(answer, "This should be it.")
            tr.messages.append(user_message(_INCORRECT))
            tr.turn(rng.choice(explore))
            answer = rng.choice(sample.wrong)
        tr.submit(answer, f"My answer is {answer}.")
        return answer
    if outcome == "error":
        action, error_type, message = task.errors[0]
        if rng.random() < 0.5:
            tr.failed_turn(action, error_type, message)
        else:
            tr.assistant(tr.text_for(action), [tr.call(action)])
    return ""


def math_messages(tr: Transcript, sample: Sample, passed: bool) -> str:
    rng = tr.rng
    tr.messages += [system_message(tr.task.system), user_message(sample.prompt)]
    if rng.random() < 0.35:
        tr.turn(sample.solve)
    answer = sample.target if passed else rng.choice(sample.wrong)
    tr.assistant(f"{sample.solution}\n\nANSWER: {answer}", None)
    return answer
