"""Shared test support: handler loading (source and inlined) and local AWS endpoints."""
