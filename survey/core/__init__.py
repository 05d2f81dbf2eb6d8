"""Infrastructure every other package stands on: extensions, the database engine, settings,
error pages, languages, security headers, input guard, load shedding, local time, bulk inserts,
bounded caches, rate limits, safe text, owner-only files, the officers' form base, backups.
Nothing here imports a model or a domain package."""
