# syntax=docker/dockerfile:1
# Switchyard controller image: `switchyard serve` (the Deployment in deploy/
# passes args ["serve"]). Two stages: build with the full Node toolchain, run
# on a distroless Node base as the non-root user 65532, with only production
# dependencies and the compiled JavaScript.

FROM node:20-bookworm-slim AS build
WORKDIR /src
# Manifests first, so the dependency layer is reused while only sources change.
COPY package.json package-lock.json tsconfig.json tsconfig.base.json ./
COPY protos/package.json protos/
COPY packages/api/package.json packages/api/
COPY packages/translator/package.json packages/translator/
COPY packages/explain/package.json packages/explain/
COPY packages/xds/package.json packages/xds/
COPY packages/controller/package.json packages/controller/
COPY packages/cli/package.json packages/cli/
COPY packages/cli/bin packages/cli/bin
RUN npm ci --no-audit --no-fund
COPY protos protos
COPY packages packages
# The product only: the packages the switchyard command is built from, not
# the root program that type-checks the tests (it needs e2e/, not copied).
RUN npm run build:product \
 && npm prune --omit=dev --no-audit --no-fund

FROM gcr.io/distroless/nodejs20-debian12:nonroot
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules node_modules
COPY --from=build /src/protos/package.json protos/
COPY --from=build /src/protos/dist protos/dist
COPY --from=build /src/packages/api/package.json packages/api/
COPY --from=build /src/packages/api/dist packages/api/dist
COPY --from=build /src/packages/translator/package.json packages/translator/
COPY --from=build /src/packages/translator/dist packages/translator/dist
COPY --from=build /src/packages/explain/package.json packages/explain/
COPY --from=build /src/packages/explain/dist packages/explain/dist
COPY --from=build /src/packages/xds/package.json packages/xds/
COPY --from=build /src/packages/xds/dist packages/xds/dist
COPY --from=build /src/packages/controller/package.json packages/controller/
COPY --from=build /src/packages/controller/dist packages/controller/dist
COPY --from=build /src/packages/cli/package.json packages/cli/
COPY --from=build /src/packages/cli/dist packages/cli/dist
# The Envoy bootstrap template the controller renders for each fleet.
COPY envoy envoy
USER 65532:65532
EXPOSE 18000 8080
ENTRYPOINT ["/nodejs/bin/node", "/app/packages/cli/dist/main.js"]
CMD ["serve"]
