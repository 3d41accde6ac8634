# The Portico image, used by both containers of the pod (deploy/base/deployment.yaml): the controller, and
# nginx started by portico-nginx. One image, so the controller's `nginx -t` checks configs with exactly the
# nginx that serves them. The runtime's install steps live in deploy/image/install-runtime.sh, which CI also
# runs (`packages`, `check`) on a Debian machine of the same release.

# Build: compile the TypeScript and collect the production dependencies, on the Node LTS the image runs.
FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# No install scripts: the only one is the `node` devDependency's, which brings a Node this stage already has.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY bin bin
COPY src src
COPY templates templates
COPY deploy/image/install-runtime.sh deploy/image/install-runtime.sh
RUN npx tsc -p tsconfig.json \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
 && sh deploy/image/install-runtime.sh prune . \
 && node bin/portico --help >/dev/null

# Runtime: Debian's nginx (the release node:24-bookworm-slim is built on, so the node binary's libraries match),
# the node binary and the app; nothing else.
FROM debian:bookworm-slim
COPY deploy/image/install-runtime.sh deploy/image/portico-nginx.sh /tmp/portico-image/
RUN sh /tmp/portico-image/install-runtime.sh image && rm -rf /tmp/portico-image
COPY --from=build /usr/local/bin/node /usr/local/bin/node
COPY --from=build /src/package.json /opt/portico/package.json
COPY --from=build /src/node_modules /opt/portico/node_modules
COPY --from=build /src/bin /opt/portico/bin
COPY --from=build /src/dist/src /opt/portico/dist/src
COPY --from=build /src/templates /opt/portico/templates
# The uid the manifests run both containers as (runAsUser); files are root's and read-only to it.
USER 10001:10001
ENV NODE_ENV=production
ENTRYPOINT ["portico"]
CMD ["--help"]
