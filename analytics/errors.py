"""Errors of the analytics.

AnalyticsError          anything the analytics refuse; the message is safe to show
└── UnexpectedLayout    a file is not in the layout its loader reads (names what is missing)
"""


class AnalyticsError(Exception):
    pass


class UnexpectedLayout(AnalyticsError):
    pass
