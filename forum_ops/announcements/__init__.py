"""Announcements from the secretariat to the channel and every member."""
