"""Proactive messages: where the bot may post, the durable outbox and Teams' rate limits."""
