"""The round robin of peer support: asks, replies, routing, topics and files."""
