"""Benchmarks of the ledger at 10^4 to 10^6 events (issue 7). Run apart from the tests:

    make bench                                  # 10^4, 10^5 and 10^6
    python -m bench.run --quick                 # smoke run, 10^4 only
    python -m bench.run --sizes 10000,100000
    python -m bench.synth --size 10000 --check  # generate and fold, no timing
"""
