"""Course steps that complete by themselves: a registry of what the player shows for them.

Some lesson kinds are not marked done by the learner: an assessment step completes when the
learner passes the assessment. The package that owns such a step (a higher one, which
courses must not import) registers a provider for the kind; the player renders the box the
provider describes in place of the "mark as done" button, and refuses a manual completion.
It may also name an *adder*: the course outline then offers "Add a <label>" beside the
built-in kinds, leading to the page the adder returns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from courses.models import Course, Enrollment, Lesson


@dataclass(frozen=True)
class StepBox:
    """What the player shows for a step: where to go and how far the learner is."""

    title: str
    status: str  # e.g. "Pass mark 80%. Best score so far 60%."
    done: bool = False
    url: str | None = None  # None in a preview or when the step cannot be taken
    action: str = "Open"  # the label of the link to ``url``
    completes_when: str = ""  # e.g. "This step completes when you pass the assessment."


# provider(enrollment, lesson) -> the box; ``enrollment`` is None in an author's preview.
Provider = Callable[[Enrollment | None, Lesson], StepBox]
# adder(course, module_key) -> the address of the page that adds such a step to the module.
Adder = Callable[[Course, str], str]
PROVIDERS: dict[str, Provider] = {}
REFUSALS: dict[str, str] = {}
ADDERS: dict[str, tuple[str, Adder]] = {}


@dataclass(frozen=True)
class AddChoice:
    """One "Add a …" choice of a module in the course outline."""

    kind: str
    label: str
    url: str


def register_step(kind: str, provider: Provider, *,
                  refusal: str = "This step completes by itself.",
                  label: str | None = None, adder: Adder | None = None) -> None:
    """Let the package that owns lessons of ``kind`` describe them in the player;
    ``refusal`` answers a learner who tries to mark such a lesson done; ``label`` and
    ``adder`` put "Add a <label>" among the outline's choices."""
    PROVIDERS[str(kind)] = provider
    REFUSALS[str(kind)] = refusal
    if adder is not None:
        ADDERS[str(kind)] = (label or str(kind), adder)


def added_choices(course: Course, module_key: str) -> list[AddChoice]:
    """The registered steps an author may add to a module, in registration order."""
    return [AddChoice(kind, label, adder(course, module_key))
            for kind, (label, adder) in ADDERS.items()]


def is_step(kind: str) -> bool:
    """Say whether lessons of ``kind`` complete by themselves (no "mark as done")."""
    return str(kind) in PROVIDERS


def refusal(kind: str) -> str:
    return REFUSALS.get(str(kind), "This step completes by itself.")


def step_box(enrollment: Enrollment | None, lesson: Lesson) -> StepBox | None:
    """The box to show for ``lesson``, or None for an ordinary lesson."""
    provider = PROVIDERS.get(str(lesson.kind))
    return provider(enrollment, lesson) if provider is not None else None
