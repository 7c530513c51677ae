"""Helpers every app uses and that belong to none of them. No models; imports no app."""
