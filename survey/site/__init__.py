"""Public pages (landing, language, health check) and the officers' workspace home."""
