"""docker-compose.yml and .env.example, checked by reading them (no Docker engine on CI machines)."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_compose_defines_the_full_stack(compose):
    assert set(compose["services"]) == {"db", "redis", "mailpit", "migrate", "web", "worker", "beat"}


def test_compose_web_worker_and_beat_share_one_definition(compose):
    services = compose["services"]
    shared = compose["x-django"]

    for name in ("web", "worker", "beat", "migrate"):
        assert services[name]["image"] == shared["image"]
        assert services[name]["build"] == shared["build"]
        assert services[name]["environment"] == shared["environment"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    assert services["web"]["command"][0] == "gunicorn"


def test_compose_dependencies_wait_for_health_checks(compose):
    services = compose["services"]

    for name, service in services.items():
        for dependency, rule in service.get("depends_on", {}).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            if rule["condition"] == "service_healthy":
                assert "healthcheck" in services[dependency], f"{dependency} has no health check"
    assert services["web"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])


def test_compose_production_mode_with_every_required_variable(compose):
    environment = compose["x-django"]["environment"]

    assert environment["DEBUG"] == "false"
    assert environment["DATABASE_URL"].startswith("postgres://")
    assert environment["REDIS_URL"].startswith("redis://")
    assert compose["x-django"]["env_file"] == ".env"  # SECRET_KEY comes from there


def test_compose_file_is_accepted_by_docker_compose_where_available(tmp_path):
    docker = shutil.which("docker")
    has_compose = (
        docker
        and subprocess.run([docker, "compose", "version"], capture_output=True, check=False).returncode == 0
    )
    if not has_compose:
        pytest.skip("the docker compose plugin is not installed here; the YAML checks above still ran")
    (tmp_path / ".env").write_text("SECRET_KEY=x\n", encoding="utf-8")

    result = subprocess.run(
        [
            docker,
            "compose",
            "-f",
            str(ROOT / "docker-compose.yml"),
            "--env-file",
            str(tmp_path / ".env"),
            "config",
            "-q",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )

    assert result.returncode == 0, result.stderr


def test_env_example_lists_every_variable_the_settings_read():
    source = (ROOT / "config" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r'env_(?:str|bool|int|list|secret)\(\s*"([A-Z_]+)"', source))
    example = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(encoding="utf-8"), re.M))

    assert sorted(read - example) == []
    assert sorted(example - read) == []
