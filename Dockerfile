# GlobalCart image: the CLI with its pinned dependencies.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml constraints.txt README.md ./
COPY globalcart ./globalcart
RUN pip install -c constraints.txt . && useradd --create-home globalcart \
    && mkdir -p /app/data && chown globalcart /app/data
USER globalcart

# Default: build a small synthetic store into the embedded DuckDB warehouse.
ENTRYPOINT ["globalcart"]
CMD ["pipeline", "--scale", "small"]
