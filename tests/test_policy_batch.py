"""``Policy.classify_many`` (the batch behind ``explain --stdin``) answers exactly like
``Policy.classify`` path by path, on random repositories: nested policies, locked floors,
ignore files, header markers, symlinks, directories, missing paths and unnormalised spellings.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ringfence.policy import Policy

NAMES = ["a", "b", "src", "x.py", "y.txt", "README.md"]
PATTERNS = ["a/**", "*.py", "src/", "b/*.txt", "**/x.py", "/y.txt", "a/b/**", "*.md"]
LEVELS = ["open", "tagged", "internal", "human-only"]
ZONES = st.lists(
    st.tuples(st.sampled_from(PATTERNS), st.sampled_from(LEVELS), st.booleans()), max_size=4
)


def _zones(zones) -> str:
    return "".join(
        f'\n[[zone]]\nname = "z{i}"\npath = "{p}"\nlevel = "{lv}"\nlocked = {str(lk).lower()}\n'
        for i, (p, lv, lk) in enumerate(zones)
    )


@st.composite
def repositories(draw):
    files = draw(
        st.lists(
            st.lists(st.sampled_from(NAMES), min_size=1, max_size=3).map("/".join),
            min_size=1,
            max_size=10,
        )
    )
    return {
        "files": files,
        "root": draw(ZONES),
        "default": draw(st.sampled_from(LEVELS)),
        "nested": draw(
            st.one_of(st.none(), st.tuples(st.sampled_from(["a", "src", "a/b"]), ZONES))
        ),
        "ignore": draw(
            st.one_of(st.none(), st.sampled_from(["*.txt\n", "a/\n!a/x.py\n", "src\n"]))
        ),
        "marked": draw(st.lists(st.sampled_from(files), max_size=2)),
        "links": draw(
            st.lists(
                st.tuples(st.sampled_from(["l1", "a/l2", "src/l3.py"]), st.sampled_from(files)),
                max_size=2,
            )
        ),
    }


def build(spec) -> Path:
    root = Path(tempfile.mkdtemp(prefix="rf-batch-"))
    made: set[str] = set()
    for rel in sorted(set(spec["files"]), key=len):
        parts = rel.split("/")
        if any("/".join(parts[:i]) in made for i in range(1, len(parts))) or any(
            m.startswith(rel + "/") for m in made
        ):
            continue
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        text = "# ringfence: human-only\n" if rel in spec["marked"] else "x = 1\n"
        path.write_text(text)
        made.add(rel)
    (root / ".ringfence.toml").write_text(
        f'version = 1\ndefault = "{spec["default"]}"\n' + _zones(spec["root"])
    )
    if spec["nested"] is not None:
        directory, zones = spec["nested"]
        try:
            (root / directory).mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            pass  # a file has that name
        else:
            (root / directory / ".ringfence.toml").write_text("version = 1\n" + _zones(zones))
    if spec["ignore"] is not None:
        (root / ".cursorignore").write_text(spec["ignore"])
    for link, target in spec["links"]:
        path = root / link
        if path.parent.is_dir() and not path.exists() and not path.is_symlink():
            os.symlink(root / target, path)
    return root


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(repositories(), st.lists(st.sampled_from(["", "./", "a/../", "/"]), min_size=1, max_size=3))
def test_batch_and_single_classification_agree(spec, spellings):
    root = build(spec)
    queries = []
    for rel in [
        *spec["files"],
        "a",
        "src",
        "missing/x.py",
        "a/new.txt",
        "l1",
        "a/l2",
        "src/l3.py",
        "b//y.txt",
    ]:
        for spelling in spellings:
            queries.append(str(root) + "/" + rel if spelling == "/" else spelling + rel)
    many = Policy(root).classify_many(queries, cwd=str(root))
    fresh = Policy(root)
    for query, batched in zip(queries, many, strict=True):
        single = fresh.classify(query, cwd=str(root))
        assert batched.to_json() == single.to_json(), query
        assert (batched.relpath, batched.notes, batched.error) == (
            single.relpath,
            single.notes,
            single.error,
        ), query
