"""INMSS fee benchmarks: London's figures from releases, a borough's own live."""
