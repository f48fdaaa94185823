"""Part sizes of a streamed copy: within S3's limits, and the last part about half the others."""

from __future__ import annotations

import pytest

MIB = 1024 * 1024
GIB = 1024 * MIB
MIN_PART = 5 * MIB  # S3's smallest part, but for the last
MAX_PART = 5 * GIB
MAX_PARTS = 10_000
MAX_OBJECT = 5 * 1024 * GIB
SIZES = [2 * MIB, 5 * MIB, 6 * MIB, 16 * MIB, 256 * MIB, GIB, 5 * GIB, 60 * GIB, MAX_OBJECT]


def parts(size: int, part: int) -> list[int]:
    """The part sizes s3transfer sends for `size` bytes in parts of `part`."""
    count = -(-size // part)
    return [part] * (count - 1) + [size - part * (count - 1)]


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size / MIB:g}MiB")
def test_parts_stay_within_s3_limits(copy_files, size):
    # WHEN the copy sizes the parts of an artifact
    sent = parts(size, copy_files.part_size(size))
    # THEN at most 10,000 parts, all but the last of 5 MiB to 5 GiB, adding up to the artifact
    assert len(sent) <= MAX_PARTS
    assert all(MIN_PART <= part <= MAX_PART for part in sent[:-1])
    assert 0 < sent[-1] <= MAX_PART and sum(sent) == size


@pytest.mark.parametrize("mib", [16, 256, 1024, 5120])
def test_the_last_part_is_about_half_the_others(copy_files, mib):
    # WHEN the copy sizes the parts of a mid-size or large artifact
    sent = parts(mib * MIB, copy_files.part_size(mib * MIB))
    # THEN the parts are as small as S3 allows (under 6.5 MiB), the last one about half the
    # others: the copy ends that much after the download, the upload of both ending together
    assert len(sent) >= 3 and max(sent) < 6.5 * MIB
    assert 0.45 < sent[-1] / sent[0] < 0.55


def test_small_artifacts_go_in_one_part(copy_files):
    # WHEN the artifact is no larger than S3's smallest part
    # THEN it is one part (s3transfer then sends one PutObject)
    for size in (3 * MIB, 5 * MIB):
        assert parts(size, copy_files.part_size(size)) == [size]
