"""Albums: releases that group songs in track order."""
