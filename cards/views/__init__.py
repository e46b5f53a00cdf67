"""View types: what each card shows, as plain frozen values, one module per feature
(common.py for the shared ones, London's time zone among them). The domain builds them
(forum_ops imports cards.views and nothing else of cards); cards read them and never the domain.
"""
