# apisearch: a static binary in a minimal, non-root image.
#   docker build -t apisearch .
#   docker run -p 8080:8080 apisearch                       # the default catalogue, embedded
#   docker run -p 8080:8080 -v "$PWD/mon-catalogue:/catalog:ro" -e APISEARCH_CATALOG=/catalog apisearch

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/apisearch ./cmd/apisearch

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/apisearch /apisearch
ENV APISEARCH_ADDR=:8080 \
    APISEARCH_LOG_FORMAT=json
# Mount a catalogue folder here and set APISEARCH_CATALOG=/catalog to serve it.
VOLUME ["/catalog"]
EXPOSE 8080
USER 65532:65532
# The image has no curl: the binary checks its own /readyz.
HEALTHCHECK --interval=10s --timeout=4s --start-period=20s --retries=3 CMD ["/apisearch", "healthcheck"]
ENTRYPOINT ["/apisearch"]
CMD ["serve"]
