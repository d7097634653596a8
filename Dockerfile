FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    NUMBA_CACHE_DIR=/var/cache/pension-engine/numba

COPY pyproject.toml README.md /src/
COPY kernels /src/kernels
COPY model /src/model
COPY api /src/api

# Install the service without the bulk extras, then compile the kernels once
# (from outside /src, so the cache belongs to the installed modules) so that
# every container starts from Numba's cache.
RUN pip install --no-cache-dir /src \
    && rm -rf /src \
    && useradd --system --create-home engine \
    && mkdir -p "$NUMBA_CACHE_DIR" \
    && cd / && python -c "from model.warmup import warm_kernels; print(f'kernels ready in {warm_kernels():.1f} s')" \
    && chown -R engine "$NUMBA_CACHE_DIR"

USER engine
WORKDIR /home/engine
EXPOSE 8080
CMD ["pension-engine", "serve"]
