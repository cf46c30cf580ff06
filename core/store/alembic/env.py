"""Alembic's entry point: run the caseload migrations on the connection `migrations` passes in."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
