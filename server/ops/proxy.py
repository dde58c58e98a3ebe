"""Run the `proxy` image's nginx configuration locally, with Debian's nginx: the production
topology and compose tests and the proxy benchmark render deploy/nginx/*.conf.template
exactly as the image does (envsubst of the GATEHOUSE_* variables), so they cannot drift
from it."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NGINX_DIR = ROOT / "deploy" / "nginx"
TEMPLATE = NGINX_DIR / "gatehouse.conf.template"
# Included by TEMPLATE's server, one of them as GATEHOUSE_TLS says (on / off).
TLS_TEMPLATES = {mode: NGINX_DIR / f"tls-{mode}.conf.template" for mode in ("on", "off")}
UPSTREAM_HEADER = "X-Gatehouse-Upstream"


@dataclass(frozen=True)
class Tls:
    """TLS terminated by the proxy itself (GATEHOUSE_TLS=on)."""

    listen: int
    certificate: Path
    key: Path


def nginx_binary() -> str | None:
    found = shutil.which("nginx")
    if found is None and Path("/usr/sbin/nginx").exists():
        found = "/usr/sbin/nginx"
    return found


def render_site(values: dict[str, str], template: Path = TEMPLATE) -> str:
    """What the nginx image's envsubst step makes of a template with these variables."""
    rendered = re.sub(
        r"\$\{(GATEHOUSE_[A-Z_]+)\}", lambda m: values[m.group(1)], template.read_text()
    )
    if "${" in rendered:
        raise ValueError(f"a ${{…}} placeholder of {template.name} was left unfilled")
    return rendered


def local_nginx_config(
    workdir: Path,
    *,
    listen: int,
    upstream_ports: list[int],
    web_root: Path,
    tls: Tls | None = None,
) -> Path:
    """Write nginx.conf (and the site it includes) into `workdir` for `nginx -p workdir -c`:
    one worker, every path under `workdir`, and a header naming the process that answered
    (UPSTREAM_HEADER, nginx's $upstream_addr), which the production proxy does not send.
    With `tls`, the proxy terminates TLS on its port too (GATEHOUSE_TLS=on)."""
    (workdir / "upstreams.conf").write_text(
        "".join(
            f"server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;\n" for port in upstream_ports
        )
    )
    values = {
        "GATEHOUSE_LISTEN": f"127.0.0.1:{listen}",
        "GATEHOUSE_UPSTREAMS": str(workdir / "upstreams.conf"),
        "GATEHOUSE_WEB_ROOT": str(web_root),
        "GATEHOUSE_TLS": "on" if tls else "off",
        "GATEHOUSE_CONF_DIR": str(workdir),
    }
    if tls:
        values |= {
            "GATEHOUSE_TLS_LISTEN": f"127.0.0.1:{tls.listen}",
            "GATEHOUSE_TLS_CERTIFICATE": str(tls.certificate),
            "GATEHOUSE_TLS_CERTIFICATE_KEY": str(tls.key),
        }
    mode = values["GATEHOUSE_TLS"]
    # Only the included one is rendered: the other's placeholders have no values here.
    (workdir / f"tls-{mode}.conf").write_text(render_site(values, TLS_TEMPLATES[mode]))
    (workdir / "gatehouse.conf").write_text(render_site(values))
    mime = "include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").exists() else ""
    # As root, nginx's workers would switch to `nobody`, who may not read workdir.
    user = "user root;" if os.geteuid() == 0 else ""
    path = workdir / "nginx.conf"
    path.write_text(
        f"""{user}
worker_processes 1;
pid {workdir / "nginx.pid"};
error_log {workdir / "error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    {mime}
    client_body_temp_path {workdir / "client_body"};
    proxy_temp_path {workdir / "proxy"};
    access_log off;
    add_header {UPSTREAM_HEADER} $upstream_addr always;
    include {workdir / "gatehouse.conf"};
}}
"""
    )
    return path


def nginx_command(nginx: str, workdir: Path, config: Path) -> list[str]:
    return [
        nginx,
        "-p",
        str(workdir),
        "-c",
        str(config),
        "-e",
        str(workdir / "error.log"),
        "-g",
        "daemon off;",
    ]
