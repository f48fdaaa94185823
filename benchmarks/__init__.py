"""Benchmarks of the consumer: `python -m benchmarks`, or `tox -e bench`.

Not part of the test suite: nothing here asserts a wall-clock time. Modules:
- `source`: the deterministic artifact bytes, shared by the endpoint and the runner;
- `endpoint`: one local process that serves the source objects AND acts as the S3 sink;
- `worker`: the handler's process (one per measurement), driven by the runner;
- `memory`: samples a worker's RSS from the runner's process;
- `measures`: the rows of the table; `report`: the table and RESULTS.md; `__main__`: the CLI.
"""
