from enum import StrEnum


class MembershipErrorCode(StrEnum):
    """Plans and subscriptions."""

    PLAN_NOT_FOUND = "PLAN_NOT_FOUND"
    ALREADY_SUBSCRIBED = "ALREADY_SUBSCRIBED"
