from django.contrib import admin

from social.models import SocialAccount


@admin.register(SocialAccount)
class SocialAccountAdmin(admin.ModelAdmin):
    list_display = ("user", "issuer", "subject", "email", "created_at", "last_login_at")
    search_fields = ("user__email", "email", "subject")
    list_filter = ("issuer",)
    raw_id_fields = ("user",)
    # Links are made by signing in; editing the identity by hand would hand an account
    # to someone else.
    readonly_fields = ("issuer", "subject", "email", "created_at", "last_login_at")
