# calico-ipv6-webhook image: build with `docker build -t calico-ipv6-webhook:0.1.0 .`
# Two stages: `build` compiles TypeScript with the dev dependencies; the runtime stage installs the
# production dependencies only (from the lockfile) and runs as a non-root user. No secrets are needed
# or passed at any stage. CI does not build this image (no container engine there); test/chart/
# dockerfile.test.ts checks this file's structure and rehearses the runtime stage's steps with npm and node.
ARG NODE_IMAGE=node:26-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
# .npmrc holds install settings only (legacy-peer-deps), never credentials; the lockfile needs them.
COPY package.json package-lock.json .npmrc ./
# --ignore-scripts also skips the `node` devDependency's download: the image's own Node runs the build.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# The manifests first, so the dependency layer is rebuilt only when they change.
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force
COPY --from=build /src/dist ./dist
# 65532: the conventional "nonroot" uid/gid (distroless), matched by the Helm chart's securityContext.
USER 65532:65532
EXPOSE 8443
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["serve", "--host=::"]
