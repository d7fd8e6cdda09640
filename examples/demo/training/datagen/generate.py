"""Generate synthetic training examples from handwritten templates."""

import json
import random


def load_templates(path):
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def render(template, rng):
    slots = {name: rng.choice(values) for name, values in template["slots"].items()}
    return template["text"].format(**slots)


def generate(path, count, seed=0):
    rng = random.Random(seed)
    templates = load_templates(path)
    return [render(rng.choice(templates), rng) for _ in range(count)]
