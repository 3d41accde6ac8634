#!/bin/sh
# The Portico pod played on one machine, run by `install-runtime.sh check` inside `unshare --mount --net`:
# the app staged as the image has it (WORK/app, production dependencies only) and the image's node (NODE);
# a read-only root filesystem with a tmpfs as the shared emptyDir (/run/portico in the pod); the pod's
# network namespace with its sysctl; the controller and the nginx container's own script (portico-nginx.sh)
# as uid PORTICO_UID with no capability at all and no_new_privs (allowPrivilegeEscalation: false), sharing
# one process namespace. Real requests go through nginx on ports 80 and 443. What it cannot play: the
# kubelet, the image itself, kube-proxy.
set -eu
: "${PORTICO_UID:?}" "${PORTICO_NGINX_BINARY:?}" "${CHECKOUT:?}" "${WORK:?}" "${NODE:?}"
here=$(cd "$(dirname "$0")" && pwd)
app=$WORK/app
run=$WORK/run
out=$WORK/out
node=$NODE
as_pod_user() { setpriv --reuid="$PORTICO_UID" --regid="$PORTICO_UID" --clear-groups --inh-caps=-all --bounding-set=-all --no-new-privs "$@"; }
say() { echo "rehearse-pod: $*" >&2; }
fail() {
  say "FAILED: $*"
  for f in "$out/controller.out" "$out/nginx.out"; do [ -f "$f" ] && { echo "--- $f" >&2; tail -n 30 "$f" >&2; }; done
  exit 1
}

# The filesystem: private mounts; the emptyDir, a manifest directory (the stand-in for the API) and the
# processes' output as tmpfs; then everything else read-only, the app included.
mount --make-rprivate /
mount -t tmpfs -o mode=0777 runtime "$run"
mount -t tmpfs -o mode=0755 manifests "$WORK/manifests"
mount -t tmpfs -o mode=0755 out "$out"
cp "$CHECKOUT"/examples/manifests/*.yaml "$WORK/manifests/"
printf 'worker_processes 1;\nerror_log stderr;\npid %s/bind.pid;\nevents {}\nhttp { server { listen 127.0.0.1:80; } }\n' "$run" >"$run/bind.conf"
# The image's /var/log/portico, as the nginx container sees it.
ln -s /dev/stdout "$WORK/logs/access.log"
ln -s /dev/stderr "$WORK/logs/error.log"
mount -o remount,bind,ro /
touch /portico-rehearsal 2>/dev/null && fail "the root filesystem is writable"
ip link set lo up

# Without the sysctl, this user cannot bind port 80: no capability is at work, the sysctl is what the pod needs.
if as_pod_user timeout 3 "$PORTICO_NGINX_BINARY" -p "$run" -c "$run/bind.conf" -e stderr -g 'daemon off;' 2>"$out/bind.log"; then
  fail "nginx exited 0 on a port it should not bind"
fi
grep -q 'Permission denied' "$out/bind.log" || fail "expected Permission denied binding port 80, got: $(cat "$out/bind.log")"
rm -f "$run/bind.conf" "$run/bind.pid"

sysctl -q -w net.ipv4.ip_unprivileged_port_start=80
# A container runtime hands the container user its stdout and stderr (runc chowns them), which nginx opens
# again by name through /dev/stdout: so does this.
: >"$out/nginx.out"
chown "$PORTICO_UID" "$out/nginx.out"
PORTICO_LOG_DIR="$WORK/logs" as_pod_user sh "$here/portico-nginx.sh" "$run" >>"$out/nginx.out" 2>&1 &
nginx_container=$!
# The controller container has an emptyDir of its own over /var/log/portico: a mount namespace of its own here.
unshare --mount sh -c 'mount -t tmpfs -o mode=0777 controller-logs "$1"; shift; exec "$@"' - "$WORK/logs" \
  setpriv --reuid="$PORTICO_UID" --regid="$PORTICO_UID" --clear-groups --inh-caps=-all --bounding-set=-all --no-new-privs \
  "$node" "$app/bin/portico" controller --manifests "$WORK/manifests" \
  --nginx-mode=sidecar --runtime-dir="$run" --http-port=80 --https-port=443 --health-port=10254 >"$out/controller.out" 2>&1 &
controller=$!

wait_for() { # wait_for WHAT COMMAND...: up to 30 s
  what=$1
  shift
  for _ in $(seq 1 150); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  fail "$what"
}
answer() { curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$@"; }
answers() { # answers EXPECTED CURL-ARGS...
  expected=$1
  shift
  [ "$(answer "$@")" = "$expected" ]
}

wait_for "the controller never became ready (/readyz)" curl -fsS http://127.0.0.1:10254/readyz
master=$(cat "$run/nginx.pid")
[ "$(stat -c %u "/proc/$master")" = "$PORTICO_UID" ] || fail "the nginx master does not run as uid $PORTICO_UID"
# An unknown host gets the catch-all's 404; a TLS host over plain HTTP a 308 to https on port 443.
answers "404 " -H 'Host: nobody.example.test' http://127.0.0.1/ || fail "catch-all: $(answer -H 'Host: nobody.example.test' http://127.0.0.1/)"
answers "308 https://secure.example.test/x" -H 'Host: secure.example.test' http://127.0.0.1/x ||
  fail "redirect: $(answer -H 'Host: secure.example.test' http://127.0.0.1/x)"
# HTTPS on 443 answers with a routed status (the examples' backends do not run here: 502 or 503).
case "$(answer -k --resolve secure.example.test:443:127.0.0.1 https://secure.example.test/)" in
  5*) ;;
  *) fail "https: $(answer -k --resolve secure.example.test:443:127.0.0.1 https://secure.example.test/)" ;;
esac

# A new Ingress: the controller (same uid, no capability) reloads the other process's nginx through the pid
# file, and the new host is served.
cat >"$WORK/manifests/90-added.yaml" <<'YAML'
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: added, namespace: default }
spec:
  ingressClassName: portico
  rules:
    - host: added.example.test
      http: { paths: [ { path: /, pathType: Prefix, backend: { service: { name: absent, port: { number: 80 } } } } ] }
YAML
wait_for "the added Ingress was never served (no reload)" answers "503 " -H 'Host: added.example.test' http://127.0.0.1/
[ "$(cat "$run/nginx.pid")" = "$master" ] || fail "nginx was restarted instead of reloaded"

# SIGTERM stops the controller and leaves nginx serving; the preStop hook then drains nginx.
kill -TERM "$controller"
wait "$controller" || true
kill -0 "$master" 2>/dev/null || fail "nginx stopped with the controller"
answers "404 " -H 'Host: nobody.example.test' http://127.0.0.1/ || fail "nginx stopped serving when the controller stopped"
PORTICO_DRAIN_SECONDS=0 as_pod_user sh "$here/portico-nginx.sh" "$run" --drain
wait "$nginx_container" || fail "nginx did not exit cleanly after --drain"
grep -q '"GET /x HTTP/1.1"' "$out/nginx.out" || fail "the access log did not reach the nginx container's output"
say "ok"
