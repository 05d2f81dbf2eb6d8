"""The commune survey web application: models, views, commands and glue to analytics."""
