"""Meetings in Teams: `meetings`, `schedule`, `chair`, `agenda`, `takeaway`, the cycle job."""
