"""Run the held-out eval cases against a model endpoint."""

import json


def load_cases(path):
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def score(predictions, cases):
    correct = sum(p.strip() == c["answer"] for p, c in zip(predictions, cases))
    return correct / max(len(cases), 1)
