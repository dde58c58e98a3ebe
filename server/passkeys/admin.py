from django.contrib import admin

from passkeys.models import Passkey


@admin.register(Passkey)
class PasskeyAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "device_type", "backed_up", "created_at", "last_used_at")
    search_fields = ("user__email", "name", "aaguid")
    list_filter = ("device_type", "backed_up")
    raw_id_fields = ("user",)
    # Passkeys are made by the browser ceremony; staff may rename or delete one, never edit
    # the key material (that would hand the account to another authenticator).
    readonly_fields = (
        "credential_id",
        "public_key",
        "sign_count",
        "transports",
        "aaguid",
        "backed_up",
        "device_type",
        "created_at",
        "last_used_at",
        "sign_count_regressed_at",
    )
