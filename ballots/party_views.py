"""Placeholder: filled in by issue 11 work in progress."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
