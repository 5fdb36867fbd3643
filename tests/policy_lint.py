"""Lints IAM policy documents with parliament, for tests/policy_lint.rs.

Reads a JSON array of {"name": ..., "document": ...} on stdin (document: the policy as a JSON
string, as AWS stores it) and writes a JSON array of findings, one object per finding, with the
document's name, parliament's issue code, its severity and group (from parliament's config.yaml),
the detail and the text the finding points at.
"""

import json
import sys

import parliament
from parliament import analyze_policy_string


def findings_of(name, document):
    policy = analyze_policy_string(document)
    for finding in policy.findings:
        described = parliament.config.get(finding.issue, {})
        location = finding.location or {}
        yield {
            "name": name,
            "issue": finding.issue,
            "severity": described.get("severity", ""),
            "group": described.get("group", ""),
            "detail": str(finding.detail),
            "at": str(location.get("string", "")),
        }


def main():
    documents = json.load(sys.stdin)
    findings = [
        finding
        for document in documents
        for finding in findings_of(document["name"], document["document"])
    ]
    json.dump(findings, sys.stdout)


if __name__ == "__main__":
    main()
