"""The Kubernetes base, generated: `jobstream dev manifests` writes deploy/kubernetes/base.

Every fact comes from where the project keeps it: services and their ports from the service
registry and settings, consumer groups, topics and partition counts from the topology and
the Kafka settings, alerting and recording rules from deploy/prometheus/rules, memory from the
peak RSS `make bench` measured. Overlays (deploy/kubernetes/overlays/) are written by hand and
patch what differs per environment. A test keeps the written files equal to what this module
generates, builds base and overlays with kustomize, and validates every object against
Kubernetes' JSON schemas and the CRD schemas of KEDA and the Prometheus Operator.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from jobstream import __version__, exporter
from jobstream.settings import PROJECT_ROOT, KafkaSettings
from jobstream.topology import CONSUMING_STAGES, Stage
from jobstream_stack.prometheus import RULES_DIR
from jobstream_stack.services import SERVICES

KUBERNETES_DIR = PROJECT_ROOT / "deploy" / "kubernetes"
IMAGE = "jobstream"
PART_OF = {"app.kubernetes.io/part-of": "jobstream"}
CONFIG_MAP = "jobstream-config"
SECRET = "jobstream-secrets"  # noqa: S105 - the Secret's name, not a value
STATE_DIR = "/data/state"
INBOX_DIR = "/data/inbox"
# The image's non-root user (deploy/docker/Dockerfile, APP_UID / APP_GID).
APP_UID = 1000

# Peak RSS (VmHWM) of one instance under full load, MB: `make bench` of 2026-12-04, the
# maximum over its runs (docs: Benchmarks). The hostile-input test saw up to ~180 MB and
# allows 300 MB. A service not measured yet gets the largest figure.
MEASURED_PEAK_RSS_MB: Mapping[str, int] = {
    "ingest": 120,
    "parser": 173,
    "tagger": 176,
    "store": 153,
}
# CPU per posting at full load, ms (same runs): requests are sized for DESIGN_RATE postings/s
# an instance. No CPU limit: throttling a stage only grows its lag (KEDA adds instances).
MEASURED_CPU_MS_PER_POSTING: Mapping[str, float] = {
    "ingest": 0.15,
    "parser": 0.83,
    "tagger": 0.59,
    "store": 0.45,
}
DESIGN_RATE = 500
# Requests cover the measured peak with a quarter to spare; limits twice the peak, and never
# below what the hostile-input test allows a service.
REQUEST_HEADROOM = 1.25
LIMIT_FACTOR = 2.0
MIN_LIMIT_MB = 320
# KEDA: records waiting per instance before another is added (a few batches' worth).
LAG_THRESHOLD = 1000
# `jobstream stack stop` waits 30 s for a graceful stop; stages measured 1.2-1.5 s.
TERMINATION_GRACE_SECONDS = 30

Resource = dict[str, Any]

# The lag exporter reads every pipeline group's lag from Kafka, not from the stages, so the
# alerts on a stage that is gone (deploy/prometheus/rules: jobstream.alerts.outside) have
# something to read. Its Deployment is named as its Prometheus job everywhere else
# (`<exporter>-exporter`, native_exporters) and scraped by a ServiceMonitor of its own, labelled
# `exporter` and never `service`, so that it is never counted as a service of the pipeline.
# PostgreSQL's exporter is left to the cluster's monitoring (kube-prometheus-stack has one).
LAG_EXPORTER = "kafka"
LAG_EXPORTER_NAME = f"{LAG_EXPORTER}-exporter"
EXPORTER_COMPONENT = {"app.kubernetes.io/component": "exporter"}
# Measured on the native stack (2026-12-07, polling every 5 s, ~40 consumer groups): peak RSS
# 107 MB, 4 s of CPU in 42 minutes. It does no work per posting, so the stages' sizing rule
# does not apply.
LAG_EXPORTER_PEAK_RSS_MB = 108
LAG_EXPORTER_CPU_CORES = 0.05


def _mebibytes(mb: float, step: int = 16) -> str:
    return f"{math.ceil(mb / step) * step}Mi"


def _millicores(cores: float, step: int = 50) -> str:
    return f"{max(step, math.ceil(cores * 1000 / step) * step)}m"


def resources(service: str) -> Resource:
    """Requests and limits from the measured peak RSS and CPU per posting."""
    peak = MEASURED_PEAK_RSS_MB.get(service, max(MEASURED_PEAK_RSS_MB.values()))
    cpu_ms = MEASURED_CPU_MS_PER_POSTING.get(service, max(MEASURED_CPU_MS_PER_POSTING.values()))
    return sized(cpu_ms / 1000 * DESIGN_RATE, peak)


def sized(cpu_cores: float, peak_rss_mb: float) -> Resource:
    return {
        "requests": {
            "cpu": _millicores(cpu_cores),
            "memory": _mebibytes(peak_rss_mb * REQUEST_HEADROOM),
        },
        "limits": {"memory": _mebibytes(max(peak_rss_mb * LIMIT_FACTOR, MIN_LIMIT_MB), step=64)},
    }


def labels(service: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": service, **PART_OF}


def _metadata(name: str, service: str | None = None) -> dict[str, Any]:
    return {"name": name, "labels": labels(service) if service else dict(PART_OF)}


def _stage(service: str) -> Stage | None:
    return next((stage for stage in CONSUMING_STAGES if stage.name == service), None)


def _secret_env(name: str, key: str, *, optional: bool = False) -> Resource:
    reference: Resource = {"name": SECRET, "key": key}
    if optional:
        reference["optional"] = True
    return {"name": name, "valueFrom": {"secretKeyRef": reference}}


def _container_env(service: str, port: int) -> list[Resource]:
    prefix = f"JOBSTREAM_{service.upper()}_"
    env: list[Resource] = [
        {"name": f"{prefix}HTTP_HOST", "value": "0.0.0.0"},  # noqa: S104 - inside the pod
        {"name": f"{prefix}HTTP_PORT", "value": str(port)},
        _secret_env("JOBSTREAM_PG_PASSWORD", "postgres-password"),
        # Empty: the services never migrate; the migrate Job does, as the owner role.
        {"name": "JOBSTREAM_PG_OWNER_PASSWORD", "value": ""},
        # Only for a cluster with SASL (the production overlay sets the protocol).
        _secret_env("JOBSTREAM_KAFKA_SASL_PASSWORD", "kafka-sasl-password", optional=True),
    ]
    if service == "ingest":
        env.append(_secret_env("JOBSTREAM_INGEST_API_TOKEN", "ingest-api-token"))
        env.append({"name": "JOBSTREAM_INGEST_INBOX_DIR", "value": INBOX_DIR})
    return env


def _probe(path: str, period: int, failures: int) -> Resource:
    return {
        "httpGet": {"path": path, "port": "http"},
        "periodSeconds": period,
        "timeoutSeconds": 3,
        "failureThreshold": failures,
    }


def _security_context() -> Resource:
    return {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
    }


def _pod_security_context() -> Resource:
    return {
        "runAsNonRoot": True,
        "runAsUser": APP_UID,
        "runAsGroup": APP_UID,
        "fsGroup": APP_UID,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def deployment(
    service: str,
    port: int,
    *,
    serve: str | None = None,
    env: list[Resource] | None = None,
    size: Resource | None = None,
) -> Resource:
    """`serve`: what `jobstream serve` runs (the service's name); `env`: the container's own
    variables and `size` its resources (a pipeline service's by default)."""
    volumes: list[Resource] = [
        {"name": "state", "emptyDir": {}},
        {"name": "tmp", "emptyDir": {}},
    ]
    mounts: list[Resource] = [
        {"name": "state", "mountPath": STATE_DIR},
        {"name": "tmp", "mountPath": "/tmp"},  # noqa: S108 - the pod's own emptyDir
    ]
    if service == "ingest":
        volumes.append({"name": "inbox", "persistentVolumeClaim": {"claimName": "ingest-inbox"}})
        mounts.append({"name": "inbox", "mountPath": INBOX_DIR})
    container = {
        "name": service,
        "image": f"{IMAGE}:{__version__}",
        "args": ["serve", serve or service],
        "ports": [{"name": "http", "containerPort": port, "protocol": "TCP"}],
        "envFrom": [{"configMapRef": {"name": CONFIG_MAP}}],
        "env": _container_env(service, port) if env is None else env,
        # Faust takes a few seconds to join its group; liveness starts once it is up.
        "startupProbe": _probe("/healthz", 2, 60),
        "livenessProbe": _probe("/healthz", 10, 3),
        "readinessProbe": _probe("/readyz", 5, 2),
        "resources": resources(service) if size is None else size,
        "securityContext": _security_context(),
        "volumeMounts": mounts,
    }
    spec: Resource = {
        "replicas": 1,
        "selector": {"matchLabels": labels(service)},
        "template": {
            "metadata": {"labels": labels(service)},
            "spec": {
                "securityContext": _pod_security_context(),
                "terminationGracePeriodSeconds": TERMINATION_GRACE_SECONDS,
                "containers": [container],
                "volumes": volumes,
            },
        },
    }
    if service == "ingest":
        # One writer of the inbox volume (ReadWriteOnce): the old pod goes before the new.
        spec["strategy"] = {"type": "Recreate"}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _metadata(service, service),
        "spec": spec,
    }


def service_object(
    service: str, port: int, extra_labels: Mapping[str, str] | None = None
) -> Resource:
    metadata = _metadata(service, service)
    metadata["labels"].update(extra_labels or {})
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata,
        "spec": {
            "selector": labels(service),
            "ports": [{"name": "http", "port": port, "targetPort": "http", "protocol": "TCP"}],
        },
    }


