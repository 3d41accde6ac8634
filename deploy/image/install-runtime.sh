#!/bin/sh
# The Portico image's runtime, installed and checked by one script: the Dockerfile runs `image`, CI runs
# `packages` and `check` on its own Debian machine, so the apt step and the nginx it installs are the ones
# the image gets, and are exercised even where no container engine runs.
#
#   install-runtime.sh packages   apt-get install the runtime packages (nothing when all are installed)
#   install-runtime.sh image      packages, then the image's user and files (run by the Dockerfile, as root)
#   install-runtime.sh prune DIR  removes from DIR/node_modules what only developers read (source maps, type
#                                 declarations, markdown): half its size (run by the Dockerfile's build stage)
#   install-runtime.sh check DIR  stages the app as the image has it (from DIR, a built checkout), checks
#                                 that nginx accepts what it renders, and rehearses the pod (needs root:
#                                 namespaces, mounts)
set -eu

# The runtime packages, in one place: Debian's nginx (Portico's config needs only modules built into it:
# http_ssl, proxy, upstream, map), the shared libraries of the node binary copied from the build stage, and
# the Lua module with lua-resty-core for a Lua-balanced upstream mode (inert until a config loads it).
RUNTIME_PACKAGES="
nginx
libstdc++6
libnginx-mod-http-lua
lua-resty-core
"

# What the Dockerfile copies from its build stage into /opt/portico, besides the production node_modules.
APP_FILES="package.json bin dist/src templates"

# The user both containers of the pod run as (deploy/base/deployment.yaml): one uid, so the controller can
# signal nginx and nginx's workers can read the 0600 keys the controller writes.
PORTICO_UID=10001
NGINX=/usr/sbin/nginx
HERE=$(cd "$(dirname "$0")" && pwd)

log() { echo "install-runtime: $*" >&2; }
fail() {
  log "FAILED: $*"
  exit 1
}

missing_packages() {
  for package in $RUNTIME_PACKAGES; do
    dpkg-query -W -f='${Status}\n' "$package" 2>/dev/null | grep -q '^install ok installed$' || echo "$package"
  done
}

install_packages() {
  missing=$(missing_packages)
  if [ -z "$missing" ]; then
    log "runtime packages already installed"
    return
  fi
  log "installing:" $missing
  export DEBIAN_FRONTEND=noninteractive
  # Packages are never started at install time (there is no init in an image, and CI has its own nginx).
  policy=/usr/sbin/policy-rc.d
  created_policy=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && created_policy=1
  fi
  # With package lists already there (CI's machine), no update unless the install needs one.
  # shellcheck disable=SC2086 # the list splits on purpose
  if ! apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1; then
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fi
  if [ -n "$created_policy" ]; then rm -f "$policy"; fi
}

