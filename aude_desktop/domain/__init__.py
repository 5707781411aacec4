"""The domain: the command registry, field checks, transition registry and scope — rules that client and
server share, importing nothing above them."""
