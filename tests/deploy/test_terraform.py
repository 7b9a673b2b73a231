"""Offline checks of terraform/ (the AWS scale-out stack), as CI runs them.

No provider can be downloaded here, so `terraform validate` cannot run. Instead:
- `terraform fmt -check` (the binary; skipped, saying why, on machines without it);
- checkov in its own locked tool environment (terraform/checks), with no failed check and a
  reason on every inline skip;
- structure read with checkov's HCL parser: dev/prod tfvars set only declared variables and every
  required one, every module exists and is called with its own variables, every `module.X.Y`
  names a real output;
- with the terraform binary, on provider-free copies: the tfvars pass the real variable
  validations, and the Helm values templates render to YAML carrying the repository's Trino
  catalogs, rules and groups.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
TERRAFORM_DIR = ROOT / "terraform"
CHECKS_DIR = TERRAFORM_DIR / "checks"
TRINO_DIR = ROOT / "trino"
ENVIRONMENTS = ("dev", "prod")

# Arguments of a module block that are not the module's variables.
MODULE_META_ARGUMENTS = {"source", "version", "providers", "depends_on", "count", "for_each"}
SKIP_COMMENT = re.compile(r"#\s*checkov:skip=(?P<rest>\S.*)$")
SKIP_WITH_REASON = re.compile(r"^(?P<id>CKV2?_[A-Z0-9]+_\d+):(?P<reason>.*\S.*)$")
MIN_REASON_CHARS = 20


# --- pure helpers -------------------------------------------------------------------------------


def skip_problems(text: str, source: str = "<text>") -> list[str]:
    """Inline checkov skips without a check id or without a reason of a few words."""
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        found = SKIP_COMMENT.search(line)
        if not found:
            continue
        rest = found.group("rest").strip()
        match = SKIP_WITH_REASON.match(rest)
        if not match:
            problems.append(f"{source}:{number}: skip needs CKV_..._N:<reason>, got {rest!r}")
        elif len(match.group("reason").strip()) < MIN_REASON_CHARS:
            problems.append(f"{source}:{number}: reason for {match.group('id')} is too short to explain it")
    return problems


def attribute(raw: Any) -> Any:
    """An attribute's value: the HCL2 parser wraps each one in a one-element list."""
    return raw[0] if isinstance(raw, list) and len(raw) == 1 else raw


