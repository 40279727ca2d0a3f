FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
# the app's own folder for uploads and export files (made 0700 at start-up); the code stays root's, read-only to the app
RUN mkdir -p .data && chown node:node .data
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
EXPOSE 3000
USER node
CMD ["node", "--import", "tsx", "src/server.ts"]
