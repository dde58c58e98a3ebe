from django.contrib import admin

from membership.models import Plan, ProcessedWebhookEvent, Subscription


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "tier", "price", "currency", "interval", "active")
    list_filter = ("active", "tier", "interval")
    search_fields = ("slug", "name", "stripe_price_id")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = (
        "user",
        "plan",
        "status",
        "current_period_end",
        "cancel_at_period_end",
        "provider",
    )
    list_filter = ("status", "provider", "plan", "cancel_at_period_end")
    search_fields = ("user__email", "provider_customer_id", "provider_subscription_id")
    raw_id_fields = ("user",)
    list_select_related = ("user", "plan")
    # Stripe is the source of truth for Stripe subscriptions: its webhooks overwrite these.
    readonly_fields = ("provider_state_at", "provider_state_rank", "created_at", "updated_at")


@admin.register(ProcessedWebhookEvent)
class ProcessedWebhookEventAdmin(admin.ModelAdmin):
    list_display = ("event_id", "event_type", "provider", "received_at")
    list_filter = ("provider", "event_type")
    search_fields = ("event_id",)
    readonly_fields = ("provider", "event_id", "event_type", "received_at")
