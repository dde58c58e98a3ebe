from membership.tests.fixtures import stripe_standin, webhook_secret

__all__ = ["stripe_standin", "webhook_secret"]
