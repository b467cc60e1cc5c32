from __future__ import annotations

from pathlib import Path

import pytest

from conftest import write_public_key
from hullcheck.config import ConfigError, TrustPolicy, discover, load_file
from hullcheck.findings import Severity
from hullcheck.references import InvalidReference, matches_any, parse_reference


@pytest.mark.parametrize(
    ("text", "name", "tag", "digest"),
    [
        ("nginx", "docker.io/library/nginx", None, None),
        ("nginx:1.25", "docker.io/library/nginx", "1.25", None),
        ("library/nginx", "docker.io/library/nginx", None, None),
        ("index.docker.io/library/nginx:1", "docker.io/library/nginx", "1", None),
        ("acme/app", "docker.io/acme/app", None, None),
        ("ghcr.io/acme/app:v1", "ghcr.io/acme/app", "v1", None),
        ("localhost:5000/app", "localhost:5000/app", None, None),
        ("localhost/app", "localhost/app", None, None),
        ("registry.internal:5000/team/app:1.0@sha256:" + "a" * 64,
         "registry.internal:5000/team/app", "1.0", "sha256:" + "a" * 64),
        ("nginx@sha256:" + "b" * 64, "docker.io/library/nginx", None, "sha256:" + "b" * 64),
    ],
)
def test_parse_reference(text: str, name: str, tag: str | None, digest: str | None) -> None:
    ref = parse_reference(text)
    assert (ref.name, ref.tag, ref.digest) == (name, tag, digest)


@pytest.mark.parametrize("text", ["", "UPPER/case", "a b", "nginx@sha256:zz", "nginx:"])
def test_invalid_references(text: str) -> None:
    with pytest.raises(InvalidReference):
        parse_reference(text)


def test_trust_globs() -> None:
    policy = TrustPolicy(allowed=["nginx", "ghcr.io/acme/**", "localhost:5000", "acme/*"])
    assert policy.is_allowed(parse_reference("nginx:1.25"))
    assert policy.is_allowed(parse_reference("docker.io/library/nginx"))
    assert not policy.is_allowed(parse_reference("nginxinc/nginx-unprivileged"))
    assert policy.is_allowed(parse_reference("ghcr.io/acme/team/app:1"))
    assert not policy.is_allowed(parse_reference("ghcr.io/evil/app"))
    assert policy.is_allowed(parse_reference("localhost:5000/anything/here"))
    assert policy.is_allowed(parse_reference("acme/web"))
    assert not policy.is_allowed(parse_reference("acme/web/sub"))
    assert TrustPolicy().is_allowed(parse_reference("whatever/x"))
    assert not matches_any(parse_reference("docker.io/library/nginx"), ["ghcr.io"])
    # ``**`` spans every registry; ``**/name`` any registry's ``name``.
    assert matches_any(parse_reference("ghcr.io/acme/app"), ["**"])
    assert matches_any(parse_reference("nginx"), ["**"])
    assert matches_any(parse_reference("localhost:5000/x/app:1"), ["**/app"])
    assert not matches_any(parse_reference("localhost:5000/x/other"), ["**/app"])


def test_a_key_without_images_applies_to_every_image(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".hullcheck.yaml").write_text("trust:\n  keys: [{key: k.pub}]\n")
    write_public_key(tmp_path / "k.pub")
    cfg = discover(tmp_path)
    for ref in ("ghcr.io/acme/app", "nginx", "registry.internal:5000/team/app"):
        assert cfg.trust.keys_for(parse_reference(ref)) == [tmp_path / "k.pub"], ref


def test_config_yaml_and_pyproject(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".hullcheck.yaml").write_text(
        "fail-on: medium\nignore: [DF002]\nseverity-overrides: {DF001: low}\n"
        "per-path-ignores: {'legacy/**': [DF]}\n"
        "trust:\n  allowed: [ghcr.io]\n  require-digest: true\n"
        "  keys: [{images: 'ghcr.io/**', key: k.pub}]\n"
    )
    write_public_key(tmp_path / "k.pub")
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    cfg = discover(sub)
    assert cfg.fail_on is Severity.MEDIUM
    assert cfg.ignore == ["DF002"]
    assert cfg.severity_overrides == {"DF001": Severity.LOW}
    assert cfg.trust.require_digest
    assert cfg.trust.keys_for(parse_reference("ghcr.io/x/y")) == [tmp_path / "k.pub"]
    assert cfg.path_ignores("legacy/x/Dockerfile") == ["DF"]
    assert cfg.path_ignores("src/Dockerfile") == []

    proj = tmp_path / "p"
    proj.mkdir()
    (proj / ".git").mkdir()
    (proj / "pyproject.toml").write_text('[tool.hullcheck]\nfail-on = "never"\nselect = ["DF"]\n')
    cfg = discover(proj)
    assert cfg.fail_on is None and cfg.select == ["DF"]


@pytest.mark.parametrize(
    "text",
    ["fail-on: bogus\n", "unknown-key: 1\n", "trust: [a]\n", "- a\n", "ignore: {a: 1}\n",
     "trust:\n  keys: [{images: x}]\n", "a: [\n"],
)
def test_bad_config_is_one_line_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / ".hullcheck.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_file(path)
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_per_path_ignores_match_relative_to_the_config(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".hullcheck.yaml").write_text("per-path-ignores: {'legacy/**': [DF010]}\n")
    cfg = discover(tmp_path)
    inside = tmp_path / "legacy" / "a" / "Dockerfile"
    assert cfg.path_ignores("legacy/a/Dockerfile") == ["DF010"]  # as reported from the root
    assert cfg.path_ignores(str(inside)) == ["DF010"]  # scanned by absolute path
    monkeypatch.chdir(tmp_path / ".git")  # from elsewhere inside the repository
    assert cfg.path_ignores("../legacy/a/Dockerfile") == ["DF010"]
    assert cfg.path_ignores(str(tmp_path / "src" / "Dockerfile")) == []
    assert cfg.path_ignores("/etc/shadow") == []  # outside the config's tree
