"""Search across songs, artists and albums: a small query language, ranked results, typos."""
