"""minerdash: bitcoin-miner equities against bitcoin, with the news that moved them."""

__version__ = "0.1.0"
