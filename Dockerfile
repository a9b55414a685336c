# wsruntimed's image. Build: docker build -t wsruntime:0.1.0 .
# Runs as root: containerd's socket is root:root 0660 (see deploy/daemonset.yaml
# for how little else the container gets).

ARG NODE_IMAGE=node:20-bookworm-slim

# Compile TypeScript as the unprivileged `node` user of the base image.
FROM ${NODE_IMAGE} AS build
WORKDIR /home/node/app
RUN chown node:node /home/node/app
USER node
COPY --chown=node:node package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are here.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY --chown=node:node tsconfig.json tsconfig.build.json ./
COPY --chown=node:node gen ./gen
COPY --chown=node:node src ./src
RUN npm run build

# Runtime dependencies and the compiled output only.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /opt/wsruntime
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /home/node/app/dist ./dist
# Both commands on PATH: the entrypoint, and wsruntimectl for the probes.
RUN chmod +x dist/src/cli/wsruntimed.js dist/src/cli/wsruntimectl.js \
 && ln -s /opt/wsruntime/dist/src/cli/wsruntimed.js /usr/local/bin/wsruntimed \
 && ln -s /opt/wsruntime/dist/src/cli/wsruntimectl.js /usr/local/bin/wsruntimectl
# wsruntimed handles SIGTERM itself and starts no children, so it can be PID 1.
ENTRYPOINT ["wsruntimed"]
