"""docker-compose.yml is valid Compose, scales its workers, and speaks only settings govwatch knows;
the Dockerfile brings Chromium and a Chinese font; .env.example documents what compose reads."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from config.settings import _ENV

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"


def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def test_compose_file_validates_against_the_compose_specification() -> None:
    from jsonschema import Draft201909Validator

    schema = json.loads((ROOT / "tests" / "data" / "compose_spec.json").read_text(encoding="utf-8"))
    errors = sorted(Draft201909Validator(schema).iter_errors(compose()), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)


def test_compose_services() -> None:
    services = compose()["services"]
    assert {"postgres", "redis", "scheduler", "worker"} <= set(services)
    worker = services["worker"]
    assert "container_name" not in worker and "ports" not in worker  # `--scale worker=N` works
    assert worker["command"] == ["govwatch", "worker"] and services["scheduler"]["command"] == ["govwatch", "schedule"]
    for name in ("scheduler", "worker"):
        env = services[name]["environment"]
        assert env["GOVWATCH_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert env["GOVWATCH_REDIS_URL"].startswith("redis://redis:")
        assert env["GOVWATCH_CRAWL_MODE"] == "workers"
        unknown = {k for k in env if k.startswith("GOVWATCH_")} - set(_ENV.values())
        assert not unknown, f"{name}: not govwatch settings: {unknown}"


def test_env_example_documents_what_compose_reads() -> None:
    text = COMPOSE.read_text(encoding="utf-8")
    used = set(re.findall(r"\$\{(\w+)(?::-[^}]*)?\}", text))
    documented = {line.split("=", 1)[0] for line in (ROOT / ".env.example").read_text().splitlines()
                  if line and not line.startswith("#")}
    assert used <= documented, f"undocumented in .env.example: {used - documented}"
    assert documented - {"POSTGRES_PASSWORD"} <= set(_ENV.values())


def test_dockerfile_brings_chromium_and_a_chinese_font() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "chromium" in dockerfile and "fonts-wqy-microhei" in dockerfile
    assert "requirements.lock.txt" in dockerfile and 'CMD ["govwatch", "schedule"]' in dockerfile


@pytest.mark.skipif(not (shutil.which("docker-compose")), reason="docker-compose is not installed")
def test_docker_compose_config_accepts_it() -> None:  # pragma: no cover - where docker-compose exists
    result = subprocess.run(["docker-compose", "-f", str(COMPOSE), "config", "-q"], capture_output=True, text=True,
                            cwd=ROOT)
    assert result.returncode == 0, result.stderr
