"""`make bench`: a CDM-scale workload on the embedded default and on PostgreSQL (docs/benchmarks.md)."""
