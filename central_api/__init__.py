"""Reference central API of AUDE Desktop: authoritative server, scoped change feed, exactly-once."""
