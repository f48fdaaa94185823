"""What the test suites share: the copy function's world in moto, real region names, a ResponseURL.

What tests share with the benchmarks (handler loading, moto, doubles) is in testkit/.
"""
