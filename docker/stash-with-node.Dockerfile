# Stash with Node.js, so the PlexSync plugin can run inside the container.
# The official image is Alpine Linux without Node; Alpine's `nodejs` package
# must be 22.13 or newer for the built-in node:sqlite (Alpine 3.22 and later).
ARG STASH_IMAGE=stashapp/stash:latest
FROM ${STASH_IMAGE}

RUN apk add --no-cache nodejs \
 && node -e "require('node:sqlite')" \
 || { echo "This image's Node.js ($(node --version 2>/dev/null)) lacks node:sqlite: PlexSync needs Node.js 22.13 or newer (Alpine 3.22+)." >&2; exit 1; }
