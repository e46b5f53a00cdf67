"""Analytics over the forum's shared data (GIAS supplier directory, INMSS returns, SEN2 statistics).

Pure functions over pandas DataFrames with I/O at the edge; never imports the Teams transport.
"""
