# syntax=docker/dockerfile:1
# roadshow: one static-ish binary (SQLite and libpq are compiled in), on a slim Debian.
#   docker build -t roadshow .    docker run -p 8080:8080 -v roadshow-data:/data roadshow serve --demo

FROM rust:1.95-bookworm AS builder
WORKDIR /src
COPY . .
# Cache mounts keep the crate registry and build folder between builds; the binary is copied out
# of the cached target/ in the same step. `postgres-tls` compiles OpenSSL into libpq (perl and
# make are in the build image), so that managed PostgreSQL servers, which require TLS, work.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --features postgres-tls --bin roadshow \
    && install -m 0755 target/release/roadshow /usr/local/bin/roadshow

FROM debian:bookworm-slim
# ca-certificates only (SMTP over TLS); tracks bookworm security updates rather than pinning versions
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /data --no-create-home --shell /usr/sbin/nologin roadshow \
    && mkdir -p /data \
    && chown roadshow:roadshow /data
COPY --from=builder /usr/local/bin/roadshow /usr/local/bin/roadshow
# Listen on all interfaces inside the container; the default SQLite file and the data folder live in /data.
# The OpenSSL compiled in looks for trusted CAs where SSL_CERT_FILE says: Debian's bundle, for
# `sslmode=verify-full&sslrootcert=system` with a managed server's public certificate.
ENV ROADSHOW_LISTEN=0.0.0.0:8080 \
    ROADSHOW_DATA_DIR=/data \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
WORKDIR /data
VOLUME ["/data"]
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/roadshow"]
CMD ["serve"]