def disruption_budget(service: str) -> Resource:
    """A drain takes one instance at a time; with one replica, that one may go (the stage
    resumes from its committed offsets), so a node drain is never blocked for good."""
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": _metadata(service, service),
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": labels(service)}},
    }


def scaled_object(stage: Stage, kafka: KafkaSettings) -> Resource:
    """KEDA scales a stage on its consumer group's lag, up to one instance per partition
    (more would sit idle: a partition is read by one member of a group)."""
    return {
        "apiVersion": "keda.sh/v1alpha1",
        "kind": "ScaledObject",
        "metadata": _metadata(stage.name, stage.name),
        "spec": {
            "scaleTargetRef": {"name": stage.name},
            "pollingInterval": 15,
            "cooldownPeriod": 300,
            "minReplicaCount": 1,
            "maxReplicaCount": kafka.partitions,
            "triggers": [
                {
                    "type": "kafka",
                    "metadata": {
                        # Set from the ConfigMap by the kustomization's replacements.
                        "bootstrapServers": kafka.bootstrap_servers,
                        "consumerGroup": kafka.group(stage),
                        "topic": kafka.topic(stage.reads),
                        "lagThreshold": str(LAG_THRESHOLD),
                        "offsetResetPolicy": "earliest",
                        "allowIdleConsumers": "false",
                    },
                }
            ],
        },
    }


