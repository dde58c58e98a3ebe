"""Memberships: the payment provider (Stripe, or the free development one) and its keys."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured

from config.settings.environment import PRODUCTION, env
from config.settings.security import FRONTEND_URL

PAYMENT_PROVIDER = env.str("PAYMENT_PROVIDER", "stripe" if PRODUCTION else "dev", required=False)
if PAYMENT_PROVIDER not in {"dev", "stripe"}:
    raise ImproperlyConfigured("PAYMENT_PROVIDER must be 'stripe' or 'dev'")
if PRODUCTION and PAYMENT_PROVIDER == "dev":
    raise ImproperlyConfigured(
        "PAYMENT_PROVIDER=dev activates subscriptions for free; not in production"
    )
_stripe = PAYMENT_PROVIDER == "stripe"
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", "", required=_stripe)
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", "", required=_stripe)
if _stripe and not PRODUCTION and not (STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET):
    # Production lists it with every other missing variable; say it here too, at start,
    # rather than as an internal error on the first `subscribe`.
    raise ImproperlyConfigured(
        "PAYMENT_PROVIDER=stripe needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET"
    )
STRIPE_API_BASE = env.str("STRIPE_API_BASE", "https://api.stripe.com", required=False)
STRIPE_WEBHOOK_TOLERANCE = env.duration("STRIPE_WEBHOOK_TOLERANCE", timedelta(minutes=5))
STRIPE_API_TIMEOUT = env.duration("STRIPE_API_TIMEOUT", timedelta(seconds=10)).total_seconds()
# Where Stripe Checkout sends the user back; Stripe fills in {CHECKOUT_SESSION_ID}.
STRIPE_CHECKOUT_SUCCESS_URL = env.str(
    "STRIPE_CHECKOUT_SUCCESS_URL",
    f"{FRONTEND_URL}/membership/welcome?session_id={{CHECKOUT_SESSION_ID}}",
    required=False,
)
STRIPE_CHECKOUT_CANCEL_URL = env.str(
    "STRIPE_CHECKOUT_CANCEL_URL", f"{FRONTEND_URL}/plans", required=False
)
SUBSCRIPTION_PAST_DUE_GRACE = env.duration("SUBSCRIPTION_PAST_DUE_GRACE", timedelta(days=3))
