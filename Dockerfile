# syntax=docker/dockerfile:1
# voicewatch: small static images.
#   docker build -t voicewatch .                                  # every command
#   docker build --target sidecar -t voicewatch-sidecar .         # agent sidecar only
#   docker run --rm voicewatch --help               # ENTRYPOINT is /agent
#   docker run --rm --entrypoint /probe voicewatch stun stun:stun.example.com:3478
#
# Stage "build" compiles static binaries (CGO_ENABLED=0) with the module and
# build caches mounted. Stage "runtime" (the default target) has the full
# agent; stage "sidecar" has the agent built with -tags sidecaronly, which
# has only 'agent sidecar' and leaves out the media core and the AWS set-up
# clients (WAFv2, ELBv2, SNS, DynamoDB): about 20 % less resident memory for
# the sidecar (docs/benchmarks.md). Both are distroless static: CA
# certificates, tzdata, /etc/passwd with the nonroot user 65532, no shell, no
# package manager. Health checks therefore run /probe http (see
# docs/deployment.md), never curl.

ARG GO_VERSION=1.26

FROM golang:${GO_VERSION} AS build
WORKDIR /src
ENV CGO_ENABLED=0 GOFLAGS=-trimpath
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
COPY . .
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    go build -trimpath -ldflags "-s -w" -o /out/agent ./cmd/agent && \
    go build -trimpath -ldflags "-s -w" -tags sidecaronly -o /out/agent-sidecar ./cmd/agent && \
    go build -trimpath -ldflags "-s -w" -o /out/probe ./cmd/probe
# Writable state owned by the runtime user: session store, EMF output.
RUN mkdir -p /out/var/lib/voicewatch/sessions /out/var/lib/voicewatch/emf

FROM gcr.io/distroless/static-debian12:nonroot AS sidecar
LABEL org.opencontainers.image.source="https://github.com/voicewatch/voicewatch" \
      org.opencontainers.image.description="voicewatch sidecar: scrapes, probes and publishes to Prometheus, CloudWatch and OTLP" \
      org.opencontainers.image.licenses="Apache-2.0"
COPY --from=build /out/agent-sidecar /agent
COPY --from=build /out/probe /probe
COPY --from=build --chown=65532:65532 /out/var/lib/voicewatch /var/lib/voicewatch
COPY deploy/sidecar.yaml /etc/voicewatch/
USER 65532:65532
# 9464 sidecar /metrics and /probe.
EXPOSE 9464
ENTRYPOINT ["/agent"]
CMD ["sidecar", "--help"]

FROM gcr.io/distroless/static-debian12:nonroot AS runtime
LABEL org.opencontainers.image.source="https://github.com/voicewatch/voicewatch" \
      org.opencontainers.image.description="voicewatch: instrumented WebRTC media core, observability sidecar and probes" \
      org.opencontainers.image.licenses="Apache-2.0"
COPY --from=build /out/agent /agent
COPY --from=build /out/probe /probe
COPY --from=build --chown=65532:65532 /out/var/lib/voicewatch /var/lib/voicewatch
# The deployment configs read everything site-specific from ${ENV}, so the
# image runs as is on ECS; docker compose mounts the same files.
COPY deploy/voice.yaml deploy/sidecar.yaml /etc/voicewatch/
USER 65532:65532
# 8080 WHIP, test page, /-/healthy; 9100 media core /metrics;
# 9464 sidecar /metrics; 9095 alert receiver; media UDP range per voice.yaml.
EXPOSE 8080 9100 9464 9095
ENTRYPOINT ["/agent"]
CMD ["--help"]