def lag_exporter_objects() -> list[Resource]:
    """The lag exporter's Deployment and Service: Kafka's address from the ConfigMap, its SASL
    password when the cluster has one, no database secret (it reads Kafka only)."""
    settings = exporter.LagExporterSettings
    port = int(settings.model_fields["http_port"].default)
    prefix = settings.model_config.get("env_prefix", "")
    env: list[Resource] = [
        {"name": f"{prefix}HTTP_HOST", "value": "0.0.0.0"},  # noqa: S104 - inside the pod
        {"name": f"{prefix}HTTP_PORT", "value": str(port)},
        _secret_env("JOBSTREAM_KAFKA_SASL_PASSWORD", "kafka-sasl-password", optional=True),
    ]
    return [
        deployment(
            LAG_EXPORTER_NAME,
            port,
            serve=exporter.SERVICE,
            env=env,
            size=sized(LAG_EXPORTER_CPU_CORES, LAG_EXPORTER_PEAK_RSS_MB),
        ),
        service_object(LAG_EXPORTER_NAME, port, EXPORTER_COMPONENT),
    ]


def inbox_claim() -> Resource:
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": _metadata("ingest-inbox", "ingest"),
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
    }


def migrate_job() -> Resource:
    """Migrations as the owner role, once per release (a Job's pod template is immutable, so
    its name carries the version). The store retries until the schema is there."""
    name = f"migrate-{__version__.replace('.', '-')}"
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": _metadata(name, "migrate"),
        "spec": {
            "backoffLimit": 20,
            "ttlSecondsAfterFinished": 7 * 24 * 3600,
            "template": {
                "metadata": {"labels": labels("migrate")},
                "spec": {
                    "restartPolicy": "OnFailure",
                    "securityContext": _pod_security_context(),
                    "containers": [
                        {
                            "name": "migrate",
                            "image": f"{IMAGE}:{__version__}",
                            "args": ["migrate", "--wait", "120"],
                            "envFrom": [{"configMapRef": {"name": CONFIG_MAP}}],
                            "env": [
                                _secret_env("JOBSTREAM_PG_PASSWORD", "postgres-password"),
                                _secret_env(
                                    "JOBSTREAM_PG_OWNER_PASSWORD", "postgres-owner-password"
                                ),
                            ],
                            "resources": {
                                "requests": {"cpu": "50m", "memory": "64Mi"},
                                "limits": {"memory": "256Mi"},
                            },
                            "securityContext": _security_context(),
                        }
                    ],
                },
            },
        },
    }


