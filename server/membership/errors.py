from enum import StrEnum


class MembershipErrorCode(StrEnum):
    """Plans and subscriptions."""

    PLAN_NOT_FOUND = "PLAN_NOT_FOUND"
    ALREADY_SUBSCRIBED = "ALREADY_SUBSCRIBED"
    SUBSCRIPTION_NOT_FOUND = "SUBSCRIPTION_NOT_FOUND"
    PAYMENT_PROVIDER_UNAVAILABLE = "PAYMENT_PROVIDER_UNAVAILABLE"


# The codes this domain adds to the GraphQL ErrorCode enum (merged by api/errors.py from
# every installed app's errors module that names them here).
ERROR_CODES = MembershipErrorCode

DESCRIPTIONS: dict[StrEnum, str] = {
    MembershipErrorCode.PLAN_NOT_FOUND: "No plan open for subscription has this slug.",
    MembershipErrorCode.ALREADY_SUBSCRIBED: "The viewer already has a subscription that gives "
    "access.",
    MembershipErrorCode.SUBSCRIPTION_NOT_FOUND: "The viewer has no subscription to change.",
    MembershipErrorCode.PAYMENT_PROVIDER_UNAVAILABLE: "The payment provider could not be "
    "reached; retrying later may work.",
}
