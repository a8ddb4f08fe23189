#!/usr/bin/env python3
"""Reads a stress-ci junit.xml with a third-party JUnit reader (junitparser, `pip install junitparser`)
and prints what it sees: per suite and in total, testcases and failures, and each failure's message.

    python3 Tests/Fixtures/junit/read_junit.py Tests/Fixtures/junit/golden.xml

A hand check that other tools read the file as stress-ci means it; the Swift tests do not need Python.
"""
import sys

from junitparser import Failure, JUnitXml, TestSuite


def main(path: str) -> int:
    xml = JUnitXml.fromfile(path)
    suites = [xml] if isinstance(xml, TestSuite) else list(xml)
    total_cases = total_failures = 0
    for suite in suites:
        cases = list(suite)
        failures = [(case, result) for case in cases for result in case.result if isinstance(result, Failure)]
        total_cases += len(cases)
        total_failures += len(failures)
        props = {p.name: p.value for p in suite.properties()}
        print(f"testsuite {suite.name}: testcases={len(cases)} failures={len(failures)} "
              f"(declared tests={suite.tests} failures={suite.failures}) partial={props.get('partial')}")
        for case, failure in failures:
            print(f"  FAIL {case.classname} :: {case.name}: {failure.message}")
    print(f"total: testcases={total_cases} failures={total_failures}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "junit.xml"))