def config_map(kafka: KafkaSettings) -> dict[str, str]:
    """What every container reads from the ConfigMap (overlays change the addresses)."""
    return {
        "JOBSTREAM_KAFKA_BOOTSTRAP_SERVERS": "kafka:9092",
        "JOBSTREAM_KAFKA_PARTITIONS": str(kafka.partitions),
        "JOBSTREAM_PG_HOST": "postgres",
        "JOBSTREAM_PG_PORT": "5432",
        "JOBSTREAM_PG_DATABASE": "jobstream",
        "JOBSTREAM_PG_USER": "jobstream",
        "JOBSTREAM_PG_OWNER_USER": "jobstream_owner",
        "JOBSTREAM_STATE_DIR": STATE_DIR,
        "JOBSTREAM_LOG_LEVEL": "INFO",
    }


def _not_an_exporter() -> list[Resource]:
    [(key, value)] = EXPORTER_COMPONENT.items()
    return [{"key": key, "operator": "NotIn", "values": [value]}]


def service_monitor() -> Resource:
    """Prometheus Operator scrapes every Service of the project but the exporters on its `http`
    port; the target's `service` label is the Service's name, as the rules and dashboards
    expect."""
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "ServiceMonitor",
        "metadata": _metadata("jobstream"),
        "spec": {
            "selector": {"matchLabels": dict(PART_OF), "matchExpressions": _not_an_exporter()},
            "endpoints": [{"port": "http", "path": "/metrics", "interval": "15s"}],
        },
    }


def exporter_monitor() -> Resource:
    """The exporters, as the native stack's Prometheus sees them: job `<name>-exporter` (the
    Service's name), labelled `exporter` with `<name>`, and without the `service` label that
    the Prometheus Operator gives every target (the alert on a service down selects it)."""
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "ServiceMonitor",
        "metadata": _metadata("jobstream-exporters"),
        "spec": {
            "selector": {"matchLabels": {**PART_OF, **EXPORTER_COMPONENT}},
            "endpoints": [
                {
                    "port": "http",
                    "path": "/metrics",
                    "interval": "15s",
                    "relabelings": [
                        {
                            "sourceLabels": ["job"],
                            "regex": "(.+)-exporter",
                            "targetLabel": "exporter",
                            "replacement": "$1",
                            "action": "replace",
                        },
                        {"regex": "service", "action": "labeldrop"},
                    ],
                }
            ],
        },
    }


def prometheus_rule(rules_dir: Path = RULES_DIR) -> Resource:
    """The same groups Prometheus loads natively and in docker-compose."""
    groups = []
    for path in sorted(rules_dir.glob("*.yml")):
        groups += yaml.safe_load(path.read_text(encoding="utf-8"))["groups"]
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": _metadata("jobstream"),
        "spec": {"groups": groups},
    }


