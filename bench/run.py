"""`make bench`: every benchmark in bench/ (PINGLI_BENCH_POSTGRES_URL names the server)."""

import sys

from bench import queues

if __name__ == "__main__":
    sys.exit(queues.main([]))
