"""INMSS costs in Teams: `benchmark`, `top10`, `returns`, a return file sent in chat and its period
dialog, the return template."""
