"""The domain: rules of both procedures that client and server share, importing nothing above them."""
