# Build a static binary, then ship it alone in a minimal non-root image.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /apisearch ./cmd/apisearch

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /apisearch /apisearch
# The default catalogue is embedded in the binary; mount a catalogue folder here to serve another.
VOLUME ["/catalog"]
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/apisearch"]
CMD ["serve", "--addr", ":8080"]
