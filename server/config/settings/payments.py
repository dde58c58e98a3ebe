"""Memberships: the payment provider (Stripe, or the free development one) and its keys.

Optional in production: with PAYMENT_PROVIDER and both Stripe keys empty there are no
payments (PAYMENTS_ENABLED is false).
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured

from config.settings.environment import PRODUCTION, env
from config.settings.security import FRONTEND_URL

# `stripe`, `dev`, or empty: the development default is `dev`; in production, empty means
# Stripe when its keys are set and no payments at all (PAYMENTS_ENABLED false) when they are
# both empty, so that a deployment without memberships needs no Stripe account.
_chosen = env.str("PAYMENT_PROVIDER", "", required=False)
if _chosen not in {"", "dev", "stripe"}:
    raise ImproperlyConfigured("PAYMENT_PROVIDER must be 'stripe' or 'dev' (or empty)")
if PRODUCTION and _chosen == "dev":
    raise ImproperlyConfigured(
        "PAYMENT_PROVIDER=dev activates subscriptions for free; not in production"
    )
_keys_given = any(
    env.environ.get(name, "").strip() for name in ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET")
)
if _chosen:
    PAYMENT_PROVIDER = _chosen
elif not PRODUCTION:
    PAYMENT_PROVIDER = "dev"
else:
    # One key without the other is a half-done set-up: Stripe, and the other is named missing.
    PAYMENT_PROVIDER = "stripe" if _keys_given else ""
PAYMENTS_ENABLED = bool(PAYMENT_PROVIDER)
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
