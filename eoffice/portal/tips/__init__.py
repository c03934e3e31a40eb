"""Confidential two-way tips (API.md "Tips"): a citizen tells the police what they saw, with or
without their name, and reads the police's replies with a 16-digit receipt."""
