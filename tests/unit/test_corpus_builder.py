"""The corpus builder's own specification: repeatable bytes, truthful ground truth, honest cache keys."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path
from typing import Any

import pytest

from tests.corpus import HOSTILE, IMAGES, build, ground_truth, truth
from tests.corpus.cache import Cache
from tests.corpus.debs import upstream_version
from tests.corpus.features import TELNET_SHELL
from tests.corpus.recipes import BY_NAME, SAMPLE


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# One small image per packing path with a determinism hazard: mkfs.jffs2, mkfs.ubifs and ubinize
# (random UUIDs, host change times), mke2fs (host change times), our cpio writer.
@pytest.mark.parametrize(
    "name", ["plug-armel-jffs2-le", "hostile-ubi-truncated", "camera-armel-ext2", "plug-mipsel-cpio-odc-gzip"]
)
def test_an_image_built_twice_in_two_caches_has_the_same_bytes(name: str, tmp_path: Path) -> None:
    debs = Cache.default().debs
    first = build.build(BY_NAME[name], Cache(tmp_path / "first", debs))
    second = build.build(BY_NAME[name], Cache(tmp_path / "second", debs))

    assert first.name == second.name
    assert _sha256(first) == _sha256(second)
    assert (tmp_path / "first" / f"{name}.truth.json").read_text() == (
        tmp_path / "second" / f"{name}.truth.json"
    ).read_text()


@pytest.mark.parametrize("name", IMAGES + HOSTILE)
def test_ground_truth_describes_the_staged_trees_and_their_plants_exactly(name: str, tmp_path: Path) -> None:
    facts = ground_truth(name)
    staged = build.stage_trees(BY_NAME[name], Cache.default(), tmp_path)

    described = {entry["name"]: entry for entry in facts["rootfs"]}
    assert set(described) == set(staged)
    for tree_name, tree in staged.items():
        fresh = truth.describe_tree(tree_name, tree.root, modes_preserved=described[tree_name]["modes_preserved"])
        assert fresh == described[tree_name]
        for path, record in described[tree_name]["files"].items():
            assert _sha256(tree.root / path) == record["sha256"]
    assert facts["plants"] == [p for tree in staged.values() for p in tree.plants]
    assert facts["traps"] == [t for tree in staged.values() for t in tree.traps]
    assert facts["components"] == [c for tree in staged.values() for c in tree.components]
    for record in facts["plants"] + facts["traps"]:
        target = staged[record["rootfs"]].root / record["path"]
        assert target.exists() or target.is_symlink(), record
        if "line" in record:
            assert 1 <= record["line"] <= len(target.read_text(errors="replace").splitlines()), record


def test_the_cache_key_changes_when_the_recipe_changes() -> None:
    recipe = BY_NAME["plug-armel-jffs2-le"]
    edited = dataclasses.replace(recipe, plants=(*recipe.plants, TELNET_SHELL))

    assert build.recipe_key(recipe) == build.recipe_key(BY_NAME["plug-armel-jffs2-le"])
    assert build.recipe_key(edited) != build.recipe_key(recipe)
    assert build.recipe_key(dataclasses.replace(recipe, description="other words")) != build.recipe_key(recipe)


def test_a_changed_recipe_is_stale_in_a_cache_built_for_the_old_one(tmp_path: Path) -> None:
    cache = Cache(tmp_path, Cache.default().debs)
    recipe = BY_NAME["hostile-nested-30"]
    build.build(recipe, cache)

    assert build.is_fresh(recipe, cache)
    assert not build.is_fresh(dataclasses.replace(recipe, description="changed"), cache)


def test_the_white_label_images_share_one_rsa_key_and_no_other_private_key() -> None:
    def private_keys(name: str) -> dict[str, str]:
        return {p["key_id"]: p["public_sha256"] for p in ground_truth(name)["plants"] if p["kind"] == "private-key"}

    sample, white_label = private_keys(SAMPLE), private_keys("camera-armel-squashfs-gzip")
    assert sample["vendor-rsa-2048"] == white_label["vendor-rsa-2048"]
    assert set(sample.values()) & set(white_label.values()) == {sample["vendor-rsa-2048"]}


def test_hardened_images_plant_nothing() -> None:
    clean = [name for name in IMAGES if ground_truth(name)["clean"]]

    assert len(clean) >= 2
    for name in clean:
        facts = ground_truth(name)
        assert facts["plants"] == []
        assert {"locked-account", "strong-password", "signed-update"} <= {t["kind"] for t in facts["traps"]}


def test_the_corpus_plants_every_kind_the_checks_are_specified_against() -> None:
    kinds: set[str] = set()
    for name in IMAGES:
        kinds |= {record["kind"] for record in ground_truth(name)["plants"] + ground_truth(name)["traps"]}

    assert kinds >= {
        "weak-password",
        "empty-password",
        "uid0-account",
        "des-crypt-hash",
        "telnet-enabled",
        "serial-root-shell",
        "private-key",
        "certificate",
        "cloud-credential",
        "hardcoded-password",
        "mqtt-anonymous",
        "insecure-update",
        "tls-verification-disabled",
        "snmp-default-community",
        "telnet-commented",
        "disabled-service",
        "ssh-password-login-disabled",
        "empty-host-key",
        "pem-marker-in-binary",
        "documentation-key",
        "locked-account",
        "setuid-escalation",
        "writable-search-path",
        "web-server-root",
        "setuid-drops-privileges",
        "origin-search-path",
        "signed-update",
        "https-only-web",
        "factory-reset",
    }


def test_hostile_images_name_unique_forbidden_paths_under_tmp() -> None:
    forbidden: list[str] = []
    for name in HOSTILE:
        hostile: dict[str, Any] = ground_truth(name)["hostile"]
        assert hostile["expect"]
        forbidden += hostile["forbidden"]
    assert all(path.startswith("/tmp/iotbaseline-pwned-") for path in forbidden)
    assert len(forbidden) == len(set(forbidden))


def test_the_sample_is_small_enough_to_commit() -> None:
    facts = ground_truth(SAMPLE)
    assert facts["image"]["size"] < 4 << 20
    assert facts["layers"] == ["trx", "uimage", "squashfs-v4-xz"]


@pytest.mark.parametrize(
    ("debian", "upstream"),
    [
        ("2.90-4~deb12u2", "2.90"),
        ("1:1.35.0-4+deb12u1+b1", "1.35.0"),
        ("1:1.2.13.dfsg-1", "1.2.13"),
        ("5.9.3+dfsg-2+deb12u1", "5.9.3"),
        ("2022.83-1+deb12u3", "2022.83"),
    ],
)
def test_debian_versions_reduce_to_upstream_versions(debian: str, upstream: str) -> None:
    assert upstream_version(debian) == upstream
