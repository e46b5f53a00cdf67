"""The Teams transport: aiohttp app, botbuilder CloudAdapter, Teams activity handler, CLI.

Only this package knows Teams and botbuilder; it turns activities into plain calls on forum_ops
and analytics, and their results into cards. `create_app(settings)` in bot/app.py wires it all.
"""
