"""The error codes of this domain, merged into the GraphQL ErrorCode enum by api/errors.py."""

from enum import auto

from core.errors import DomainErrorCode


class MembershipErrorCode(DomainErrorCode):
    """Plans and subscriptions."""

    PLAN_NOT_FOUND = auto(), "No plan open for subscription has this slug."
    ALREADY_SUBSCRIBED = auto(), "The viewer already has a subscription that gives access."
    SUBSCRIPTION_NOT_FOUND = auto(), "The viewer has no subscription to change."
    PAYMENT_PROVIDER_UNAVAILABLE = (
        auto(),
        "The payment provider could not be reached; retrying later may work.",
    )
    # A deployment choice (no payment provider configured), not an outage: retrying will
    # not help, which a client cannot tell from PAYMENT_PROVIDER_UNAVAILABLE.
    PAYMENTS_DISABLED = (
        auto(),
        "Payments are turned off on this server: subscriptions cannot be started or "
        "cancelled here; retrying will not help.",
    )
