"""Database backends of Torg."""
