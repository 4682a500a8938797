"""Who is registered at once and who waits for a meeting's approval (RULES R10).

Category codes are the registration categories of R10: ``resident`` (a),
``registered_absent`` (b), ``nonresident`` (c), ``community_worker`` (d).
"""

from __future__ import annotations

from .params import RuleParams

__all__ = ["REGISTRATION_CATEGORIES", "needs_approval"]

REGISTRATION_CATEGORIES = ("resident", "registered_absent", "nonresident", "community_worker")


def needs_approval(category: str, params: RuleParams) -> bool:
    """Whether a person of ``category`` is registered only once approved (R10 (c), (d)).

    (c) 人在户不在: by the 居民会议/居民代表会议 unless the profile says otherwise
    (甘肃 2025 art. 16: living there six months is enough). (d) 社区工作者: always an
    application and a confirmation (R10 (d); 甘肃 art. 16: the election committee's).
    """
    if category == "nonresident":
        return params.nonresident_needs_meeting_approval
    return category == "community_worker"
