# linkbroker container image: the release binary on Debian slim, running as a
# non-root user (uid 10001) with its SQLite data (if used) under /data.
#   docker build -t linkbroker .
#   docker run -p 8080:8080 -e LINKBROKER_PUBLIC_URL=https://... (plus the LWA
#     settings, and LINKBROKER_DATABASE_URL for Postgres) linkbroker
# See docs/deployment.md, "Docker".

# ---- build ------------------------------------------------------------------
FROM rust:1-bookworm AS builder
WORKDIR /src

# Dependencies first, against a dummy crate, so this layer is reused until
# Cargo.toml or Cargo.lock change.
COPY Cargo.toml Cargo.lock ./
RUN mkdir -p src tests/api \
    && echo 'fn main() {}' > src/main.rs \
    && touch src/lib.rs tests/api/main.rs \
    && cargo build --release --locked \
    && rm -rf src

# The real sources. sqlx::migrate!, askama and include_str! read migrations/,
# templates/, static/ and locales/ at compile time, so they are embedded in
# the binary; build.rs checks the catalogs in locales/.
COPY build.rs ./
COPY src ./src
COPY migrations ./migrations
COPY templates ./templates
COPY static ./static
COPY locales ./locales
# Forget the dummy crate's build so cargo cannot mistake it for up to date
# (COPY keeps the files' original, possibly older, modification times).
RUN rm -rf target/release/.fingerprint/linkbroker-* \
    && cargo build --release --locked --bin linkbroker \
    && install -m 0755 target/release/linkbroker /usr/local/bin/linkbroker

# ---- runtime ----------------------------------------------------------------
FROM debian:bookworm-slim

RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 linkbroker \
    && useradd --system --uid 10001 --gid 10001 --home-dir /data --no-create-home \
       --shell /usr/sbin/nologin linkbroker \
    && mkdir -p /data \
    && chown linkbroker:linkbroker /data

COPY --from=builder /usr/local/bin/linkbroker /usr/local/bin/linkbroker

WORKDIR /data
USER 10001:10001

ENV LINKBROKER_BIND=0.0.0.0:8080 \
    LINKBROKER_DATABASE_URL=sqlite:///data/linkbroker.db

EXPOSE 8080

HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1

ENTRYPOINT ["linkbroker"]
CMD ["serve"]
