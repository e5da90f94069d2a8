"""Adapters: one per chat platform, all behind `bot.kernel.adapter.Adapter`; bot/ops/platforms.py picks one."""
