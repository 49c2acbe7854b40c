"""Questionnaire answers → score → customer risk level, with validity and the elderly rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from custtier._args import as_date, as_key, as_playbook
from custtier._dates import age_on
from custtier._explain import Reason, ReasonCode
from custtier._validity import ends_past_calendar, playbook_until
from custtier.errors import InputError
from custtier.models import Answer, RiskAssessment
from custtier.rules import Playbook
from custtier.suitability._models import RiskDecision
from custtier.suitability._tables import risk_tables

__all__ = ["assess_risk"]


def assess_risk(
    answers: Mapping[str, str] | Iterable[Answer | Mapping[str, str]],
    playbook: Playbook,
    *,
    as_of: dt.date,
    birth_date: dt.date | None = None,
    customer_key: str = "anonymous",
) -> RiskDecision:
    """Score a questionnaire and place the customer on the playbook's level scale.

    ``answers`` maps question id → option id (or is a sequence of
    :class:`~custtier.Answer` or of answer records as JSON gives them); every
    question must be answered once, and anything else is an ``InputError``
    naming ``answers``. The
    assessment is valid for the playbook's ``validity_months`` from
    ``as_of`` (to the day before the same date that many months on). A
    customer whose ``birth_date``, or whose answer to the age question (an
    option whose ``min_age`` is ``elderly_age`` or more), makes them elderly
    has the level capped at ``elderly_max_level`` and is flagged for extra
    confirmation.

    >>> import datetime as dt
    >>> from custtier import presets
    >>> answers = {"q_age": "b", "q_finances": "c", "q_experience": "c", "q_objective": "c",
    ...            "q_horizon": "c", "q_liquidity": "c", "q_loss": "c"}
    >>> d = assess_risk(answers, presets.REGULATORY, as_of=dt.date(2026, 11, 30))
    >>> d.outcome, d.score, d.assessment.valid_until.isoformat()
    ('C3', 69, '2027-11-29')
    """
    playbook, as_of = as_playbook(playbook), as_date(as_of, "as_of")
    customer_key = as_key(customer_key)
    if birth_date is not None:
        birth_date = as_date(birth_date, "birth_date")
    t = risk_tables(playbook)
    given = _answers(answers)  # read once: ``answers`` may be a one-shot iterator
    chosen = dict(given)
    risk = playbook.risk
    score = 0
    for question in risk.questionnaire:
        option = chosen.pop(question.id, None)
        if option is None:
            raise InputError(
                f"question {question.id!r} is not answered", field=f"answers.{question.id}"
            )
        points = t.option_score.get((question.id, option))
        if points is None:
            raise InputError(
                f"question {question.id!r} has no such option; choose one of "
                f"{[o.id for o in question.options]}",
                field=f"answers.{question.id}",
            )
        score += points
    if chosen:
        # Counted, never named: a caller's key may be anything, a phone number too.
        raise InputError(
            f"answers name {len(chosen)} question(s) the questionnaire does not ask; "
            f"answer only {[q.id for q in risk.questionnaire]}",
            field="answers",
        )
    band = next(b for b in t.score_bands if b.lower <= score <= b.upper)
    reasons = [
        Reason.of(
            ReasonCode.RISK_SCORED,
            band.rule_id,
            level=band.level,
            score=score,
            lower=band.lower,
            upper=band.upper,
        )
    ]
    level = band.level
    # Elderly by birth date or by the age answer (both known: the stricter reading).
    age_from = []
    if birth_date is not None and age_on(birth_date, as_of) >= risk.elderly_age:
        age_from.append("birth_date")
    youngest = t.age_min.get(given.get(t.age_question or "", ""), None)
    if youngest is not None and youngest >= risk.elderly_age:
        age_from.append("age_answer")
    elderly = bool(age_from)
    cap = risk.elderly_max_level
    if elderly and cap is not None and t.customer_rank[level] > t.customer_rank[cap]:
        reasons.append(
            Reason.of(
                ReasonCode.RISK_ELDERLY_CAP,
                "risk.elderly",
                case="assessment",
                scored_level=level,
                capped_level=cap,
                elderly_age=risk.elderly_age,
                age_from=",".join(age_from),
            )
        )
        level = cap
    if ends_past_calendar(as_of, risk.validity_months):
        raise InputError(
            f"as_of is too late: the assessment's {risk.validity_months}-month validity "
            "would end after 9999-12-31",
            field="as_of",
        )
    valid_until = playbook_until(as_of, risk.validity_months)  # the rule the sale reads back
    assessment = RiskAssessment.model_construct(
        level=level,
        score=score,
        assessed_on=as_of,
        valid_until=valid_until,
        answers=tuple(Answer.model_construct(question_id=q, option_id=o)
                      for q, o in sorted(given.items())),
        playbook_id=playbook.id,
        playbook_version=playbook.version,
    )  # fmt: skip
    return RiskDecision.trusted(
        customer_key=customer_key,
        outcome=level,
        reasons=tuple(reasons),
        playbook=t.ref,
        as_of=as_of,
        score=score,
        assessment=assessment,
        elderly=elderly,
        requires_extra_confirmation=elderly,
    )


def _answer(item: object, index: int) -> Answer:
    if isinstance(item, Mapping):
        return Answer.from_record(item)
    raise InputError("each answer must be an Answer or a record of one", field=f"answers.{index}")


def _answers(answers: object) -> dict[str, str]:  # any JSON a caller passes
    if isinstance(answers, Mapping):
        return {str(k): str(v) for k, v in answers.items()}
    if isinstance(answers, (str, bytes)) or not isinstance(answers, Iterable):
        raise InputError(
            "answers must map question ids to option ids, or be a list of answers",
            field="answers",
        )
    out: dict[str, str] = {}
    for i, item in enumerate(answers):
        # An answer as JSON gives it ({"question_id": ..., "option_id": ...}) is validated.
        a = item if isinstance(item, Answer) else _answer(item, i)
        if a.question_id in out:
            raise InputError(
                f"question {a.question_id!r} is answered twice", field=f"answers.{a.question_id}"
            )
        out[a.question_id] = a.option_id
    return out
