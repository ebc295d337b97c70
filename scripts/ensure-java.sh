#!/usr/bin/env bash
# DynamoDB Local (the local stack's database) is AWS's Java emulator and needs Java 17 or newer.
# Runs after `npm ci`/`npm install`: installs Debian's OpenJDK 17 when Java is missing and this user may
# install packages; otherwise says what to do. Never fails the install itself.
set -u
if command -v java >/dev/null 2>&1; then
  major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
  if [ -n "$major" ] && [ "$major" -ge 17 ]; then exit 0; fi
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "hotline: installing Java 17 for DynamoDB Local (openjdk-17-jre-headless)…"
  export DEBIAN_FRONTEND=noninteractive
  (apt-get update -qq && apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless >/dev/null) \
    && echo "hotline: Java installed." \
    || echo "hotline: could not install Java 17; install it yourself (openjdk-17-jre-headless) before npm start." >&2
else
  echo "hotline: Java 17+ is needed for DynamoDB Local; install openjdk-17-jre-headless (or any JDK 17+)." >&2
fi
exit 0
