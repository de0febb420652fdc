# pcsim image: a thin wrapper over the same npm commands the README and CI use
# (npm ci → npm run build → bin/pcsim.js), so what CI proves is what the image runs.
# test/docker/dockerfile.test.ts checks every command, path and port here against package.json.

# ---- build: compile TypeScript with the dev dependencies ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
RUN npm ci --ignore-scripts
COPY src ./src
COPY scripts/copy-generated.cjs ./scripts/
RUN npm run build

# ---- runtime: production dependencies, compiled code, UI assets ----
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PCSIM_DATA=/data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY public ./public
COPY fixtures/partners ./fixtures/partners
RUN ln -s /app/bin/pcsim.js /usr/local/bin/pcsim \
 && mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8000/api/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["pcsim"]
CMD ["serve", "--host", "0.0.0.0"]
