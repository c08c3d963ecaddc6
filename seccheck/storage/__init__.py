"""Storage: workspaces, the database (SQLite by default, PostgreSQL when shared), sealed audits."""
