from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from api.context import Context
from api.errors import Error
from api.mutations import payload_from
from api.permissions import viewer_user
from membership import services
from membership.schema.types import MemberSubscription


@strawberry.type(description="The result of `subscribe`.")
class SubscribePayload:
    checkout_url: str | None = strawberry.field(
        description="Stripe: send the user here to pay; the subscription starts after payment."
    )
    subscription: MemberSubscription | None = strawberry.field(
        description="The subscription when it is active at once (development provider)."
    )
    errors: list[Error] = strawberry.field(description="What to fix; empty on success.")


@strawberry.type(description="The result of `cancelSubscription`.")
class CancelSubscriptionPayload:
    subscription: MemberSubscription | None = strawberry.field(
        description="The subscription, now ending at the end of its period."
    )
    errors: list[Error] = strawberry.field(description="What to fix; empty on success.")


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description=(
            "Start a subscription to a plan. With Stripe, returns `checkoutUrl` to send the "
            "user to; the development provider activates at once. Needs a verified email. "
            "PAYMENTS_DISABLED when this server has payments turned off."
        )
    )
    def subscribe(
        self,
        info: Info[Context, None],
        plan_slug: Annotated[
            str, strawberry.argument(description="A plan's `slug`, from `plans`.")
        ],
    ) -> SubscribePayload:
        user = viewer_user(info)
        return payload_from(
            SubscribePayload,
            lambda: services.subscription_start(user=user, plan_slug=plan_slug),
            ok=lambda result: SubscribePayload(
                checkout_url=result.checkout_url,
                subscription=result.subscription,  # type: ignore[arg-type]
                errors=[],
            ),
        )

    @strawberry.mutation(
        description=(
            "Cancel the viewer's subscription at the end of the paid period. "
            "PAYMENTS_DISABLED when this server has payments turned off."
        )
    )
    def cancel_subscription(self, info: Info[Context, None]) -> CancelSubscriptionPayload:
        user = viewer_user(info)
        return payload_from(
            CancelSubscriptionPayload,
            lambda: services.subscription_cancel(user=user),
            ok=lambda subscription: CancelSubscriptionPayload(
                subscription=subscription,  # type: ignore[arg-type]
                errors=[],
            ),
        )
