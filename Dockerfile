# For users who build with Docker or Podman: the same image as image/build.sh (which needs neither).
# Not built in this repository's CI (no Docker engine there); image/build.sh + ImageIT are what is tested.
#   docker build -t ghcr.io/sealmail/sealmail:0.1.0 .
FROM docker.io/library/maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN ./mvnw -B -q package -DskipTests

# Java 25 at run time (built for 17): its AOT cache, recorded below, spares the engine's first clients after a restart
# most of the JIT's first-use cost (docs/store.md, "After a restart: Java 25's AOT cache").
FROM docker.io/library/debian:trixie-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-25-jre-headless \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 sealmail \
 && useradd --uid 10001 --gid 10001 --home-dir /var/lib/sealmail --shell /usr/sbin/nologin sealmail \
 && install -d -o 10001 -g 10001 /var/lib/sealmail \
 && install -d /etc/sealmail
COPY --from=build /src/target/quarkus-app/ /app/
COPY image/root/ /
ENV JAVA_TOOL_OPTIONS=-XX:MaxRAMPercentage=75
# The AOT cache: the engine started, warmed up and stopped once by this image's java, as its user (image/build.sh
# records the same in a chroot). The jars' times and sizes must not change after this step.
# -XX:AOTMode=on at the end fails the build here if the cache does not fit the jars as this layer holds them.
RUN su -s /bin/sh sealmail -c '/usr/local/lib/sealmail/aot-train /tmp/sealmail.aot' \
 && install -m 0644 /tmp/sealmail.aot /app/sealmail.aot && rm /tmp/sealmail.aot \
 && java -XX:AOTMode=on -XX:AOTCache=/app/sealmail.aot -jar /app/quarkus-run.jar engine --help >/dev/null
# smtp submission smtps pop3 pop3s imap imaps, then health and metrics
EXPOSE 2525 5587 4465 1110 1995 1143 1993 8080
USER 10001:10001
WORKDIR /var/lib/sealmail
ENTRYPOINT ["/usr/local/bin/sealmail"]
CMD ["--help"]
