"""deploy/kubernetes: built with kustomize, every object checked against published schemas.

Built-in kinds are validated against Kubernetes' JSON schemas (the `kubernetes-validate`
package ships them, strict: unknown fields fail); KEDA's and the Prometheus Operator's
objects against the openAPIV3Schema of their published CRDs, kept in
deploy/kubernetes/schemas/. Then the properties the deployment relies on are checked on the
built output of the base and of the production overlay.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import kubernetes_validate
import pytest
import yaml

from jobstream.exporter import LagExporterSettings
from jobstream.settings import KafkaSettings
from jobstream.topology import CONSUMING_STAGES
from jobstream_stack.kubernetes import (
    KUBERNETES_DIR,
    LAG_EXPORTER,
    LAG_EXPORTER_NAME,
    MEASURED_PEAK_RSS_MB,
    rendered,
)
from jobstream_stack.prometheus import RULES_DIR
from jobstream_stack.services import SERVICES
from jobstream_stack.steps import StackError
from jobstream_stack.tools import ensure_kustomize

pytestmark = pytest.mark.unit

SCHEMAS = KUBERNETES_DIR / "schemas"
OVERLAYS = ("base", "overlays/production")
# The oldest Kubernetes release still supported upstream when this was written, and the newest
# the package knows: an object must be valid on both.
KUBERNETES_VERSIONS = ("1.32.0", "1.37.0")
PARTITIONS = KafkaSettings.model_fields["partitions"].default
FILLED_SECRET = "s3cret-value-0123456789"

Object = dict[str, Any]


@pytest.fixture(scope="module")
def kustomize() -> str:
    try:
        return ensure_kustomize()
    except StackError as error:
        pytest.fail(f"kustomize is needed: {error}")


def build(kustomize: str, tree: Path, overlay: str) -> list[Object]:
    result = subprocess.run(
        [kustomize, "build", str(tree / overlay)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return [item for item in yaml.safe_load_all(result.stdout) if item]


@pytest.fixture(scope="module")
def built(kustomize: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Object]]:
    """Base and overlays as kustomize builds them, from a copy where the production overlay's
    secrets.env exists (filled in from its example, as an operator would)."""
    tree = tmp_path_factory.mktemp("kubernetes") / "kubernetes"
    shutil.copytree(KUBERNETES_DIR, tree, ignore=shutil.ignore_patterns("secrets.env"))
    example = (tree / "overlays/production/secrets.env.example").read_text()
    filled = [
        line + FILLED_SECRET if line.endswith("=") and not line.startswith("#") else line
        for line in example.splitlines()
    ]
    (tree / "overlays/production/secrets.env").write_text("\n".join(filled) + "\n")
    return {overlay: build(kustomize, tree, overlay) for overlay in OVERLAYS}


def of_kind(objects: list[Object], kind: str) -> dict[str, Object]:
    return {item["metadata"]["name"]: item for item in objects if item["kind"] == kind}


def the(objects: list[Object], kind: str) -> Object:
    [found] = of_kind(objects, kind).values()
    return found


# -- schemas -------------------------------------------------------------------------------


def crd_schema(api_version: str, kind: str) -> Object | None:
    group, _, version = api_version.rpartition("/")
    path = SCHEMAS / group / f"{kind.lower()}_{version}.json"
    if not (group and path.exists()):
        return None
    schema: Object = json.loads(path.read_text())
    return schema


def as_json_schema(schema: Any) -> Any:
    """An openAPIV3Schema as JSON Schema, strict as `kubectl --validate=strict`: an object
    with declared properties accepts no others, nullable fields accept null."""
    if isinstance(schema, list):
        return [as_json_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    converted = {key: as_json_schema(value) for key, value in schema.items()}
    if converted.pop("nullable", False) and "type" in converted:
        converted["type"] = [converted["type"], "null"]
    if converted.pop("x-kubernetes-int-or-string", False):
        converted.pop("type", None)
        converted.setdefault("anyOf", [{"type": "integer"}, {"type": "string"}])
    if (
        "properties" in converted
        and "additionalProperties" not in converted
        and not converted.get("x-kubernetes-preserve-unknown-fields")
    ):
        converted["additionalProperties"] = False
    return converted


def custom_resource_errors(item: Object) -> list[str]:
    schema = crd_schema(item["apiVersion"], item["kind"])
    assert schema is not None, f"no schema kept for {item['apiVersion']} {item['kind']}"
    strict = as_json_schema(schema)
    # Every custom resource has metadata; its schema is Kubernetes' ObjectMeta.
    strict["properties"]["metadata"] = {"type": "object"}
    validator = jsonschema.Draft4Validator(strict)
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(item)
    ]


def kubernetes_errors(item: Object, version: str) -> list[str]:
    try:
        kubernetes_validate.validate(item, version, strict=True)
    except kubernetes_validate.ValidationError as error:
        return [f"{'/'.join(map(str, error.path))}: {error.message}"]
    return []


def all_objects(built: dict[str, list[Object]]) -> Iterator[tuple[str, Object]]:
    for overlay, objects in built.items():
        for item in objects:
            yield overlay, item


def test_the_generated_files_are_current() -> None:
    for name, text in rendered().items():
        assert (KUBERNETES_DIR / name).read_text(encoding="utf-8") == text, (
            f"deploy/kubernetes/{name} drifted: run `jobstream dev manifests`"
        )


def test_every_object_is_valid_against_its_published_schema(
    built: dict[str, list[Object]],
) -> None:
    kinds = set()
    for overlay, item in all_objects(built):
        kinds.add(item["kind"])
        where = f"{overlay}: {item['kind']} {item['metadata']['name']}"
        if crd_schema(item["apiVersion"], item["kind"]) is not None:
            assert not custom_resource_errors(item), (where, custom_resource_errors(item))
            continue
        for version in KUBERNETES_VERSIONS:
            assert not kubernetes_errors(item, version), (where, version)
    assert {"ScaledObject", "ServiceMonitor", "PrometheusRule", "TriggerAuthentication"} <= kinds
    assert {"Deployment", "Service", "PodDisruptionBudget", "Job", "Secret"} <= kinds


def test_the_validators_reject_what_a_cluster_would(built: dict[str, list[Object]]) -> None:
    """Each validator fails on a broken object, so a passing one means something."""
    objects = built["base"]
    scaled = copy.deepcopy(next(iter(of_kind(objects, "ScaledObject").values())))
    scaled["spec"]["maxReplicaCount"] = "six"
    scaled["spec"]["triggers"][0]["lagThresold"] = "10"  # a typo: unknown field
    errors = custom_resource_errors(scaled)
    assert any("maxReplicaCount" in error for error in errors), errors
    assert any("lagThresold" in error for error in errors), errors
    rule = copy.deepcopy(the(objects, "PrometheusRule"))
    rule["spec"]["groups"][0]["rules"][0]["expresion"] = "up"
    assert custom_resource_errors(rule)
    deployment = copy.deepcopy(of_kind(objects, "Deployment")["parser"])
    deployment["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["httpGet"] = {
        "path": "/healthz",
        "prot": "http",
    }
    assert kubernetes_errors(deployment, KUBERNETES_VERSIONS[-1])


# -- what the deployment relies on -----------------------------------------------------------


def container(deployment: Object) -> Object:
    found: list[Object] = deployment["spec"]["template"]["spec"]["containers"]
    assert len(found) == 1
    return found[0]


def env_of(item: Object) -> dict[str, Object]:
    return {entry["name"]: entry for entry in container(item)["env"]}


def selects(monitor: Object, service: Object) -> bool:
    """A ServiceMonitor's label selector (matchLabels and matchExpressions) against a Service."""
    labels = service["metadata"]["labels"]
    selector = monitor["selector"]
    if not selector.get("matchLabels", {}).items() <= labels.items():
        return False
    for expression in selector.get("matchExpressions", []):
        value, operator = labels.get(expression["key"]), expression["operator"]
        assert operator in ("In", "NotIn"), operator
        if (value in expression["values"]) != (operator == "In"):
            return False
    return True


