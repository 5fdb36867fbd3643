# watchpost with the baseline of this checkout, for a scheduled runner (ECS, Kubernetes, Batch):
#   docker build -t watchpost:"$(git rev-parse --short HEAD)" .
# docs/scheduling.md shows the tasks that run it.

FROM rust:1.94-slim-trixie AS build
WORKDIR /src
COPY . .
# The registry and the build directory live in cache mounts, so a rebuild after a change to the
# baseline or to watchpost's code compiles only watchpost, not the AWS SDK again.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin watchpost \
 && cp target/release/watchpost /usr/local/bin/watchpost

FROM debian:trixie-slim
# The CA certificates verify AWS's endpoints; coreutils' `timeout` (in the base image) bounds a
# scheduled run. Nothing else is needed. The certificates are not pinned to a version: the bundle
# must be the current one, and Debian's mirror drops a version it replaces.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /usr/local/bin/watchpost /usr/local/bin/watchpost
COPY baseline.toml /etc/watchpost/baseline.toml
# An unprivileged user with no home: watchpost writes nothing when it runs, so the root file
# system may be read-only. 65532 is the uid the Kubernetes example's securityContext names.
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/watchpost"]
CMD ["plan", "--baseline", "/etc/watchpost/baseline.toml"]
