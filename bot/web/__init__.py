"""The dashboard tab: the page, its vendor assets (from npm) and the /api/admin/ JSON API."""