install_image() {
  install_packages
  # Nothing of Debian's nginx setup is used: Portico renders the whole config and runs nginx with -p/-c.
  apt-get clean
  rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/default /var/log/nginx/*
  groupadd --gid "$PORTICO_UID" portico
  useradd --uid "$PORTICO_UID" --gid "$PORTICO_UID" --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin portico
  install -m 0755 "$HERE/portico-nginx.sh" /usr/local/bin/portico-nginx
  # The app itself is copied in by the Dockerfile under /opt/portico; node is /usr/local/bin/node.
  ln -s /opt/portico/bin/portico /usr/local/bin/portico
  install -d -m 0755 -o "$PORTICO_UID" -g "$PORTICO_UID" /run/portico
  # nginx's logs, as the nginx container sees them (portico-nginx.sh says why they are links).
  install -d -m 0755 /var/log/portico
  ln -s /dev/stdout /var/log/portico/access.log
  ln -s /dev/stderr /var/log/portico/error.log
}

# What `check` runs besides nginx, installed only when missing (minimal Debian images lack them).
CHECK_TOOLS="curl iproute2 procps"

install_check_tools() {
  missing=""
  for package in $CHECK_TOOLS; do
    dpkg-query -W -f='${Status}\n' "$package" 2>/dev/null | grep -q '^install ok installed$' || missing="$missing $package"
  done
  [ -z "$missing" ] && return
  log "installing check tools:$missing"
  export DEBIAN_FRONTEND=noninteractive
  # shellcheck disable=SC2086
  if ! apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1; then
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fi
}

# ---- check -------------------------------------------------------------------------------------------

check_nginx() {
  [ -x "$NGINX" ] || fail "$NGINX is missing"
  missing=$(missing_packages)
  [ -z "$missing" ] || fail "runtime packages not installed:" $missing
  built=$("$NGINX" -V 2>&1)
  echo "$built" | grep -q -- '--with-http_ssl_module' || fail "nginx is built without http_ssl_module"
  log "ok: $("$NGINX" -v 2>&1), packages:" $RUNTIME_PACKAGES
}

prune_modules() {
  modules=${1:?usage: install-runtime.sh prune DIR}/node_modules
  [ -d "$modules" ] || fail "$modules is missing"
  find "$modules" -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.md' \) -delete
}

# The app as the image has it, from a built checkout: APP_FILES, and production dependencies only (the
# build stage's npm ci + npm prune --omit=dev), so a runtime import of a devDependency fails here.
stage_app() {
  checkout=$1
  app=$2
  mkdir -p "$app/dist"
  for file in $APP_FILES; do cp -R "$checkout/$file" "$app/$file"; done
  cp "$checkout/package-lock.json" "$app/"
  (cd "$app" && npm ci --omit=dev --ignore-scripts --prefer-offline --no-audit --no-fund >"$app.npm.log" 2>&1) || fail "npm ci --omit=dev failed: $(tail -n 20 "$app.npm.log")"
  rm -f "$app/package-lock.json" "$app.npm.log"
  prune_modules "$app"
  [ ! -e "$app/node_modules/typescript" ] || fail "devDependencies in the staged app"
  log "ok: the app staged as the image has it (production dependencies only, pruned): $(du -sh "$app" | cut -f1)"
}

# nginx -t on the config `portico render` (the staged app) makes of the examples, and on the same config with
# the Lua module loaded (the modules must match this nginx's ABI).
check_render() {
  checkout=$1
  work=$2
  "$NODE" "$work/app/bin/portico" render -f "$checkout/examples/manifests" --runtime-dir "$work/render" -o "$work/render.conf" 2>"$work/render.log" ||
    fail "portico render failed: $(cat "$work/render.log")"
  "$NGINX" -t -q -e stderr -p "$work/render" -c "$work/render.conf" || fail "nginx -t rejected the rendered config"
  for module in ndk_http_module ngx_http_lua_module; do
    [ -f "/usr/lib/nginx/modules/$module.so" ] || fail "module $module.so is missing"
    printf 'load_module /usr/lib/nginx/modules/%s.so;\n' "$module"
  done >"$work/lua.conf"
  cat "$work/render.conf" >>"$work/lua.conf"
  "$NGINX" -t -q -e stderr -p "$work/render" -c "$work/lua.conf" || fail "nginx -t rejected the config with the Lua module loaded"
  log "ok: nginx -t accepts the rendered examples, also with the Lua module loaded"
}

# The pod, as far as one machine can play it (rehearse-pod.sh), inside namespaces of its own.
rehearse_pod() {
  checkout=$1
  work=$2
  mkdir -p "$work/run" "$work/manifests" "$work/out" "$work/logs"
  PORTICO_UID=$PORTICO_UID PORTICO_NGINX_BINARY=$NGINX CHECKOUT=$checkout WORK=$work NODE=$NODE \
    unshare --mount --net --fork sh "$HERE/rehearse-pod.sh" || fail "the pod rehearsal failed"
  log "ok: pod rehearsal: uid $PORTICO_UID, no capability, no_new_privs, read-only root; nginx on 80/443 through the sysctl only; the controller (sidecar mode) started and reloaded the nginx container's nginx through the pid file; drain"
}

check() {
  checkout=$(cd "${1:?usage: install-runtime.sh check DIR}" && pwd)
  [ -x "$checkout/node_modules/node/bin/node" ] || fail "$checkout/node_modules/node/bin/node is missing: run npm ci in $checkout first"
  [ "$(id -u)" = 0 ] || fail "check needs root (namespaces and mounts for the pod rehearsal)"
  install_check_tools
  check_nginx
  work=$(mktemp -d /tmp/portico-image-check.XXXXXX)
  chmod 0755 "$work"
  trap 'rm -rf "$work"' EXIT
  # The image's /usr/local/bin/node: the Node 24 the project runs on.
  NODE=$work/node
  cp "$checkout/node_modules/node/bin/node" "$NODE"
  stage_app "$checkout" "$work/app"
  check_render "$checkout" "$work"
  rehearse_pod "$checkout" "$work"
}

case "${1:-}" in
  packages) install_packages ;;
  image) install_image ;;
  prune) prune_modules "${2:-}" ;;
  check) check "${2:-}" ;;
  *)
    echo "usage: install-runtime.sh packages | image | prune DIR | check DIR" >&2
    exit 2
    ;;
esac
