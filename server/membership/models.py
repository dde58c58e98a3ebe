"""Plans. Subscriptions and payment providers come with the membership work."""

from django.db import models


class Interval(models.TextChoices):
    MONTH = "month", "Monthly"
    YEAR = "year", "Yearly"


class Plan(models.Model):
    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    price = models.PositiveIntegerField(help_text="In minor units (cents).")
    currency = models.CharField(max_length=3, default="usd")
    interval = models.CharField(max_length=8, choices=Interval.choices, default=Interval.MONTH)
    tier = models.PositiveSmallIntegerField(help_text="Higher tiers unlock more articles.")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ("tier", "price")

    def __str__(self) -> str:
        return self.name
