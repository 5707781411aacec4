"""The schema revision this build ships, apart: the first screen (store/first_page.py) checks it
before SQLAlchemy is loaded."""

# The newest revision in migrations/versions; tests/store/test_schema_head.py checks it against
# Alembic's script directory, so a new migration without this bump fails the tests.
SCHEMA_HEAD = "0024"
