"""The quarterly report to the ALDCS SEND Steering Group."""
