#!/bin/sh
# The nginx container of the Portico pod: waits for the controller's first config in the shared runtime
# directory, then runs nginx in the foreground with exactly that config; with --drain (the preStop hook) it
# stops that nginx gracefully. Installed in the image as /usr/local/bin/portico-nginx.
set -eu

usage() {
  echo "usage: portico-nginx RUNTIME_DIR [--drain]" >&2
  exit 2
}

[ $# -ge 1 ] || usage
dir=$1
nginx=${PORTICO_NGINX_BINARY:-/usr/sbin/nginx}

case "${2:-}" in
  --drain)
    # Keep serving while the endpoint removal reaches every node's kube-proxy, then SIGQUIT: nginx stops
    # accepting, lets open requests finish and exits. The SIGTERM the kubelet sends afterwards would stop it
    # at once.
    sleep "${PORTICO_DRAIN_SECONDS:-5}"
    pid=$(cat "$dir/nginx.pid" 2>/dev/null || true)
    [ -n "$pid" ] || exit 0
    kill -QUIT "$pid" 2>/dev/null || exit 0
    while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
    exit 0
    ;;
  "") ;;
  *) usage ;;
esac

# A pid file left by an earlier run of this container names a process that is gone; in a shared process
# namespace that number may come back as another process, which the controller must never signal.
rm -f "$dir/nginx.pid"
# Logs go to this container's output (kubectl logs -c nginx), not into the shared emptyDir: the config names
# $dir/access.log and $dir/error.log, which lead to the image's /var/log/portico/{access,error}.log, links to
# /dev/stdout and /dev/stderr. Not straight to /dev/std*: the controller container sees the same files when
# its `nginx -t` opens them, and there stderr is a socket, which cannot be opened by name (ENXIO). It mounts
# a small emptyDir over /var/log/portico instead, so its checks write plain files that nobody reads.
logs=${PORTICO_LOG_DIR:-/var/log/portico}
ln -sfn "$logs/access.log" "$dir/access.log"
ln -sfn "$logs/error.log" "$dir/error.log"

# The controller writes nginx.conf only after `nginx -t` accepted it, with a rename, so once the file exists
# it is complete and valid. Until then nginx has nothing to serve.
while [ ! -f "$dir/nginx.conf" ]; do sleep 0.2; done
exec "$nginx" -p "$dir" -c "$dir/nginx.conf" -e stderr -g 'daemon off;'
