"""The forum's meetings: forward plan, schedule, agenda, chair, takeaway and the cycle job."""
