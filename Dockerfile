# apisearch: a static binary in a minimal, non-root image.
#   docker build -t apisearch .        # see the build stage for --build-arg VERSION and COMMIT
#   docker run -p 8080:8080 apisearch                       # the default catalogue, embedded
#   docker run -p 8080:8080 -v "$PWD/mon-catalogue:/catalog:ro" -e APISEARCH_CATALOG=/catalog apisearch
#   docker run -p 9000:9000 apisearch serve --addr :9000    # the healthcheck follows --addr
# No VOLUME is declared: without a mounted folder the embedded catalogue is served, and an
# anonymous volume would only be left behind by every run.

# The builder's Go is go.mod's go line, and GOTOOLCHAIN=local keeps it from downloading another.
FROM golang:1.26.8-bookworm AS build
ENV GOTOOLCHAIN=local
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# The build context has no .git: `apisearch version` and apisearch_build_info report the version
# and commit given here, e.g.
#   docker build --build-arg VERSION="$(git describe --tags --always --dirty)" --build-arg COMMIT="$(git rev-parse HEAD)" -t apisearch .
ARG VERSION=""
ARG COMMIT=""
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -X main.stampedVersion=${VERSION} -X main.stampedCommit=${COMMIT}" -o /out/apisearch ./cmd/apisearch

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/apisearch /apisearch
# serve writes the address it listens on into APISEARCH_ADDR_FILE and healthcheck reads it
# there, so that a container started with another --addr is checked where it listens.
ENV APISEARCH_ADDR=:8080 \
    APISEARCH_ADDR_FILE=/tmp/apisearch.addr \
    APISEARCH_LOG_FORMAT=json
EXPOSE 8080
USER 65532:65532
# The image has no curl: the binary checks its own /readyz.
HEALTHCHECK --interval=10s --timeout=4s --start-period=20s --retries=3 CMD ["/apisearch", "healthcheck"]
ENTRYPOINT ["/apisearch"]
CMD ["serve"]
