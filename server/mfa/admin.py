from django.contrib import admin
from django.http import HttpRequest

from mfa.models import TotpDevice


@admin.register(TotpDevice)
class TotpDeviceAdmin(admin.ModelAdmin):
    """Staff see who has an authenticator app and may delete one (a user who lost both the
    phone and the recovery codes, once their identity is checked out of band). The secret
    is never shown and nothing can be added or edited here."""

    list_display = ("user", "created_at", "confirmed_at")
    search_fields = ("user__email",)
    raw_id_fields = ("user",)
    fields = ("user", "created_at", "confirmed_at", "last_used_step")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
