"""The round robin in Teams: `ask`, `asks`, reply and pass buttons, files sent as replies."""
