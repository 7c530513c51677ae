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


def _web_health_url(compose: dict) -> str:
    command = " ".join(compose["services"]["web"]["healthcheck"]["test"])
    match = re.search(r"https?://[^/'\"]+(/healthz[^'\" ]*)", command)
    assert match, command
    return match.group(1)


def test_compose_web_health_check_is_the_cheap_one_readme_describes(compose):
    url = _web_health_url(compose)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    paragraph = next(part for part in readme.split("\n\n") if "health check" in part and "web" in part)

    assert url == "/healthz?worker=0"
    assert f"`{url}`" in paragraph
    assert "without a round trip" in " ".join(paragraph.split())


@pytest.mark.parametrize("name", ["worker", "beat"])
def test_compose_celery_services_wait_for_migrations(compose, name):
    depends_on = compose["services"][name]["depends_on"]

    assert depends_on["migrate"]["condition"] == "service_completed_successfully"
    assert depends_on["redis"]["condition"] == "service_healthy"


def test_compose_worker_keeps_the_shared_dependencies(compose):
    # A service's own depends_on replaces the anchor's: the worker must list them again.
    shared = compose["x-django"]["depends_on"]
    worker = compose["services"]["worker"]["depends_on"]

    assert {name: worker[name] for name in shared} == shared


def test_compose_images_are_pinned_to_a_version(compose):
    for name, service in compose["services"].items():
        if "build" in service:
            continue
        image, _, tag = service["image"].partition(":")
        assert tag, f"{name}: {image} has no tag"
        assert tag != "latest", f"{name}: {image} follows latest"
    assert re.fullmatch(r"v\d+\.\d+\.\d+", compose["services"]["mailpit"]["image"].partition(":")[2])


def test_dockerignore_keeps_local_state_and_secrets_out_of_the_image():
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }

    for entry in (".venv", "var", ".env", ".git", "test-artifacts", "node_modules", "bench/results/*.tmp"):
        assert entry in ignored, entry
    for cache in (".pytest_cache", ".ruff_cache", ".mypy_cache", "**/__pycache__"):
        assert cache in ignored, cache
    # The image still gets what the Dockerfile installs from and the example configuration.
    assert "!.env.example" in ignored
    assert not ignored & {"requirements.txt", "requirements.lock", "*.lock", "*.txt"}