def blocks(document: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    """Named blocks of one kind (variable, output, module) of a parsed file, name -> body."""
    found: dict[str, dict[str, Any]] = {}
    for entry in document.get(kind, []):
        found.update(entry)
    return found


def module_blocks(documents: dict[str, Any], folder: str, kind: str) -> dict[str, dict[str, Any]]:
    """Blocks of one kind over every .tf file directly in a module folder ("" = root)."""
    found: dict[str, dict[str, Any]] = {}
    for path, document in documents.items():
        if path.endswith(".tf") and str(Path(path).parent) == (folder or "."):
            found.update(blocks(document, kind))
    return found


def required_variables(variables: dict[str, dict[str, Any]]) -> set[str]:
    """Variables without a default: a caller must set them."""
    return {name for name, body in variables.items() if "default" not in body}


def module_call_problems(documents: dict[str, Any]) -> list[str]:
    """Module calls whose source is missing or whose arguments/outputs do not match the module."""
    folders = {str(Path(p).parent) for p in documents if p.endswith(".tf")}
    problems = []
    for folder in sorted(folders):
        calls = module_blocks(documents, "" if folder == "." else folder, "module")
        for name, call in calls.items():
            source = attribute(call["source"])
            target = os.path.normpath(os.path.join(folder, source))
            if not source.startswith(("./", "../")):
                problems.append(f"{folder}: module {name} uses a non-local source {source!r}")
                continue
            if target not in folders:
                problems.append(f"{folder}: module {name} points at {source}, which has no .tf files")
                continue
            variables = module_blocks(documents, target, "variable")
            arguments = {k for k in call if not k.startswith("__")} - MODULE_META_ARGUMENTS
            for unknown in sorted(arguments - variables.keys()):
                problems.append(f"{folder}: module {name} sets {unknown}, not a variable of {target}")
            for missing in sorted(required_variables(variables) - arguments):
                problems.append(f"{folder}: module {name} does not set required variable {missing}")
        problems.extend(output_reference_problems(documents, folder, calls))
    return problems


def output_reference_problems(documents: dict[str, Any], folder: str, calls: dict[str, Any]) -> list[str]:
    """`module.X.Y` references in a folder whose module X or output Y does not exist."""
    problems = []
    text = json.dumps({p: d for p, d in documents.items() if str(Path(p).parent) == folder})
    for module_name, output in sorted(set(re.findall(r"module\.([a-z0-9_]+)\.([a-z0-9_]+)", text))):
        if module_name not in calls:
            problems.append(f"{folder}: module.{module_name} is referenced but not declared")
            continue
        source = attribute(calls[module_name]["source"])
        target = os.path.normpath(os.path.join(folder, source))
        if output not in module_blocks(documents, target, "output"):
            problems.append(f"{folder}: module.{module_name}.{output} is not an output of {target}")
    return problems


def reference_problems(documents: dict[str, Any]) -> list[str]:
    """References to undeclared var.X, local.X, data sources or resources within each module folder
    (what `terraform validate` would report first, and it cannot run without providers)."""
    problems = []
    for folder in sorted({str(Path(p).parent) for p in documents if p.endswith(".tf")}):
        files = {p: d for p, d in documents.items() if p.endswith(".tf") and str(Path(p).parent) == folder}
        text = json.dumps(files)
        variables = module_blocks(documents, "" if folder == "." else folder, "variable")
        local_names = {k for d in files.values() for entry in d.get("locals", []) for k in entry}
        declared_data = {
            (kind, name)
            for d in files.values()
            for e in d.get("data", [])
            for kind, v in e.items()
            for name in v
        }
        declared = {
            (kind, name)
            for d in files.values()
            for e in d.get("resource", [])
            for kind, v in e.items()
            for name in v
        }
        for name in sorted(set(re.findall(r"\bvar\.([a-z0-9_]+)", text)) - variables.keys()):
            problems.append(f"{folder}: var.{name} is not declared")
        for name in sorted(set(re.findall(r"\blocal\.([a-z0-9_]+)", text)) - local_names):
            problems.append(f"{folder}: local.{name} is not declared")
        for ref in sorted(
            set(re.findall(r"\bdata\.((?:aws|helm)_[a-z0-9_]+)\.([a-z0-9_]+)", text)) - declared_data
        ):
            problems.append(f"{folder}: data.{ref[0]}.{ref[1]} is not declared")
        for ref in sorted(
            set(re.findall(r"(?<!data\.)\b((?:aws|helm)_[a-z0-9_]+)\.([a-z0-9_]+)", text)) - declared
        ):
            problems.append(f"{folder}: {ref[0]}.{ref[1]} is not declared")
    return problems


def tfvars_problems(tfvars: dict[str, Any], variables: dict[str, dict[str, Any]], name: str) -> list[str]:
    """Undeclared variables set, and required variables left unset, by one tfvars file."""
    set_names = {k for k in tfvars if not k.startswith("__")}
    problems = [f"{name} sets undeclared variable {v}" for v in sorted(set_names - variables.keys())]
    problems += [
        f"{name} leaves required variable {v} unset"
        for v in sorted(required_variables(variables) - set_names)
    ]
    return problems


def properties(text: str) -> dict[str, str]:
    """A Java .properties text (Trino catalog) as a dict; comments and blank lines dropped."""
    pairs = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs


# --- tools --------------------------------------------------------------------------------------


def terraform_binary() -> str:
    """The terraform binary, or a skip that says why it cannot be installed here."""
    binary = shutil.which("terraform")
    if binary is None:
        pytest.skip(
            "terraform is not on PATH: it is not on PyPI or in Debian, so it cannot be installed offline; "
            "install it from HashiCorp to run the fmt and template checks"
        )
    return binary


def run(
    command: list[str], cwd: Path, timeout: float = 300, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a tool without a terminal and with no Bridgecrew/Prisma key (nothing leaves the machine)."""
    environment = {k: v for k, v in os.environ.items() if k not in {"BC_API_KEY", "PRISMA_API_URL"}}
    environment.update({"TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1", **(env or {})})
    return subprocess.run(
        command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def checks_python() -> Path:
    """The checks tool environment (checkov), installed from terraform/checks/uv.lock once."""
    uv = ROOT / ".tools" / "bin" / "uv"
    uv_command = str(uv) if uv.exists() else shutil.which("uv")
    if uv_command is None:
        pytest.fail("uv is needed to install checkov from terraform/checks/uv.lock: run `make setup` first")
    result = run(
        [uv_command, "sync", "--frozen", "--project", str(CHECKS_DIR), "--python", sys.executable],
        cwd=ROOT,
        timeout=600,
        env={"UV_PROJECT_ENVIRONMENT": str(CHECKS_DIR / ".venv")},
    )
    assert result.returncode == 0, f"uv sync of terraform/checks failed:\n{result.stderr[-3000:]}"
    python = CHECKS_DIR / ".venv" / "bin" / "python"
    assert python.exists(), "uv sync did not create terraform/checks/.venv"
    return python


@pytest.fixture(scope="module")
def documents(checks_python: Path) -> dict[str, Any]:
    """Every .tf/.tfvars file under terraform/, parsed by checkov's HCL2 parser."""
    result = run([str(checks_python), str(CHECKS_DIR / "hcl_dump.py"), str(TERRAFORM_DIR)], cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


# --- tests --------------------------------------------------------------------------------------


def test_terraform_files_are_formatted() -> None:
    result = run([terraform_binary(), "fmt", "-check", "-recursive", "-diff", str(TERRAFORM_DIR)], cwd=ROOT)
    assert result.returncode == 0, (
        f"run `terraform fmt -recursive terraform`:\n{result.stdout}{result.stderr}"
    )


def test_checkov_finds_no_failed_check(checks_python: Path) -> None:
    """The production configuration (prod.tfvars; the defaults are the production choices too).
    dev.tfvars relaxes multi-AZ, deletion protection and bucket force-destroy on purpose."""
    checkov = checks_python.parent / "checkov"
    result = run(
        [
            str(checkov),
            "--directory", str(TERRAFORM_DIR),
            "--framework", "terraform",
            "--var-file", str(TERRAFORM_DIR / "environments" / "prod.tfvars"),
            "--download-external-modules", "false",
            "--skip-download",
            "--output", "json",
        ],
        cwd=ROOT,
        timeout=600,
    )  # fmt: skip
    assert result.stdout.strip(), f"checkov printed nothing:\n{result.stderr[-3000:]}"
    reports = json.loads(result.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    summary = reports[0]["summary"]
    assert summary["parsing_errors"] == 0, summary
    assert summary["resource_count"] >= 80, (
        f"checkov saw too few resources, is it reading terraform/? {summary}"
    )
    failed = [check for report in reports for check in report["results"]["failed_checks"]]
    lines = [
        f"{c['check_id']} {c['resource']} {c['file_path']}:{c['file_line_range'][0]} {c['check_name']}"
        for c in failed
    ]
    assert not failed, "checkov failed checks (fix them, or skip inline with a reason):\n" + "\n".join(lines)
    assert result.returncode == 0, result.stderr[-3000:]


def test_every_checkov_skip_gives_a_reason() -> None:
    files = [p for p in TERRAFORM_DIR.rglob("*.tf") if ".terraform" not in p.parts]
    skips = [line for p in files for line in p.read_text().splitlines() if SKIP_COMMENT.search(line)]
    problems = [problem for p in files for problem in skip_problems(p.read_text(), str(p.relative_to(ROOT)))]
    assert skips, "expected the documented inline skips (e.g. the access-log bucket's SSE-S3)"
    assert not problems, "\n".join(problems)


def test_skip_checker_rejects_skips_without_reasons() -> None:
    text = (
        "#checkov:skip=CKV_AWS_18\n"
        "  #checkov:skip=CKV_AWS_144:\n"
        "  #checkov:skip=CKV_AWS_145:too short\n"
        "  #checkov:skip=CKV2_AWS_5:Attached through a resource type the graph check does not follow.\n"
    )
    problems = skip_problems(text)
    assert len(problems) == 3, problems
    assert [p.split(":")[1] for p in problems] == ["1", "2", "3"]


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_tfvars_set_declared_and_all_required_variables(documents: dict[str, Any], environment: str) -> None:
    variables = module_blocks(documents, "", "variable")
    tfvars = documents[f"environments/{environment}.tfvars"]
    assert attribute(tfvars.get("environment")) == environment
    assert not tfvars_problems(tfvars, variables, f"{environment}.tfvars")


def test_tfvars_checker_reports_unknown_and_missing_variables() -> None:
    variables = {"environment": {"type": ["string"]}, "tags": {"default": [{}]}}
    assert tfvars_problems({"tags": {}, "colour": "red"}, variables, "x.tfvars") == [
        "x.tfvars sets undeclared variable colour",
        "x.tfvars leaves required variable environment unset",
    ]


def test_modules_exist_and_are_called_with_their_variables(documents: dict[str, Any]) -> None:
    root_modules = module_blocks(documents, "", "module")
    expected = {"kms", "storage", "iam", "database", "eks", "airflow", "emr_serverless", "glue", "trino"}
    assert expected <= root_modules.keys()
    assert not module_call_problems(documents), "\n".join(module_call_problems(documents))


def test_references_name_declared_variables_locals_and_resources(documents: dict[str, Any]) -> None:
    assert not reference_problems(documents), "\n".join(reference_problems(documents))


def test_reference_checker_reports_typos() -> None:
    documents = {
        "modules/a/main.tf": {
            "locals": [{"name": "${var.prefix}-x"}],
            "data": [{"aws_partition": {"current": {}}}],
            "resource": [{"aws_s3_bucket": {"this": {"bucket": ["${local.nmae}"]}}}],
            "output": [{"arn": {"value": ["${aws_s3_bucket.that.arn}/${data.aws_region.current.region}"]}}],
        },
        "modules/a/variables.tf": {"variable": [{"prefix": {}}]},
    }
    assert reference_problems(documents) == [
        "modules/a: local.nmae is not declared",
        "modules/a: data.aws_region.current is not declared",
        "modules/a: aws_s3_bucket.that is not declared",
    ]


def test_module_checker_reports_wrong_calls() -> None:
    documents = {
        "main.tf": {
            "module": [
                {"a": {"source": ["./modules/a"], "colour": ["red"]}},
                {"gone": {"source": ["./modules/gone"]}},
            ],
            "output": [{"x": {"value": ["${module.a.missing}"]}}],
        },
        "modules/a/variables.tf": {"variable": [{"size": {"type": ["${number}"]}}]},
        "modules/a/outputs.tf": {"output": [{"id": {"value": ["${local.id}"]}}]},
    }
    assert module_call_problems(documents) == [
        ".: module a sets colour, not a variable of modules/a",
        ".: module a does not set required variable size",
        ".: module gone points at ./modules/gone, which has no .tf files",
        ".: module.a.missing is not an output of modules/a",
    ]


def test_buckets_and_database_keep_their_safeguards(documents: dict[str, Any]) -> None:
    bucket = json.dumps(documents["modules/secure_bucket/main.tf"])
    for guard in ("BucketOwnerEnforced", "aws:SecureTransport", "abort_incomplete_multipart_upload",
                  "noncurrent_version_expiration", "block_public_policy"):  # fmt: skip
        assert guard in bucket, guard
    rds = blocks(documents["modules/database/main.tf"], "resource")["aws_db_instance"]["this"]
    assert attribute(rds["manage_master_user_password"]) is True
    assert attribute(rds["publicly_accessible"]) is False
    assert attribute(rds["storage_encrypted"]) is True
    assert "password" not in rds, "the master password must stay in Secrets Manager, not in Terraform"
    prod = documents["environments/prod.tfvars"]
    assert attribute(prod["db_deletion_protection"]) is True
    assert attribute(prod["db_multi_az"]) is True


# --- with the terraform binary, on provider-free copies ------------------------------------------

TEMPLATE_CONFIG = """
variable "sample" {
  type = any
}

output "trino" {
  value = templatefile("${path.module}/trino-values.yaml.tftpl", var.sample.trino)
}

output "airflow" {
  value = templatefile("${path.module}/airflow-values.yaml.tftpl", var.sample.airflow)
}
"""


def provider_free_folder(folder: Path, files: dict[str, Path | str]) -> str:
    """A terraform working folder without providers (so init works offline); returns the binary."""
    binary = terraform_binary()
    for name, content in files.items():
        (folder / name).write_text(content.read_text() if isinstance(content, Path) else content)
    result = run([binary, "init", "-input=false", "-backend=false"], cwd=folder)
    assert result.returncode == 0, result.stdout + result.stderr
    return binary


@pytest.fixture(scope="module")
def variables_only(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """The root module's variables.tf alone: `plan -var-file` runs the real validations."""
    folder = tmp_path_factory.mktemp("terraform-variables")
    binary = provider_free_folder(folder, {"variables.tf": TERRAFORM_DIR / "variables.tf"})
    return binary, folder


def sample_inputs() -> dict[str, Any]:
    """Template inputs shaped like the ones main.tf passes, with the repository's trino/ files."""
    return {
        "trino": {
            "workers": 2,
            "coordinator_heap": "8G",
            "worker_heap": "24G",
            "service_account": "trino",
            "role_arn": "arn:aws:iam::111111111111:role/smartgrid-dev-trino",
            "aws_region": "eu-central-1",
            "warehouse_host": "smartgrid-dev-warehouse.abc.eu-central-1.rds.amazonaws.com",
            "warehouse_port": 5432,
            "warehouse_db": "warehouse",
            "secret_name": "trino-secrets",
            "tls_secret_name": "trino-tls",
            "password_file_secret_name": "trino-password-file",
            "groups": (TRINO_DIR / "groups.txt").read_text(),
            "rules": (TRINO_DIR / "rules.json").read_text(),
        },
        "airflow": {
            "airflow_version": "3.3.2",
            "image_repository": "111111111111.dkr.ecr.eu-central-1.amazonaws.com/smartgrid-dev/platform",
            "image_tag": "0.1.0",
            "role_arn": "arn:aws:iam::111111111111:role/smartgrid-dev-airflow",
            "service_accounts": {
                "scheduler": "airflow-scheduler",
                "workers": "airflow-worker",
                "triggerer": "airflow-triggerer",
                "dag_processor": "airflow-dag-processor",
                "api_server": "airflow-api-server",
            },
            "metadata_secret_name": "airflow-metadata",
            "fernet_key_secret_name": "airflow-fernet-key",
            "platform_secret_name": "smartgrid-platform",
            "remote_base_log_folder": "s3://smartgrid-dev-artifacts-111111111111/logs/airflow",
            "secrets_backend_prefix": "smartgrid-dev/airflow",
            "environment": {
                "LAKEHOUSE_ROOT": "s3://smartgrid-dev-lakehouse-111111111111",
                "EMR_SPARK_SUBMIT_PARAMETERS": '--conf a=b --conf "c=d e"',
            },
        },
    }


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Both Helm values files rendered by terraform's own templatefile and parsed as YAML."""
    folder = tmp_path_factory.mktemp("terraform-templates")
    binary = provider_free_folder(
        folder,
        {
            "templates.tf": TEMPLATE_CONFIG,
            "trino-values.yaml.tftpl": TERRAFORM_DIR / "modules/trino/templates/trino-values.yaml.tftpl",
            "airflow-values.yaml.tftpl": TERRAFORM_DIR
            / "modules/airflow/templates/airflow-values.yaml.tftpl",
            "sample.tfvars.json": json.dumps({"sample": sample_inputs()}),
        },
    )
    result = run(
        [binary, "apply", "-input=false", "-auto-approve", "-var-file=sample.tfvars.json"], cwd=folder
    )
    assert result.returncode == 0, result.stdout + result.stderr
    outputs = json.loads(run([binary, "output", "-json"], cwd=folder).stdout)
    return {name: yaml.safe_load(output["value"]) for name, output in outputs.items()}


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_tfvars_pass_the_variable_validations(variables_only: tuple[str, Path], environment: str) -> None:
    binary, folder = variables_only
    var_file = TERRAFORM_DIR / "environments" / f"{environment}.tfvars"
    result = run([binary, "plan", "-input=false", "-lock=false", f"-var-file={var_file}"], cwd=folder)
    assert result.returncode == 0, result.stdout + result.stderr


def test_variable_validations_reject_a_bad_environment(
    variables_only: tuple[str, Path], tmp_path: Path
) -> None:
    binary, folder = variables_only
    bad = tmp_path / "bad.tfvars"
    text = (TERRAFORM_DIR / "environments" / "dev.tfvars").read_text()
    bad.write_text(text.replace('environment = "dev"', 'environment = "staging"'))
    result = run([binary, "plan", "-input=false", "-lock=false", f"-var-file={bad}"], cwd=folder)
    assert result.returncode != 0
    assert "environment must be dev or prod" in result.stdout + result.stderr


def test_trino_values_mount_the_repository_catalogs(rendered: dict[str, Any]) -> None:
    values = rendered["trino"]
    catalogs = {name: text for name, text in values["catalogs"].items() if text is not None}
    local = {p.stem: properties(p.read_text()) for p in (TRINO_DIR / "catalog").glob("*.properties")}
    assert catalogs.keys() == local.keys(), "the AWS catalogs must be the ones in trino/catalog"
    for name, text in catalogs.items():
        assert properties(text)["connector.name"] == local[name]["connector.name"], name
    lakehouse = properties(catalogs["lakehouse"])
    assert lakehouse["hive.metastore"] == "glue"
    assert lakehouse["hive.metastore.glue.region"] == "eu-central-1"
    warehouse = properties(catalogs["warehouse"])
    assert warehouse["connection-url"].startswith("jdbc:postgresql://smartgrid-dev-warehouse.")
    assert warehouse["connection-password"] == "${ENV:WAREHOUSE_PASSWORD}", "no password in the values"
    assert json.loads(values["accessControl"]["rules"]["rules.json"]) == json.loads(
        (TRINO_DIR / "rules.json").read_text()
    )
    assert values["auth"]["groups"] == (TRINO_DIR / "groups.txt").read_text()
    assert values["serviceAccount"]["annotations"]["eks.amazonaws.com/role-arn"].endswith(
        ":role/smartgrid-dev-trino"
    )
    assert values["server"]["config"]["https"]["enabled"] is True


def test_airflow_values_bind_every_component_to_the_role(rendered: dict[str, Any]) -> None:
    values = rendered["airflow"]
    assert values["executor"] == "KubernetesExecutor"
    assert values["airflowVersion"] == "3.3.2"
    for component in ("scheduler", "workers", "triggerer", "dagProcessor", "apiServer"):
        account = values[component]["serviceAccount"]
        assert account["annotations"]["eks.amazonaws.com/role-arn"].endswith(":role/smartgrid-dev-airflow"), (
            component
        )
    env = {item["name"]: item["value"] for item in values["env"]}
    assert env["LAKEHOUSE_ROOT"] == "s3://smartgrid-dev-lakehouse-111111111111"
    assert env["EMR_SPARK_SUBMIT_PARAMETERS"] == '--conf a=b --conf "c=d e"', "values must survive quoting"
    assert values["postgresql"]["enabled"] is False
    assert values["config"]["logging"]["remote_base_log_folder"].startswith("s3://")
    assert json.loads(values["config"]["secrets"]["backend_kwargs"])["connections_prefix"] == (
        "smartgrid-dev/airflow/connections"
    )
