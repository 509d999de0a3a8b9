"""Marketplace AI engine: candidate/job scoring service."""
