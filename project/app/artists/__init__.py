"""Artists: who made the songs and albums."""
