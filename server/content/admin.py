from django.contrib import admin

from content.models import Article


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "required_tier", "published_at")
    list_filter = ("required_tier",)
    search_fields = ("slug", "title")
    prepopulated_fields = {"slug": ("title",)}
    date_hierarchy = "published_at"
