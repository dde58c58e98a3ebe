"""Run the `proxy` image's nginx configuration locally, with Debian's nginx: the production
topology test and the proxy benchmark render deploy/nginx/gatehouse.conf.template exactly
as the image does (envsubst of the GATEHOUSE_* variables), so they cannot drift from it."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "deploy" / "nginx" / "gatehouse.conf.template"
UPSTREAM_HEADER = "X-Gatehouse-Upstream"


def nginx_binary() -> str | None:
    found = shutil.which("nginx")
    if found is None and Path("/usr/sbin/nginx").exists():
        found = "/usr/sbin/nginx"
    return found


def render_site(values: dict[str, str]) -> str:
    """What the nginx image's envsubst step makes of the template with these variables."""
    rendered = re.sub(
        r"\$\{(GATEHOUSE_[A-Z_]+)\}", lambda m: values[m.group(1)], TEMPLATE.read_text()
    )
    if "${" in rendered:
        raise ValueError("a ${…} placeholder of the template was left unfilled")
    return rendered


def local_nginx_config(
    workdir: Path, *, listen: int, upstream_ports: list[int], web_root: Path
) -> Path:
    """Write nginx.conf (and the site it includes) into `workdir` for `nginx -p workdir -c`:
    one worker, every path under `workdir`, and a header naming the process that answered
    (UPSTREAM_HEADER, nginx's $upstream_addr), which the production proxy does not send."""
    (workdir / "upstreams.conf").write_text(
        "".join(
            f"server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;\n" for port in upstream_ports
        )
    )
    site = render_site(
        {
            "GATEHOUSE_LISTEN": f"127.0.0.1:{listen}",
            "GATEHOUSE_UPSTREAMS": str(workdir / "upstreams.conf"),
            "GATEHOUSE_WEB_ROOT": str(web_root),
        }
    )
    (workdir / "gatehouse.conf").write_text(site)
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
