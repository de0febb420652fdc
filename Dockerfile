# pcsim image: a thin wrapper over the same npm commands the README and CI use
# (npm ci → npm run build → bin/pcsim.js), so what CI proves is what the image runs.
# test/docker/dockerfile.test.ts checks every command, path and port here against package.json.

# ---- build: compile TypeScript with the dev dependencies ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
RUN npm ci --ignore-scripts
COPY src ./src
COPY scripts/copy-generated.cjs scripts/bundle.mjs scripts/bundle-shim.mjs ./scripts/
RUN npm run build

# ---- runtime: production dependencies, compiled code, UI assets, example scenarios ----
FROM node:20-bookworm-slim
# HOME is writable whoever runs the image: CI runs it as the caller (--user "$(id -u):$(id -g)")
# so reports land in the mounted workspace owned by that user, and that uid has no home here.
ENV NODE_ENV=production \
    PCSIM_DATA=/data \
    HOME=/tmp
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY public ./public
COPY fixtures/partners ./fixtures/partners
# The certification catalogue: pcsim run loads its journeys from these scenario files.
COPY fixtures/catalogue ./fixtures/catalogue
COPY fixtures/scenarios ./fixtures/scenarios
# V8 code caches of the bundled CLI, made once here: a `docker run --rm` starts as fast as a second run.
COPY scripts/warm-code-cache.mjs ./scripts/
RUN node scripts/warm-code-cache.mjs
# /data is the state volume: writable by any uid (no sticky bit: lowdb replaces its file by rename).
RUN ln -s /app/bin/pcsim.js /usr/local/bin/pcsim \
 && mkdir -p /data && chown node:node /data && chmod 0777 /data
USER node
VOLUME ["/data"]
EXPOSE 8000
# Follows PCSIM_PORT (the variable of serve's --port), else serve's default port.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PCSIM_PORT || 8000) + '/api/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["pcsim"]
CMD ["serve", "--host", "0.0.0.0"]
