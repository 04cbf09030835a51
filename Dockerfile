# Image of the example app (docker-compose.yml). The library itself is published to npm, not as an image.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
EXPOSE 3000 4000
CMD ["npx", "tsx", "example-app/server.ts"]
