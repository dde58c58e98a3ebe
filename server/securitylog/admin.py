from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from securitylog.models import SecurityEvent


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    """Read only: the log is written by the server alone, and an edited log proves nothing."""

    list_display = ("occurred_at", "user", "kind", "method", "device", "ip_address")
    list_filter = ("kind", "method")
    search_fields = ("user__email",)
    ordering = ("-occurred_at",)
    list_select_related = ("user",)
    show_full_result_count = False  # no COUNT(*) over the whole table per page

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