def relabel(rules: list[Object], labels: dict[str, str]) -> dict[str, str]:
    """Prometheus's `replace` and `labeldrop` relabelling (the kinds the manifests use)."""
    labels = dict(labels)
    for rule in rules:
        pattern = re.compile(rule["regex"])
        if rule["action"] == "labeldrop":
            labels = {key: value for key, value in labels.items() if not pattern.fullmatch(key)}
            continue
        assert rule["action"] == "replace", rule
        source = ";".join(labels.get(name, "") for name in rule["sourceLabels"])
        match = pattern.fullmatch(source)
        if match:
            labels[rule["targetLabel"]] = match.expand(rule["replacement"].replace("$", "\\"))
    return labels


def memory_mib(quantity: str) -> int:
    assert quantity.endswith("Mi"), quantity
    return int(quantity[:-2])


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_a_deployment_per_service_with_probes_resources_and_a_budget(
    built: dict[str, list[Object]], overlay: str
) -> None:
    objects = built[overlay]
    deployments = of_kind(objects, "Deployment")
    services = of_kind(objects, "Service")
    budgets = of_kind(objects, "PodDisruptionBudget")
    assert set(deployments) == set(SERVICES) | {LAG_EXPORTER_NAME}
    for name, settings_class in SERVICES.items():
        port = settings_class.model_fields["http_port"].default
        main = container(deployments[name])
        assert main["args"] == ["serve", name]
        assert main["ports"] == [{"name": "http", "containerPort": port, "protocol": "TCP"}]
        assert main["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
        assert main["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
        env = env_of(deployments[name])
        assert env[f"JOBSTREAM_{name.upper()}_HTTP_PORT"]["value"] == str(port)
        peak = MEASURED_PEAK_RSS_MB.get(name, max(MEASURED_PEAK_RSS_MB.values()))
        requests, limits = main["resources"]["requests"], main["resources"]["limits"]
        assert memory_mib(requests["memory"]) >= peak
        assert memory_mib(limits["memory"]) >= 300  # what the hostile-input test allows
        assert requests["cpu"].endswith("m")
        assert main["securityContext"]["readOnlyRootFilesystem"] is True
        assert deployments[name]["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"]
        assert services[name]["spec"]["ports"][0] == {
            "name": "http", "port": port, "targetPort": "http", "protocol": "TCP",
        }  # fmt: skip
        selector = deployments[name]["spec"]["selector"]["matchLabels"]
        assert services[name]["spec"]["selector"] == selector
        assert budgets[name]["spec"]["selector"]["matchLabels"] == selector
        assert budgets[name]["spec"]["maxUnavailable"] == 1


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_keda_scales_each_stage_on_its_group_lag_up_to_the_partitions(
    built: dict[str, list[Object]], overlay: str
) -> None:
    objects = built[overlay]
    config = the(objects, "ConfigMap")["data"]
    assert int(config["JOBSTREAM_KAFKA_PARTITIONS"]) == PARTITIONS
    scaled = of_kind(objects, "ScaledObject")
    assert set(scaled) == {stage.name for stage in CONSUMING_STAGES}
    deployments = of_kind(objects, "Deployment")
    auths = of_kind(objects, "TriggerAuthentication")
    for stage in CONSUMING_STAGES:
        spec = scaled[stage.name]["spec"]
        assert spec["scaleTargetRef"]["name"] in deployments
        assert spec["maxReplicaCount"] == PARTITIONS
        assert 1 <= spec["minReplicaCount"] <= PARTITIONS
        [trigger] = spec["triggers"]
        assert trigger["type"] == "kafka"
        metadata = trigger["metadata"]
        assert metadata["consumerGroup"] == stage.group
        assert metadata["topic"] == stage.reads.name
        assert metadata["bootstrapServers"] == config["JOBSTREAM_KAFKA_BOOTSTRAP_SERVERS"]
        assert int(metadata["lagThreshold"]) > 0
        if "authenticationRef" in trigger:
            assert trigger["authenticationRef"]["name"] in auths


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_secrets_are_referenced_never_written_into_the_pods(
    built: dict[str, list[Object]], overlay: str
) -> None:
    objects = built[overlay]
    [secret_name] = of_kind(objects, "Secret")
    keys = set(of_kind(objects, "Secret")[secret_name]["data"])
    workloads = [*of_kind(objects, "Deployment").values(), *of_kind(objects, "Job").values()]
    for item in workloads:
        for name, entry in env_of(item).items():
            if "valueFrom" in entry:
                ref = entry["valueFrom"]["secretKeyRef"]
                assert ref["name"] == secret_name
                assert ref["key"] in keys or ref.get("optional"), (name, ref["key"])
            elif any(word in name for word in ("PASSWORD", "TOKEN")):
                # Only the deliberate "" that tells a service not to migrate.
                assert entry["value"] == "", name
    for auth in of_kind(objects, "TriggerAuthentication").values():
        for ref in auth["spec"]["secretTargetRef"]:
            assert ref["name"] == secret_name and ref["key"] in keys, ref
    [job] = of_kind(objects, "Job").values()
    assert container(job)["args"][0] == "migrate"
    assert "valueFrom" in env_of(job)["JOBSTREAM_PG_OWNER_PASSWORD"]
    deployments = of_kind(objects, "Deployment")
    for name in SERVICES:
        assert env_of(deployments[name])["JOBSTREAM_PG_OWNER_PASSWORD"] == {
            "name": "JOBSTREAM_PG_OWNER_PASSWORD", "value": "",
        }  # fmt: skip
    # The lag exporter reads Kafka only: it is handed no database secret at all.
    assert not any("PG_" in name for name in env_of(deployments[LAG_EXPORTER_NAME]))


def test_production_reads_its_secrets_from_secrets_env(built: dict[str, list[Object]]) -> None:
    objects = built["overlays/production"]
    [secret] = of_kind(objects, "Secret").values()
    assert set(secret["data"]) >= {"postgres-password", "postgres-owner-password"}
    assert "literals" not in secret
    development = next(iter(of_kind(built["base"], "Secret").values()))["data"]
    for key, value in development.items():
        assert secret["data"][key] != value, f"{key} kept its development value"
    for item in objects:
        if item["kind"] != "Namespace":
            assert item["metadata"].get("namespace") == "jobstream", item["metadata"]["name"]
    for deployment in of_kind(objects, "Deployment").values():
        assert container(deployment)["image"].startswith("registry.example.org/jobstream:")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_prometheus_operator_scrapes_every_service_with_the_project_rules(
    built: dict[str, list[Object]], overlay: str
) -> None:
    objects = built[overlay]
    monitors = of_kind(objects, "ServiceMonitor")
    services = of_kind(objects, "Service")
    monitor = monitors["jobstream"]["spec"]
    assert [endpoint["port"] for endpoint in monitor["endpoints"]] == ["http"]
    assert {name for name, service in services.items() if selects(monitor, service)} == set(
        SERVICES
    )
    # The lag exporter, as the native stack's Prometheus sees it: its own job, labelled
    # `exporter`, without the `service` label (the alert on a service down selects that).
    exporters = monitors["jobstream-exporters"]["spec"]
    assert [name for name, item in services.items() if selects(exporters, item)] == [
        LAG_EXPORTER_NAME
    ]
    [endpoint] = exporters["endpoints"]
    relabelled = relabel(endpoint["relabelings"], {"job": LAG_EXPORTER_NAME, "service": "x"})
    assert relabelled == {"job": LAG_EXPORTER_NAME, "exporter": LAG_EXPORTER}
    exporter = services[LAG_EXPORTER_NAME]["spec"]["ports"][0]
    assert exporter["port"] == LagExporterSettings.model_fields["http_port"].default
    assert container(of_kind(objects, "Deployment")[LAG_EXPORTER_NAME])["args"] == [
        "serve",
        "lag-exporter",
    ]
    rule = the(objects, "PrometheusRule")
    groups = [
        group
        for path in sorted(RULES_DIR.glob("*.yml"))
        for group in yaml.safe_load(path.read_text(encoding="utf-8"))["groups"]
    ]
    assert rule["spec"]["groups"] == groups
