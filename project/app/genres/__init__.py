"""Genres: labels songs are filed under."""
