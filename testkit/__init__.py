"""Test infrastructure that tests/ and benchmarks/ share: not shipped, imports neither of them.

- `handlers`: a handler module loaded from handlers/ or from the emitted template (inlined);
- `moto_server`: moto in server mode on 127.0.0.1, and a free port;
- `lambda_context`: the Lambda context object, its remaining time counting down;
- `http_server`: the base of every local HTTP endpoint that stands in for AWS or CloudFormation;
- `fleet`: a distributor stack on moto with consumers, tagged artifacts and receipts;
- `insights`: the Logs Insights `filter` and `stats` that moto lacks, patched into moto.
"""
