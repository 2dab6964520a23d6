# syntax=docker/dockerfile:1
# citybench node image: a release binary with the Swift runtime linked in statically, on Debian
# bookworm-slim with only the three C libraries it loads (SQLite, libcurl, OpenSSL 3).
# scripts/check-dockerfile.sh lints this file with hadolint and runs its RUN steps on Debian 12.

# Build stage: the official Swift image for Debian 12, pinned to the toolchain the project is
# built and tested with.
FROM swift:6.3.1-bookworm AS build
# Debian package versions are not pinned: bookworm's security updates replace old versions in
# the archive, so pinned versions would break the build instead of making it reproducible.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libcurl4-openssl-dev libsqlite3-dev libssl-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN swift build -c release --static-swift-stdlib \
    && install -D -m 0755 .build/release/citybench /out/citybench

# Runtime stage: no compiler, no shell tools beyond the base image, a non-root user.
FROM debian:bookworm-slim
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libsqlite3-0 libcurl4 libssl3 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 citybench \
    && useradd --system --uid 10001 --gid citybench --home-dir /var/lib/citybench --create-home --shell /usr/sbin/nologin citybench
COPY --from=build /out/citybench /usr/local/bin/citybench
ENV CITYBENCH_HOME=/var/lib/citybench
# The node's home (node.json, citybench.sqlite, keys/): keep it on a volume so keys and data
# survive a new image.
VOLUME /var/lib/citybench
WORKDIR /var/lib/citybench
# Numeric, so a runtime (e.g. Kubernetes runAsNonRoot) can tell it is not root without the image's passwd.
USER 10001:10001
# The peer API over TLS (set the node's listen address to 0.0.0.0:8443 at `init --listen`).
EXPOSE 8443
# No HEALTHCHECK: the image has no HTTP client and the CLI has no probe command; probe
# GET /v1/health over TLS from the orchestrator instead.
ENTRYPOINT ["citybench"]
CMD ["serve"]