def kustomization(files: list[str], kafka: KafkaSettings) -> Resource:
    return {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "labels": [{"pairs": dict(PART_OF), "includeSelectors": False}],
        "resources": files,
        "images": [{"name": IMAGE, "newTag": __version__}],
        "configMapGenerator": [{"name": CONFIG_MAP, "literals": _literals(config_map(kafka))}],
        # Development values, as docker-compose's defaults; every overlay for a real cluster
        # replaces them (overlays/production reads secrets.env, which is never committed).
        "secretGenerator": [
            {
                "name": SECRET,
                "literals": _literals(
                    {
                        "postgres-password": "jobstream",
                        "postgres-owner-password": "jobstream_owner",
                        "ingest-api-token": "change-me-dev-token-0123456789",
                    }
                ),
            }
        ],
        "components": [f"../components/{KAFKA_ADDRESS_COMPONENT}"],
    }


KAFKA_ADDRESS_COMPONENT = "kafka-address"


def kafka_address_component() -> Resource:
    """The Kafka address is written once, in the ConfigMap; KEDA's triggers copy it. A
    component, so that an overlay that changes the ConfigMap includes it again after."""
    return {
        "apiVersion": "kustomize.config.k8s.io/v1alpha1",
        "kind": "Component",
        "replacements": [
            {
                "source": {
                    "kind": "ConfigMap",
                    "name": CONFIG_MAP,
                    "fieldPath": "data.JOBSTREAM_KAFKA_BOOTSTRAP_SERVERS",
                },
                "targets": [
                    {
                        "select": {"kind": "ScaledObject", "name": stage.name},
                        "fieldPaths": ["spec.triggers.0.metadata.bootstrapServers"],
                    }
                    for stage in CONSUMING_STAGES
                ],
            }
        ],
    }


def _literals(values: Mapping[str, str]) -> list[str]:
    return [f"{key}={value}" for key, value in values.items()]


def default_kafka() -> KafkaSettings:
    """The base's Kafka: the declared defaults, whatever this process's environment says."""
    fields = KafkaSettings.model_fields
    return KafkaSettings(
        bootstrap_servers="kafka:9092",
        namespace="",
        partitions=fields["partitions"].default,
        replication_factor=fields["replication_factor"].default,
    )


def base_files(kafka: KafkaSettings | None = None) -> dict[str, list[Resource]]:
    """File name -> the objects it holds, for every file of the base."""
    kafka = kafka or default_kafka()
    files: dict[str, list[Resource]] = {}
    for name, settings_class in SERVICES.items():
        # The declared defaults, never what this process's environment overrides.
        port = int(settings_class.model_fields["http_port"].default)
        objects = [
            deployment(name, port),
            service_object(name, port),
            disruption_budget(name),
        ]
        stage = _stage(name)
        if stage is not None:
            objects.append(scaled_object(stage, kafka))
        if name == "ingest":
            objects.append(inbox_claim())
        files[f"{name}.yaml"] = objects
    files["migrate-job.yaml"] = [migrate_job()]
    files[f"{LAG_EXPORTER_NAME}.yaml"] = lag_exporter_objects()
    files["monitoring.yaml"] = [service_monitor(), exporter_monitor(), prometheus_rule()]
    return files


HEADER = "# Generated by `jobstream dev manifests` (jobstream_stack/kubernetes.py); do not edit.\n"


def _dump(objects: list[Resource]) -> str:
    return HEADER + "---\n".join(
        yaml.safe_dump(item, sort_keys=False, width=100) for item in objects
    )


def rendered(kafka: KafkaSettings | None = None) -> dict[str, str]:
    """Path under deploy/kubernetes -> YAML text of every generated file."""
    kafka = kafka or default_kafka()
    files = {f"base/{name}": _dump(objects) for name, objects in base_files(kafka).items()}
    names = sorted(name.removeprefix("base/") for name in files)
    files["base/kustomization.yaml"] = _dump([kustomization(names, kafka)])
    component = f"components/{KAFKA_ADDRESS_COMPONENT}/kustomization.yaml"
    files[component] = _dump([kafka_address_component()])
    return files


def write_manifests(folder: Path = KUBERNETES_DIR) -> Iterator[Path]:
    for name, text in rendered().items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        yield path
