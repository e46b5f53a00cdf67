"""SEND Data: EHC plan figures from SEN2, for `senddata` and the agenda's standing item."""
