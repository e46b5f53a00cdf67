"""The specialist supplier directory (GIAS) and the specialist school search."""
