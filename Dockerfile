# govwatch: one image for the scheduler and the crawler workers (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV DEBIAN_FRONTEND=noninteractive \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

# Debian's Chromium (Playwright cannot download its own browser offline) and a Chinese font, so
# screenshots of Chinese pages are not tofu boxes.
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium fonts-wqy-microhei ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.lock.txt ./
RUN pip install -r requirements.lock.txt
COPY . .
RUN pip install --no-deps . \
 && useradd --create-home --uid 1000 govwatch \
 && mkdir -p /data && chown govwatch:govwatch /data

ENV GOVWATCH_HOME=/data \
    GOVWATCH_CHROMIUM=/usr/bin/chromium \
    TZ=Asia/Shanghai
USER govwatch
VOLUME ["/data"]
CMD ["govwatch", "schedule"]
